//! WebAssembly binding of one training lane (`TrainingLane`): training (all phases), samples,
//! evaluation, views, recovery and checkpoints, on the CPU or WebGPU backend.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Array, Float32Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::Dataset;
use crate::backend::{Choice, Cpu};
#[cfg(feature = "gpu")]
use crate::backend::Gpu;
use crate::config::TrainConfig;
use crate::lane::{Lane, Phase, StepStats};
use crate::recovery::Recoverable;
use crate::snapshot::CHECKPOINT_KIND;
use crate::weights;

enum Engine {
    Cpu(Lane<Cpu>),
    #[cfg(feature = "gpu")]
    Gpu(Lane<Gpu>),
}

impl From<Lane<Cpu>> for Engine {
    fn from(lane: Lane<Cpu>) -> Self {
        Engine::Cpu(lane)
    }
}

#[cfg(feature = "gpu")]
impl From<Lane<Gpu>> for Engine {
    fn from(lane: Lane<Gpu>) -> Self {
        Engine::Gpu(lane)
    }
}

/// Runs `$body` with `$lane` bound to whichever backend's lane the engine holds.
macro_rules! with_lane {
    ($engine:expr, $lane:ident => $body:expr) => {
        match $engine {
            Engine::Cpu($lane) => $body,
            #[cfg(feature = "gpu")]
            Engine::Gpu($lane) => $body,
        }
    };
}

/// One training lane on the CPU or WebGPU backend. Methods returning promises must not overlap.
#[wasm_bindgen]
pub struct TrainingLane {
    engine: Rc<RefCell<Engine>>,
    config: TrainConfig,
    /// The curves a checkpoint carried (JSON text; empty when none).
    curves: String,
    /// The data set the lane trains on (recorded in its checkpoints), when the page said.
    dataset: Option<String>,
    /// For a lane restored from a checkpoint: whether a checksum verified it ("verified" or "none").
    checksum: Option<&'static str>,
    /// What to tell the user about the checkpoint it was restored from (`Summary::notice`).
    notice: Option<&'static str>,
}

fn busy() -> JsValue {
    JsError::new("lane is busy with another request").into()
}

fn js_err(e: String) -> JsValue {
    JsError::new(&e).into()
}

/// A promise of bytes from the lane: `read` borrows it (shared) and produces them asynchronously.
fn bytes_promise<F, Fut>(engine: &Rc<RefCell<Engine>>, read: F) -> Promise
where
    F: FnOnce(Rc<RefCell<Engine>>) -> Fut + 'static,
    Fut: Future<Output = Result<Vec<u8>, String>> + 'static,
{
    let engine = engine.clone();
    future_to_promise(async move {
        if engine.try_borrow().is_err() {
            return Err(busy());
        }
        let bytes = read(engine).await.map_err(js_err)?;
        Ok(Uint8Array::from(bytes.as_slice()).into())
    })
}

#[wasm_bindgen]
impl TrainingLane {
    /// Builds a lane. `backend` is `"webgpu"` (after `initWebGpu`) or `"cpu"`; `config` is JSON
    /// validated by the same rules as `validateConfig`; `dataset` (optional: `"mnist"`, `"fashion"`)
    /// names the data set, recorded in the lane's checkpoints.
    #[wasm_bindgen(constructor)]
    pub fn new(backend: &str, config: &str, data: &Dataset, dataset: Option<String>) -> Result<TrainingLane, JsError> {
        let cfg = TrainConfig::from_json(config).map_err(|errs| {
            JsError::new(&crate::params::describe(&errs, "; "))
        })?;
        let choice = parse_backend(backend)?;
        let engine = crate::on_backend!(choice, B, device => Engine::from(Lane::<B>::new(cfg.clone(), &data.train, device).map_err(|e| JsError::new(&e))?));
        Ok(TrainingLane { engine: Rc::new(RefCell::new(engine)), config: cfg, curves: String::new(), dataset, checksum: None, notice: None })
    }

    /// Rebuilds a lane on `backend` from checkpoint bytes (`checkpoint()` or `save()`, possibly written
    /// on another backend or by the CLI); the config comes from the checkpoint and is validated again.
    /// `dataset` (optional) is the page's data set: a checkpoint that records another is refused.
    /// Refusals are `Error`s with a plain-words `message` and `code`, `detail`, `checkpointDataset`,
    /// `pageDataset` (see `refusal`).
    #[wasm_bindgen(js_name = fromCheckpoint)]
    pub fn from_checkpoint(backend: &str, bytes: &[u8], data: &Dataset, dataset: Option<String>) -> Result<TrainingLane, JsValue> {
        let choice = parse_backend(backend)?;
        let summary = weights::vet(bytes, CHECKPOINT_KIND, dataset.as_deref()).map_err(|r| refusal(&r))?;
        let dataset = dataset.or_else(|| summary.dataset().map(str::to_string));
        let err = |e: String| refusal(&weights::Refused::incompatible(&e));
        let (engine, config, curves) = crate::on_backend!(choice, B, device => {
            let (lane, curves) = Lane::<B>::from_checkpoint_with_curves(bytes, &data.train, device).map_err(err)?;
            let config = lane.config().clone();
            (Engine::from(lane), config, curves)
        });
        let curves = curves.map(|c| c.to_string()).unwrap_or_default();
        let (checksum, notice) = (Some(summary.integrity.as_str()), summary.notice());
        Ok(TrainingLane { engine: Rc::new(RefCell::new(engine)), config, curves, dataset, checksum, notice })
    }

    /// The data set the lane trains on, as given to the constructor or `fromCheckpoint` (or, when the
    /// page gave none, the one its checkpoint recorded); `undefined` when unknown.
    #[wasm_bindgen(getter)]
    pub fn dataset(&self) -> Option<String> {
        self.dataset.clone()
    }

    /// For a lane restored from a checkpoint: `"verified"` (its checksum matched) or `"none"` (an
    /// older file without a checksum: show `checkpointNotice`); `undefined` for a new lane.
    #[wasm_bindgen(getter, js_name = checkpointChecksum)]
    pub fn checkpoint_checksum(&self) -> Option<String> {
        self.checksum.map(str::to_string)
    }

    /// A plain-words notice when the checkpoint had no checksum or was compact (f16 weights, no
    /// optimizer state); `undefined` otherwise.
    #[wasm_bindgen(getter, js_name = checkpointNotice)]
    pub fn checkpoint_notice(&self) -> Option<String> {
        self.notice.map(str::to_string)
    }

    /// The validated configuration as JSON.
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> String {
        self.config.to_json()
    }

    /// The curves the checkpoint this lane was restored from carried, as JSON text ("" if none).
    #[wasm_bindgen(getter, js_name = curvesJson)]
    pub fn curves_json(&self) -> String {
        self.curves.clone()
    }

    /// Generator steps completed.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> u32 {
        self.engine.try_borrow().map(|e| with_lane!(&*e, l => l.steps() as u32)).unwrap_or(0)
    }

    /// Runs `n` generator steps, then reads all their statistics back in one transfer.
    /// Resolves to an array of `{step, phase, d_loss, g_loss, diagnostics: {name: value}, weights_finite, finite}`;
    /// it ends at the first step whose values are not finite, and the lane is then diverged
    /// (`divergedAt`): training rejects until `rollback`.
    pub fn train(&self, n: u32) -> Promise {
        self.run_phase(n, Phase::Both)
    }

    /// `train` for one phase: `"d"` (only the discriminator's updates of a generator step), `"g"`
    /// (only the generator's update) or `"both"`. Values a phase does not compute are null.
    #[wasm_bindgen(js_name = trainPhase)]
    pub fn train_phase(&self, n: u32, phase: &str) -> Result<Promise, JsError> {
        let phase = Phase::parse(phase).map_err(|e| JsError::new(&e))?;
        Ok(self.run_phase(n, phase))
    }

    fn run_phase(&self, n: u32, phase: Phase) -> Promise {
        let engine = self.engine.clone();
        future_to_promise(async move {
            let mut guard = engine.try_borrow_mut().map_err(|_| busy())?;
            let stats = with_lane!(&mut *guard, lane => lane.train_phase(n as usize, phase).await).map_err(js_err)?;
            let out = Array::new();
            for s in &stats {
                out.push(&stats_to_js(s)?);
            }
            Ok(out.into())
        })
    }

    /// The generator's images for the fixed evaluation batch (64 × 784 bytes, 0 = background).
    pub fn samples(&self) -> Promise {
        bytes_promise(&self.engine, |e| async move { with_lane!(&*e.borrow(), lane => lane.samples().await) })
    }

    /// `k` fresh samples from the lane's evaluation noise (training is not disturbed) and the
    /// discriminator's scores of `k` real images and of those samples:
    /// `{samples: Uint8Array(k × 784), dReal: Float32Array(k), dFake: Float32Array(k)}`.
    pub fn evaluate(&self, k: u32) -> Promise {
        let engine = self.engine.clone();
        future_to_promise(async move {
            let mut guard = engine.try_borrow_mut().map_err(|_| busy())?;
            let ev = with_lane!(&mut *guard, lane => lane.evaluate(k as usize).await).map_err(js_err)?;
            let out = js_sys::Object::new();
            js_sys::Reflect::set(&out, &"samples".into(), &Uint8Array::from(ev.samples.as_slice()))?;
            js_sys::Reflect::set(&out, &"dReal".into(), &Float32Array::from(ev.d_real.as_slice()))?;
            js_sys::Reflect::set(&out, &"dFake".into(), &Float32Array::from(ev.d_fake.as_slice()))?;
            Ok(out.into())
        })
    }

    /// The generator along the great circle from fixed sample `a` to `b` (below 64): `frames` (2 to
    /// 32) images, `frames × 784` bytes.
    pub fn interpolate(&self, a: u32, b: u32, frames: u32) -> Promise {
        bytes_promise(&self.engine, move |e| async move {
            with_lane!(&*e.borrow(), lane => lane.interpolate(a as usize, b as usize, frames as usize).await)
        })
    }

    /// The generator's codes as `[categorical, continuous]` (`[0, 0]` when the objective has none).
    #[wasm_bindgen(getter)]
    pub fn codes(&self) -> Vec<u32> {
        let spec = self.engine.try_borrow().map(|e| with_lane!(&*e, l => l.g_spec())).unwrap_or_default();
        vec![spec.categorical as u32, spec.continuous as u32]
    }

    /// Code explorer grid (see `Lane::code_grid`): resolves to `categorical × cols × 784` bytes.
    #[wasm_bindgen(js_name = codeGrid)]
    pub fn code_grid(&self, z_index: u32, sweep: u32, other: f32, cols: u32) -> Promise {
        bytes_promise(&self.engine, move |e| async move {
            with_lane!(&*e.borrow(), lane => lane.code_grid(z_index as usize, sweep as usize, other, cols as usize).await)
        })
    }
}

/// Divergence, snapshots, rollback and checkpoints (see `lane/recovery.rs`).
#[wasm_bindgen]
impl TrainingLane {
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
    pub fn set_snapshot_every(&self, every: u32) -> Result<(), JsValue> {
        let mut e = self.engine.try_borrow_mut().map_err(|_| busy())?;
        with_lane!(&mut *e, l => l.set_snapshot_every(every as usize));
        Ok(())
    }

    /// Restores the last snapshot and clears the divergence mark; returns its step.
    pub fn rollback(&self) -> Result<u32, JsValue> {
        let mut e = self.engine.try_borrow_mut().map_err(|_| busy())?;
        Ok(with_lane!(&mut *e, l => l.rollback()) as u32)
    }

    /// The last snapshot as bytes (a `gan-lane-checkpoint` weights file), read back asynchronously.
    pub fn checkpoint(&self) -> Promise {
        let dataset = self.dataset.clone();
        bytes_promise(&self.engine, |e| async move { with_lane!(&*e.borrow(), lane => lane.checkpoint_for(dataset.as_deref()).await) })
    }

    /// A checkpoint of the lane now (its last healthy snapshot while diverged) carrying `curves_json`
    /// (the page's curves as JSON text; "" for none).
    pub fn save(&self, curves_json: &str) -> Result<Promise, JsError> {
        let curves = if curves_json.is_empty() {
            None
        } else {
            Some(serde_json::from_str::<serde_json::Value>(curves_json).map_err(|e| JsError::new(&format!("save: curves are not JSON ({e})")))?)
        };
        let dataset = self.dataset.clone();
        Ok(bytes_promise(&self.engine, move |e| async move {
            with_lane!(&*e.borrow(), lane => lane.save_for(curves.as_ref(), dataset.as_deref()).await)
        }))
    }

    /// Test hook: learning rates outside the validated range (to provoke divergence).
    #[wasm_bindgen(js_name = setLearningRatesUnchecked)]
    pub fn set_learning_rates_unchecked(&self, lr_g: f64, lr_d: f64) -> Result<(), JsValue> {
        let mut e = self.engine.try_borrow_mut().map_err(|_| busy())?;
        with_lane!(&mut *e, l => l.set_learning_rates_unchecked(lr_g, lr_d));
        Ok(())
    }
}

/// Checks checkpoint bytes without building a lane (structure, checksum, kind, and `dataset`, the
/// page's data set, when given). Resolves to `{format, checksum: "verified"|"none", dataset, step,
/// config, notice}` (`dataset`, `notice` possibly null); throws the same refusals as `fromCheckpoint`.
#[wasm_bindgen(js_name = inspectCheckpoint)]
pub fn inspect_checkpoint(bytes: &[u8], dataset: Option<String>) -> Result<JsValue, JsValue> {
    let s = weights::vet(bytes, CHECKPOINT_KIND, dataset.as_deref()).map_err(|r| refusal(&r))?;
    let notice = s.notice();
    let json = serde_json::json!({
        "format": s.format, "checksum": s.integrity.as_str(), "dataset": s.dataset(),
        "step": s.meta.get("step"), "config": s.meta.get("config"), "notice": notice,
    });
    js_sys::JSON::parse(&json.to_string())
}

/// A refusal as a JS `Error`: `message` in plain words, and `code` (`not-a-checkpoint`, `too-large`,
/// `damaged`, `other-version`, `incompatible`, `dataset-mismatch`), `detail` (technical),
/// `checkpointDataset`, `pageDataset` (set for `dataset-mismatch`).
fn refusal(r: &weights::Refused) -> JsValue {
    let e = js_sys::Error::new(&r.message);
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&e, &k.into(), &v);
    };
    set("code", r.code.into());
    set("detail", r.detail.as_str().into());
    set("checkpointDataset", r.file_dataset.as_deref().map_or(JsValue::UNDEFINED, Into::into));
    set("pageDataset", r.page_dataset.as_deref().map_or(JsValue::UNDEFINED, Into::into));
    e.into()
}

/// `"webgpu"` (after `initWebGpu`) or `"cpu"`.
fn parse_backend(name: &str) -> Result<Choice, JsError> {
    Choice::parse(name, "webgpu").map_err(|e| JsError::new(&e))
}

fn stats_to_js(s: &StepStats) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&s.to_json().to_string())
}
