//! WebAssembly binding of the live quality metrics: the shipped classifier scores a lane's samples
//! (classifier-feature FID against the held-out images, class histogram, classes covered) in the worker.

use wasm_bindgen::prelude::*;

use crate::backend;
use crate::data::Digits;
use crate::metrics::{self, Classifier, Reference};

/// The classifier of one dataset and the Gaussian fit of that dataset's held-out images.
#[wasm_bindgen]
pub struct QualityMeter {
    model: Classifier<burn::backend::Flex>,
    reference: Reference,
    accuracy: f64,
    real_fid: f64,
}

#[wasm_bindgen]
impl QualityMeter {
    /// Loads classifier weights (a GANWTS01 file, e.g. `data/classifier.bin`) and fits the reference
    /// on the held-out tenth of the data file the lanes train on. Damaged files are refused.
    #[wasm_bindgen(constructor)]
    pub fn new(classifier: &[u8], data: &[u8]) -> Result<QualityMeter, JsError> {
        let (model, _) = Classifier::from_bytes(classifier, &backend::cpu_device())
            .map_err(|e| JsError::new(&format!("classifier weights: {e}")))?;
        let (train, test) = Digits::parse(data).map_err(|e| JsError::new(&format!("data file: {e}")))?.split();
        let reference = Reference::new(&model, &test.images);
        let accuracy = model.accuracy(&test);
        // What a perfect generator would score: as many real training images as a live measurement
        // uses, spread evenly over the split (the data file is ordered by class).
        let n = crate::page::EVAL_SAMPLES.min(train.len());
        let px = crate::data::PIXELS;
        let real: Vec<u8> = (0..n).flat_map(|i| &train.images[i * train.len() / n * px..][..px]).copied().collect();
        let real = metrics::score(&model, &reference, &real).map_err(|e| JsError::new(&e))?;
        Ok(QualityMeter { model, reference, accuracy, real_fid: real.fid })
    }

    /// The classifier's accuracy on the held-out images (0..1).
    #[wasm_bindgen(getter)]
    pub fn accuracy(&self) -> f64 {
        self.accuracy
    }

    /// The FID of real training images (as many as a live measurement scores): the floor a lane's FID approaches.
    #[wasm_bindgen(getter, js_name = realFid)]
    pub fn real_fid(&self) -> f64 {
        self.real_fid
    }

    /// Scores `samples` (784 bytes per image, at least 2 images): `{fid, classes_covered, histogram, n}`.
    pub fn score(&self, samples: &[u8]) -> Result<JsValue, JsError> {
        let s = metrics::score(&self.model, &self.reference, samples).map_err(|e| JsError::new(&e))?;
        let json = serde_json::to_string(&s).map_err(|e| JsError::new(&e.to_string()))?;
        js_sys::JSON::parse(&json).map_err(|_| JsError::new("score does not serialise"))
    }
}
