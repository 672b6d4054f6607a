//! WebAssembly binding of a 2-D lane (`PlaneLane`) on the CPU backend: training by phase and its views.

use js_sys::{Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::backend::{cpu_device, Cpu};
use crate::lane::Phase;
use crate::plane::PlaneConfig;
use crate::recovery::Recoverable;

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
    /// The curves the checkpoint this lane was loaded from carried (JSON text; empty when none).
    curves: String,
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
        Ok(PlaneLaneJs { lane, curves: String::new() })
    }

    /// Runs up to `n` steps of `phase` (`"d"`, `"g"` or `"both"`); stops at a non-finite one, which
    /// marks the lane diverged (`divergedAt`): it then throws until `rollback`. JSON array of `{step,
    /// phase, d_loss, g_loss, diagnostics, finite}`.
    pub fn train(&mut self, n: u32, phase: &str) -> Result<String, JsError> {
        let phase = Phase::parse(phase).map_err(|e| JsError::new(&e))?;
        let out = self.lane.train(n as usize, phase).map_err(|e| JsError::new(&e))?;
        Ok(serde_json::to_string(&out).expect("stats serialise"))
    }

    /// The step at which the lane diverged, while it is stopped there (`undefined` when healthy).
    #[wasm_bindgen(getter, js_name = divergedAt)]
    pub fn diverged_at(&self) -> Option<u32> {
        self.lane.diverged_at().map(|s| s as u32)
    }

    /// Step of the last healthy snapshot (every 200 generator steps unless `setSnapshotEvery`).
    #[wasm_bindgen(getter, js_name = snapshotStep)]
    pub fn snapshot_step(&self) -> u32 {
        self.lane.snapshot_step() as u32
    }

    /// Returns to the last healthy snapshot; the step it went back to.
    pub fn rollback(&mut self) -> u32 {
        self.lane.rollback() as u32
    }

    /// Snapshots every `n` generator steps from now on (a test hook; at least 1).
    #[wasm_bindgen(js_name = setSnapshotEvery)]
    pub fn set_snapshot_every(&mut self, n: u32) {
        self.lane.set_snapshot_every(n as usize);
    }

    /// Replaces the learning rates without validation (a test hook: absurd ones provoke divergence).
    #[wasm_bindgen(js_name = setLearningRatesUnchecked)]
    pub fn set_learning_rates_unchecked(&mut self, lr_g: f64, lr_d: f64) {
        self.lane.set_learning_rates_unchecked(lr_g, lr_d);
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

    /// Rebuilds a lane from `save()`'s bytes (see `plane::lane::checkpoint`); its config comes from the
    /// file and is validated again. A refused file throws an `Error` with a plain-words `message`, a
    /// `code` (`not-a-checkpoint`, `too-large`, `damaged`, `other-version`, `image-checkpoint`,
    /// `incompatible`) and the technical `detail`.
    #[wasm_bindgen(js_name = fromCheckpoint)]
    pub fn from_checkpoint(bytes: &[u8]) -> Result<PlaneLaneJs, JsValue> {
        let (lane, curves) = crate::plane::lane::PlaneLane::from_checkpoint(bytes, &cpu_device()).map_err(|r| {
            let e = js_sys::Error::new(&r.message);
            set(&e, "code", r.code);
            set(&e, "detail", r.detail.as_str());
            JsValue::from(e)
        })?;
        Ok(PlaneLaneJs { lane, curves: curves.map(|c| c.to_string()).unwrap_or_default() })
    }

    /// The lane now as checkpoint bytes (its last healthy snapshot while it is diverged), carrying
    /// `curves` (JSON text of an object, e.g. the page's chart points; empty for none).
    pub fn save(&self, curves: &str) -> Result<Uint8Array, JsError> {
        let curves = if curves.is_empty() {
            None
        } else {
            Some(serde_json::from_str::<serde_json::Value>(curves).map_err(|e| JsError::new(&format!("save: curves are not JSON: {e}")))?)
        };
        let bytes = self.lane.save(curves.as_ref()).map_err(|e| JsError::new(&e))?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }

    /// The curves the checkpoint this lane was loaded from carried, as JSON text ("" if none).
    #[wasm_bindgen(getter, js_name = checkpointCurves)]
    pub fn checkpoint_curves(&self) -> String {
        self.curves.clone()
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
