//! WebAssembly bindings for the Web Worker: backend start-up, the data set, lanes, statistics, samples.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::backend::{self, Cpu, Gpu};
use crate::config::TrainConfig;
use crate::data::Digits;
use crate::lane::{Lane, StepStats};
use crate::objective;

mod hooks;
mod quality;

/// Every objective's description (id, name, formulas, parameter specs, diagnostics) as JSON.
#[wasm_bindgen(js_name = objectives)]
pub fn objectives_json() -> String {
    serde_json::to_string(&objective::all()).expect("objective info serialises")
}

/// Validates a configuration given as JSON. Returns `{"config": {...}}` or `{"errors": [{field, message}]}`.
#[wasm_bindgen(js_name = validateConfig)]
pub fn validate_config(json: &str) -> String {
    match TrainConfig::from_json(json) {
        Ok(cfg) => serde_json::json!({ "config": cfg }).to_string(),
        Err(errors) => serde_json::json!({ "errors": errors }).to_string(),
    }
}

/// Initialises burn's WebGPU runtime on the browser's default adapter. Resolves to the adapter name.
/// `on_device_lost(reason, message)` is called if the GPU device is lost later (see `hooks.rs`).
#[wasm_bindgen(js_name = initWebGpu)]
pub async fn init_webgpu(on_device_lost: js_sys::Function) -> Result<String, JsError> {
    let device = backend::gpu_device();
    let setup = burn::backend::wgpu::init_setup_async::<burn::backend::wgpu::graphics::WebGpu>(
        &device,
        Default::default(),
    )
    .await;
    hooks::watch_device(&setup, on_device_lost);
    Ok(setup.adapter.get_info().name)
}

/// The bundled digits, parsed once and shared by every lane (training split only).
#[wasm_bindgen]
pub struct Dataset {
    train: Rc<Digits>,
    counts: Vec<u32>,
}

#[wasm_bindgen]
impl Dataset {
    /// Parses the data file; a corrupt file is refused with a message.
    pub fn parse(bytes: &[u8]) -> Result<Dataset, JsError> {
        let all = Digits::parse(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        let (train, _) = all.split();
        let counts = train.class_counts().iter().map(|&c| c as u32).collect();
        Ok(Dataset { train: Rc::new(train), counts })
    }

    /// Number of training images.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        self.train.len() as u32
    }

    /// Training images per class 0..9.
    #[wasm_bindgen(js_name = classCounts)]
    pub fn class_counts(&self) -> Vec<u32> {
        self.counts.clone()
    }
}

enum Engine {
    Cpu(Lane<Cpu>),
    Gpu(Lane<Gpu>),
}

/// Runs `$body` with `$lane` bound to whichever backend's lane the engine holds.
macro_rules! with_lane {
    ($engine:expr, $lane:ident => $body:expr) => {
        match $engine {
            Engine::Cpu($lane) => $body,
            Engine::Gpu($lane) => $body,
        }
    };
}

/// One training lane on the CPU or WebGPU backend. Methods returning promises must not overlap.
#[wasm_bindgen]
pub struct TrainingLane {
    engine: Rc<RefCell<Engine>>,
    config: TrainConfig,
}

#[wasm_bindgen]
impl TrainingLane {
    /// Builds a lane. `backend` is `"webgpu"` (after `initWebGpu`) or `"cpu"`; `config` is JSON
    /// validated by the same rules as `validateConfig`.
    #[wasm_bindgen(constructor)]
    pub fn new(backend: &str, config: &str, data: &Dataset) -> Result<TrainingLane, JsError> {
        let cfg = TrainConfig::from_json(config).map_err(|errs| {
            JsError::new(&errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
        })?;
        let engine = match backend {
            "cpu" => Engine::Cpu(Lane::new(cfg.clone(), &data.train, &backend::cpu_device()).map_err(|e| JsError::new(&e))?),
            "webgpu" => Engine::Gpu(Lane::new(cfg.clone(), &data.train, &backend::gpu_device()).map_err(|e| JsError::new(&e))?),
            other => return Err(JsError::new(&format!("unknown backend {other:?}; expected webgpu or cpu"))),
        };
        Ok(TrainingLane { engine: Rc::new(RefCell::new(engine)), config: cfg })
    }

    /// The validated configuration as JSON.
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> String {
        self.config.to_json()
    }

    /// Generator steps completed.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> u32 {
        self.engine.try_borrow().map(|e| with_lane!(&*e, l => l.steps() as u32)).unwrap_or(0)
    }

    /// Runs `n` generator steps, then reads all their statistics back in one transfer.
    /// Resolves to an array of `{step, d_loss, g_loss, diagnostics: {name: value}, weights_finite, finite}`;
    /// it ends at the first step whose values are not finite, and the lane is then diverged
    /// (`divergedAt`): `train` rejects until `rollback`.
    pub fn train(&self, n: u32) -> Promise {
        let engine = self.engine.clone();
        future_to_promise(async move {
            let mut guard = engine.try_borrow_mut().map_err(|_| busy())?;
            let stats = with_lane!(&mut *guard, lane => lane.train(n as usize).await).map_err(|e| JsValue::from(JsError::new(&e)))?;
            let out = Array::new();
            for s in &stats {
                out.push(&stats_to_js(s)?);
            }
            Ok(out.into())
        })
    }

    /// The generator's images for the fixed evaluation batch (64 × 784 bytes, 0 = background).
    pub fn samples(&self) -> Promise {
        let engine = self.engine.clone();
        future_to_promise(async move {
            let guard = engine.try_borrow().map_err(|_| busy())?;
            let bytes = with_lane!(&*guard, lane => lane.samples().await).map_err(|e| JsValue::from(JsError::new(&e)))?;
            Ok(Uint8Array::from(bytes.as_slice()).into())
        })
    }
}

#[wasm_bindgen]
impl TrainingLane {
    /// The generator's codes as `[categorical, continuous]` (`[0, 0]` when the objective has none).
    #[wasm_bindgen(getter)]
    pub fn codes(&self) -> Vec<u32> {
        let spec = self.engine.try_borrow().map(|e| with_lane!(&*e, l => l.g_spec())).unwrap_or_default();
        vec![spec.categorical as u32, spec.continuous as u32]
    }

    /// Code explorer grid (see `Lane::code_grid`): resolves to `categorical × cols × 784` bytes.
    #[wasm_bindgen(js_name = codeGrid)]
    pub fn code_grid(&self, z_index: u32, sweep: u32, other: f32, cols: u32) -> Promise {
        let engine = self.engine.clone();
        future_to_promise(async move {
            let guard = engine.try_borrow().map_err(|_| busy())?;
            let bytes = with_lane!(&*guard, lane => lane.code_grid(z_index as usize, sweep as usize, other, cols as usize).await)
                .map_err(|e| JsValue::from(JsError::new(&e)))?;
            Ok(Uint8Array::from(bytes.as_slice()).into())
        })
    }
}

/// Divergence, snapshots, rollback and checkpoints (see `lane/recovery.rs`).
#[wasm_bindgen]
impl TrainingLane {
    /// Rebuilds a lane on `backend` from `checkpoint()` bytes (possibly written on another backend);
    /// the config comes from the checkpoint and is validated again.
    #[wasm_bindgen(js_name = fromCheckpoint)]
    pub fn from_checkpoint(backend: &str, bytes: &[u8], data: &Dataset) -> Result<TrainingLane, JsError> {
        let err = |e: String| JsError::new(&e);
        let (engine, config) = match backend {
            "cpu" => {
                let lane = Lane::from_checkpoint(bytes, &data.train, &backend::cpu_device()).map_err(err)?;
                let config = lane.config().clone();
                (Engine::Cpu(lane), config)
            }
            "webgpu" => {
                let lane = Lane::from_checkpoint(bytes, &data.train, &backend::gpu_device()).map_err(err)?;
                let config = lane.config().clone();
                (Engine::Gpu(lane), config)
            }
            other => return Err(JsError::new(&format!("unknown backend {other:?}; expected webgpu or cpu"))),
        };
        Ok(TrainingLane { engine: Rc::new(RefCell::new(engine)), config })
    }

    /// The first non-finite step while the lane is stopped there (`undefined` while healthy).
    #[wasm_bindgen(getter, js_name = divergedAt)]
    pub fn diverged_at(&self) -> Option<u32> {
        self.engine.try_borrow().ok().and_then(|e| with_lane!(&*e, l => l.diverged_at())).map(|s| s as u32)
    }

    /// Step of the last healthy snapshot, the one `rollback` returns to.
    #[wasm_bindgen(getter, js_name = snapshotStep)]
    pub fn snapshot_step(&self) -> u32 {
        self.engine.try_borrow().map(|e| with_lane!(&*e, l => l.snapshot_step() as u32)).unwrap_or(0)
    }

    /// Takes a snapshot every `every` generator steps (at least 1; 200 by default).
    #[wasm_bindgen(js_name = setSnapshotEvery)]
    pub fn set_snapshot_every(&self, every: u32) -> Result<(), JsError> {
        let mut e = self.engine.try_borrow_mut().map_err(|_| JsError::new("lane is busy with another request"))?;
        with_lane!(&mut *e, l => l.set_snapshot_every(every as usize));
        Ok(())
    }

    /// Restores the last snapshot and clears the divergence mark; returns its step.
    pub fn rollback(&self) -> Result<u32, JsError> {
        let mut e = self.engine.try_borrow_mut().map_err(|_| JsError::new("lane is busy with another request"))?;
        Ok(with_lane!(&mut *e, l => l.rollback()) as u32)
    }

    /// The last snapshot as bytes (a `gan-lane-checkpoint` weights file), read back asynchronously.
    pub fn checkpoint(&self) -> Promise {
        let engine = self.engine.clone();
        future_to_promise(async move {
            let guard = engine.try_borrow().map_err(|_| busy())?;
            let bytes = with_lane!(&*guard, lane => lane.checkpoint().await).map_err(|e| JsValue::from(JsError::new(&e)))?;
            Ok(Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Test hook: learning rates outside the validated range (to provoke divergence).
    #[wasm_bindgen(js_name = setLearningRatesUnchecked)]
    pub fn set_learning_rates_unchecked(&self, lr_g: f64, lr_d: f64) -> Result<(), JsError> {
        let mut e = self.engine.try_borrow_mut().map_err(|_| JsError::new("lane is busy with another request"))?;
        with_lane!(&mut *e, l => l.set_learning_rates_unchecked(lr_g, lr_d));
        Ok(())
    }
}

fn busy() -> JsValue {
    JsError::new("lane is busy with another request").into()
}

fn stats_to_js(s: &StepStats) -> Result<JsValue, JsValue> {
    let diagnostics: serde_json::Map<String, serde_json::Value> =
        s.diagnostics.iter().map(|(k, v)| (k.clone(), finite_or_null(*v))).collect();
    let json = serde_json::json!({
        "step": s.step, "d_loss": finite_or_null(s.d_loss), "g_loss": finite_or_null(s.g_loss),
        "diagnostics": diagnostics, "weights_finite": s.weights_finite, "finite": s.finite,
    });
    js_sys::JSON::parse(&json.to_string())
}

/// JSON has no NaN/Infinity: non-finite values travel as null (and `finite: false`).
fn finite_or_null(v: f32) -> serde_json::Value {
    if v.is_finite() {
        serde_json::json!(v)
    } else {
        serde_json::Value::Null
    }
}
