//! WebAssembly binding of a 2-D lane (`PlaneLane`) on the CPU backend: training by phase and its views.

use js_sys::{Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::backend::{cpu_device, Cpu};
use crate::lane::Phase;
use crate::plane::PlaneConfig;

/// Validates a 2-D configuration given as JSON: `{"config": {...}}` or `{"errors": [{field, message}]}`.
#[wasm_bindgen(js_name = validatePlaneConfig)]
pub fn validate_plane_config(json: &str) -> String {
    match PlaneConfig::from_json(json) {
        Ok(cfg) => format!(r#"{{"config":{}}}"#, cfg.to_json()),
        Err(errors) => serde_json::json!({ "errors": errors }).to_string(),
    }
}

/// One 2-D lane. Its methods are synchronous (the nets are tiny; the CPU backend reads back at once).
#[wasm_bindgen(js_name = PlaneLane)]
pub struct PlaneLaneJs {
    lane: crate::plane::lane::PlaneLane<Cpu>,
}

fn set(o: &Object, key: &str, v: impl Into<JsValue>) {
    Reflect::set(o, &JsValue::from_str(key), &v.into()).expect("setting a field of a plain object");
}

#[wasm_bindgen(js_class = PlaneLane)]
impl PlaneLaneJs {
    /// Builds a lane from a JSON config (`validatePlaneConfig`'s rules); an invalid one throws naming the fields.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str) -> Result<PlaneLaneJs, JsError> {
        let cfg = PlaneConfig::from_json(config)
            .map_err(|errs| JsError::new(&crate::params::describe(&errs, "; ")))?;
        let lane = crate::plane::lane::PlaneLane::new(cfg, &cpu_device()).map_err(|e| JsError::new(&e))?;
        Ok(PlaneLaneJs { lane })
    }

    /// Runs `n` steps of `phase` (`"d"`, `"g"` or `"both"`); stops after a non-finite one. JSON array
    /// of `{step, phase, d_loss, g_loss, diagnostics, finite}`.
    pub fn train(&mut self, n: u32, phase: &str) -> Result<String, JsError> {
        let phase = Phase::parse(phase).map_err(|e| JsError::new(&e))?;
        let mut out = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let s = self.lane.step(phase);
            let stop = !s.finite;
            out.push(s);
            if stop {
                break;
            }
        }
        Ok(serde_json::to_string(&out).expect("stats serialise"))
    }

    /// `{step, real, fake, arrows, heat, manifold (Float32Array), categories (Uint8Array), meshRows,
    /// meshCols, kl, js, swd}` (see `plane::lane::PlaneView`); the distances are NaN unless `metrics`.
    pub fn view(&self, metrics: bool) -> Object {
        let v = self.lane.view(metrics);
        let o = Object::new();
        set(&o, "step", v.step as u32);
        for (k, a) in [("real", &v.real), ("fake", &v.fake), ("arrows", &v.arrows), ("heat", &v.heat), ("manifold", &v.manifold)] {
            set(&o, k, Float32Array::from(a.as_slice()));
        }
        set(&o, "categories", Uint8Array::from(v.categories.as_slice()));
        set(&o, "meshRows", v.mesh_rows as u32);
        set(&o, "meshCols", v.mesh_cols as u32);
        set(&o, "kl", v.kl);
        set(&o, "js", v.js);
        set(&o, "swd", v.swd);
        o
    }

    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> u32 {
        self.lane.steps() as u32
    }

    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> String {
        self.lane.config().to_json()
    }
}
