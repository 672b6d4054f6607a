//! The 2-D mode: point data sets, small MLPs, a training lane on points and its views (decision
//! surface, gradient arrows, manifold, KL/JS/SWD); every objective applies unchanged.

pub mod data;
pub mod lane;
pub mod metrics;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::{FieldError, TrainConfig};
use data::{Shape, Source, MAX_POINTS};
use crate::model::plane::Act;

/// Hidden layers of either network.
pub const LAYERS_RANGE: (usize, usize) = (1, 4);
/// Neurons per hidden layer.
pub const NEURONS_RANGE: (usize, usize) = (4, 128);
/// Latent dimensions (a line or a square).
pub const LATENT_RANGE: (usize, usize) = (1, 2);
/// The 2-D mode's learning rates are this multiple of the objective's image-mode default unless given.
pub const LR_FACTOR: f64 = 5.0;

/// How latent vectors are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LatentDist {
    /// `U(-1, 1)` per dimension.
    Uniform,
    /// `N(0, 1)` per dimension.
    Gaussian,
}

/// A 2-D lane's configuration: the shared training fields plus the data set and network shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaneConfig {
    /// Objective, parameters, learning rates, batch and seed; `latent` is the latent dimension (1 or 2).
    pub train: TrainConfig,
    pub source: Source,
    pub g_layers: usize,
    pub g_neurons: usize,
    pub d_layers: usize,
    pub d_neurons: usize,
    pub act: Act,
    pub latent_dist: LatentDist,
}

const PLANE_KEYS: &[&str] = &["dataset", "points", "g_layers", "g_neurons", "d_layers", "d_neurons", "activation", "latent", "latent_dist"];

impl PlaneConfig {
    /// Parses a JSON object: the fields of `TrainConfig` (but `arch`) plus `dataset`, `points`
    /// (`[[x, y], …]` for `drawn`), `g_layers`, `g_neurons`, `d_layers`, `d_neurons`, `activation`,
    /// `latent` (1 or 2) and `latent_dist` (`uniform` or `gaussian`). Every invalid field is reported.
    pub fn from_json(text: &str) -> Result<PlaneConfig, Vec<FieldError>> {
        let value: Value = serde_json::from_str(text).map_err(|e| vec![FieldError::new("config", format!("not valid JSON: {e}"))])?;
        let Value::Object(map) = value else { return Err(vec![FieldError::new("config", "expected a JSON object")]) };
        let mut errors = Vec::new();
        let mut rest: Map<String, Value> = map.iter().filter(|(k, _)| !PLANE_KEYS.contains(&k.as_str()) && k.as_str() != "arch").map(|(k, v)| (k.clone(), v.clone())).collect();
        if map.contains_key("arch") {
            errors.push(FieldError::new("arch", "the 2-D mode has its own networks; set g_layers, g_neurons, d_layers, d_neurons"));
        }
        rest.remove("latent");
        let lr_given = (rest.contains_key("lr_g"), rest.contains_key("lr_d"));
        let mut train = match TrainConfig::from_map(&rest) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let mut whole = |key: &str, range: (usize, usize), default: usize| -> usize {
            match map.get(key) {
                None => default,
                Some(v) => match v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
                    Some(x) if x.fract() == 0.0 && x >= range.0 as f64 && x <= range.1 as f64 => x as usize,
                    _ => {
                        errors.push(FieldError::new(key, format!("got {}; expected a whole number from {} to {}", crate::config::shorten(&v.to_string()), range.0, range.1)));
                        default
                    }
                },
            }
        };
        let g_layers = whole("g_layers", LAYERS_RANGE, 2);
        let g_neurons = whole("g_neurons", NEURONS_RANGE, 32);
        let d_layers = whole("d_layers", LAYERS_RANGE, 2);
        let d_neurons = whole("d_neurons", NEURONS_RANGE, 32);
        let latent = whole("latent", LATENT_RANGE, 2);
        let mut choice = |key: &str, ids: &[&str]| -> Option<String> {
            let v = map.get(key)?;
            match v.as_str().filter(|s| ids.contains(s)) {
                Some(s) => Some(s.to_string()),
                None => {
                    errors.push(FieldError::new(key, format!("got {}; expected one of: {}", crate::config::shorten(&v.to_string()), ids.join(", "))));
                    None
                }
            }
        };
        let shape_ids: Vec<&str> = Shape::ALL.iter().map(|s| s.id()).collect();
        let shape = choice("dataset", &shape_ids).and_then(|s| Shape::parse(&s)).unwrap_or(Shape::Ring);
        let act_ids: Vec<&str> = Act::ALL.iter().map(|a| a.id()).collect();
        let act = choice("activation", &act_ids).and_then(|s| Act::parse(&s)).unwrap_or_default();
        let latent_dist = match choice("latent_dist", &["uniform", "gaussian"]).as_deref() {
            Some("gaussian") => LatentDist::Gaussian,
            _ => LatentDist::Uniform,
        };
        let points = match map.get("points") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => match parse_points(v) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(FieldError::new("points", e));
                    Vec::new()
                }
            },
        };
        if shape == Shape::Drawn && points.is_empty() && !errors.iter().any(|e| e.field == "points") {
            errors.push(FieldError::new("points", "the drawn data set needs at least one point"));
        }
        if let Some(t) = train.as_mut() {
            t.latent = latent;
            let lr = crate::objective::info(&t.objective).map(|i| i.lr_default).unwrap_or(2e-4) * LR_FACTOR;
            if !lr_given.0 {
                t.lr_g = lr;
            }
            if !lr_given.1 {
                t.lr_d = lr;
            }
        }
        match (train, errors.is_empty()) {
            (Some(train), true) => Ok(PlaneConfig { train, source: Source { shape, points }, g_layers, g_neurons, d_layers, d_neurons, act, latent_dist }),
            _ => Err(errors),
        }
    }

    /// The config as JSON in the shape `from_json` accepts.
    pub fn to_json(&self) -> String {
        let t = &self.train;
        let mut v = serde_json::json!({
            "objective": t.objective, "params": t.params, "lr_g": t.lr_g, "lr_d": t.lr_d, "batch": t.batch, "seed": t.seed,
            "dataset": self.source.shape.id(), "g_layers": self.g_layers, "g_neurons": self.g_neurons,
            "d_layers": self.d_layers, "d_neurons": self.d_neurons, "activation": self.act.id(), "latent": t.latent,
            "latent_dist": self.latent_dist,
        });
        if self.source.shape == Shape::Drawn {
            v["points"] = serde_json::json!(self.source.points);
        }
        v.to_string()
    }
}

fn parse_points(v: &Value) -> Result<Vec<[f32; 2]>, String> {
    let Value::Array(items) = v else { return Err("expected an array of [x, y] pairs".into()) };
    if items.len() > MAX_POINTS {
        return Err(format!("got {} points; at most {MAX_POINTS}", items.len()));
    }
    let lim = f64::from(data::EXTENT);
    items
        .iter()
        .map(|p| match p.as_array().map(|a| a.iter().map(Value::as_f64).collect::<Vec<_>>()).as_deref() {
            Some([Some(x), Some(y)]) if x.abs() <= lim && y.abs() <= lim => Ok([*x as f32, *y as f32]),
            _ => Err(format!("each point must be [x, y] with both from -{lim} to {lim}")),
        })
        .collect()
}

/// The 2-D mode's data sets and field ranges, for the page (`page::limits`).
pub fn limits() -> Value {
    serde_json::json!({
        "datasets": Shape::ALL.iter().map(|s| serde_json::json!({"id": s.id(), "label": s.label()})).collect::<Vec<_>>(),
        "extent": data::EXTENT,
        "maxPoints": MAX_POINTS,
        "layers": { "min": LAYERS_RANGE.0, "max": LAYERS_RANGE.1 },
        "neurons": { "min": NEURONS_RANGE.0, "max": NEURONS_RANGE.1 },
        "latent": { "min": LATENT_RANGE.0, "max": LATENT_RANGE.1 },
        "activations": Act::ALL.iter().map(|a| a.id()).collect::<Vec<_>>(),
        "heatCells": lane::HEAT_CELLS,
        "viewPoints": lane::VIEW_POINTS,
    })
}
