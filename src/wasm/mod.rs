//! WebAssembly bindings for the Web Worker: backend start-up, the data set, lanes, statistics, samples.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

#[cfg(feature = "gpu")]
use crate::backend;
use crate::config::TrainConfig;
use crate::data::Digits;
use crate::objective;

mod hooks;
mod lane;
mod plane;
mod quality;

/// `initThreadPool(n)` in the `threads` build (bench/threads.sh): rayon's pool on `n` Web Workers that
/// share this module's memory; the worker calls it when the page is cross-origin isolated.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Every objective's description (id, name, formulas, parameter specs, diagnostics) as JSON.
#[wasm_bindgen(js_name = objectives)]
pub fn objectives_json() -> String {
    serde_json::to_string(&objective::all()).expect("objective info serialises")
}

/// Every objective's teaching text and the glossary (`explain::explainers_json`) as JSON:
/// `{"objectives": [...], "glossary": [...]}`.
#[wasm_bindgen(js_name = explainers)]
pub fn explainers_json() -> String {
    crate::explain::explainers_json()
}

/// The page's limits and defaults (`page::limits`) as JSON.
#[wasm_bindgen(js_name = limits)]
pub fn limits_json() -> String {
    crate::page::limits().to_string()
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
#[cfg(feature = "gpu")]
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

/// The CPU-only `threads` build has no WebGPU backend: it refuses (the worker does not ask it; the
/// export stays so that the worker's imports are those of the ordinary build).
#[cfg(not(feature = "gpu"))]
#[wasm_bindgen(js_name = initWebGpu)]
pub async fn init_webgpu(_on_device_lost: js_sys::Function) -> Result<String, JsError> {
    Err(JsError::new("this module is the CPU-only threads build: it has no WebGPU backend"))
}

/// The bundled digits, parsed once and shared by every lane (training split only).
#[wasm_bindgen]
pub struct Dataset {
    pub(crate) train: Rc<Digits>,
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

    /// The first `n` training images (n × 784 bytes, 0 = background, 255 = ink; `n` at most the set's
    /// size), for the page's model overview.
    #[wasm_bindgen(js_name = firstImages)]
    pub fn first_images(&self, n: u32) -> Vec<u8> {
        let n = (n as usize).min(self.train.len());
        self.train.images[..n * crate::data::PIXELS].to_vec()
    }

    /// Training images per class 0..9.
    #[wasm_bindgen(js_name = classCounts)]
    pub fn class_counts(&self) -> Vec<u32> {
        self.counts.clone()
    }
}

