//! Training configuration and its validation: the one place where user input becomes a valid config.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::Arch;
use crate::objective;

pub use crate::params::{shorten, FieldError, ParamValues};

/// Everything needed to build and train one lane.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainConfig {
    pub objective: String,
    pub arch: Arch,
    pub lr_g: f64,
    pub lr_d: f64,
    pub batch: usize,
    pub latent: usize,
    pub seed: u64,
    /// Objective-specific hyper-parameters (every key of the objective's specs, defaults filled in).
    pub params: ParamValues,
}

/// Accepted ranges, shared by the validator, the CLI help and the UI.
pub const LR_RANGE: (f64, f64) = (1e-6, 0.1);
pub const BATCH_RANGE: (usize, usize) = (1, 512);
pub const LATENT_RANGE: (usize, usize) = (1, 256);
pub const SEED_MAX: u64 = u32::MAX as u64;

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            objective: "nonsaturating".into(),
            arch: Arch::Mlp,
            lr_g: 2e-4,
            lr_d: 2e-4,
            batch: 64,
            latent: 64,
            seed: 1,
            params: defaults_for("nonsaturating"),
        }
    }
}

fn defaults_for(objective: &str) -> ParamValues {
    let specs = objective::info(objective).map(|i| i.params).unwrap_or(&[]);
    ParamValues(specs.iter().map(|p| (p.key.to_string(), p.default)).collect())
}

impl TrainConfig {
    /// Parses and validates a JSON object. Missing fields take defaults; every invalid field is
    /// reported (not just the first) and unknown fields are errors too.
    pub fn from_json(text: &str) -> Result<TrainConfig, Vec<FieldError>> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| vec![FieldError::new("config", format!("not valid JSON: {e}"))])?;
        match value {
            Value::Object(map) => Self::from_map(&map),
            _ => Err(vec![FieldError::new("config", "expected a JSON object")]),
        }
    }

    /// Validates a map of field → value (numbers may also be given as strings, as in URLs).
    pub fn from_map(map: &Map<String, Value>) -> Result<TrainConfig, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut cfg = TrainConfig::default();

        // Parameters belong to an objective: with an invalid objective they are not checked.
        let mut objective_ok = true;
        match map.get("objective") {
            None => {}
            Some(Value::String(id)) => match objective::info(id) {
                Ok(info) => cfg.objective = info.id.to_string(),
                Err(e) => {
                    objective_ok = false;
                    errors.push(e);
                }
            },
            Some(v) => {
                objective_ok = false;
                let ids: Vec<&str> = objective::all().iter().map(|i| i.id).collect();
                errors.push(FieldError::new(
                    "objective",
                    format!("got {}; expected a string, one of: {}", describe(v), ids.join(", ")),
                ));
            }
        }
        match map.get("arch") {
            None => {}
            Some(Value::String(a)) => match Arch::parse(a) {
                Some(arch) => cfg.arch = arch,
                None => errors.push(FieldError::new(
                    "arch",
                    format!("unknown architecture {:?}; available: mlp, dcgan", shorten(a)),
                )),
            },
            Some(v) => errors.push(FieldError::new(
                "arch",
                format!("got {}; expected a string, one of: mlp, dcgan", describe(v)),
            )),
        }
        let mut check_f = |key: &str, range: (f64, f64), slot: &mut f64| {
            if let Some(v) = map.get(key) {
                match number(v, false).filter(|x| x.is_finite() && *x >= range.0 && *x <= range.1) {
                    Some(x) => *slot = x,
                    None => errors.push(range_error(key, v, range.0, range.1)),
                }
            }
        };
        let lr_default = objective::info(&cfg.objective).map(|i| i.lr_default).unwrap_or(cfg.lr_g);
        cfg.lr_g = lr_default;
        cfg.lr_d = lr_default;
        check_f("lr_g", LR_RANGE, &mut cfg.lr_g);
        check_f("lr_d", LR_RANGE, &mut cfg.lr_d);
        let mut check_u = |key: &str, lo: u64, hi: u64, slot: &mut u64| {
            if let Some(v) = map.get(key) {
                match number(v, false).filter(|x| x.fract() == 0.0 && *x >= lo as f64 && *x <= hi as f64) {
                    Some(x) => *slot = x as u64,
                    None => errors.push(FieldError::new(
                        key,
                        format!("got {}; expected a whole number from {lo} to {hi}", describe(v)),
                    )),
                }
            }
        };
        let (mut batch, mut latent) = (cfg.batch as u64, cfg.latent as u64);
        check_u("batch", BATCH_RANGE.0 as u64, BATCH_RANGE.1 as u64, &mut batch);
        check_u("latent", LATENT_RANGE.0 as u64, LATENT_RANGE.1 as u64, &mut latent);
        check_u("seed", 0, SEED_MAX, &mut cfg.seed);
        cfg.batch = batch as usize;
        cfg.latent = latent as usize;

        cfg.params = defaults_for(&cfg.objective);
        let specs = objective::info(&cfg.objective).map(|i| i.params).unwrap_or(&[]);
        match map.get("params") {
            None | Some(Value::Null) => {}
            Some(_) if !objective_ok => {}
            Some(Value::Object(params)) => {
                for (key, v) in params {
                    let Some(spec) = specs.iter().find(|s| s.key == key) else {
                        let known: Vec<&str> = specs.iter().map(|s| s.key).collect();
                        errors.push(FieldError::new(
                            format!("params.{}", shorten(key)),
                            format!(
                                "not a parameter of {}; it takes: {}",
                                cfg.objective,
                                if known.is_empty() { "none".to_string() } else { known.join(", ") }
                            ),
                        ));
                        continue;
                    };
                    let whole = spec.toggle || spec.integer;
                    let ok = number(v, spec.toggle).filter(|x| {
                        x.is_finite() && *x >= spec.min && *x <= spec.max && (!whole || x.fract() == 0.0)
                    });
                    let field = format!("params.{}", spec.key);
                    match ok {
                        Some(x) => {
                            cfg.params.0.insert(spec.key.to_string(), x);
                        }
                        None if spec.toggle => errors.push(FieldError::new(
                            field,
                            format!("got {}; expected 0 (off) or 1 (on)", describe(v)),
                        )),
                        None if spec.integer => errors.push(FieldError::new(
                            field,
                            format!("got {}; expected a whole number from {} to {}", describe(v), spec.min, spec.max),
                        )),
                        None => errors.push(range_error(&field, v, spec.min, spec.max)),
                    }
                }
            }
            Some(v) => errors.push(FieldError::new(
                "params",
                format!("got {}; expected an object of parameter name → number, e.g. {{\"lambda\": 10}}", describe(v)),
            )),
        }

        const KNOWN: &[&str] = &["objective", "arch", "lr_g", "lr_d", "batch", "latent", "seed", "params"];
        for key in map.keys().filter(|k| !KNOWN.contains(&k.as_str())) {
            errors.push(FieldError::new(shorten(key), format!("unknown field; known fields: {}", KNOWN.join(", "))));
        }

        if errors.is_empty() {
            Ok(cfg)
        } else {
            Err(errors)
        }
    }

    /// The config as a JSON object in the same shape `from_json` accepts.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("config serialises")
    }
}

/// A number, or a string holding one (as in URLs); `true`/`false` count as 1/0 only for toggles.
fn number(v: &Value, allow_bool: bool) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Bool(b) if allow_bool => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{:?}", shorten(s)),
        other => shorten(&other.to_string()),
    }
}

fn range_error(field: &str, v: &Value, lo: f64, hi: f64) -> FieldError {
    FieldError::new(field, format!("got {}; expected a number from {lo} to {hi}", describe(v)))
}
