//! A small MNIST classifier (two strided convolutions, a 64-unit feature layer, 10 logits): training on
//! the bundled digits, feature extraction for the FID, class prediction, and its weights file.

use std::future::Future;

use burn::module::{AutodiffModule, Module, ModuleMapper, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{LeakyRelu, LeakyReluConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Int, Tensor, TensorData};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::Value;

use crate::data::{BatchOrder, Digits, PIXELS, SIDE};
use crate::weights::{self, WeightsError};

/// `kind` of the classifier's weights file.
pub const KIND: &str = "mnist-classifier-v1";
/// Width of the feature layer the FID is computed on.
pub const FEATURES: usize = 64;
/// Number of classes.
pub const CLASSES: usize = 10;
/// Training batch size.
pub const BATCH: usize = 64;
/// Adam learning rate (β = (0.9, 0.999)).
pub const LR: f64 = 1e-3;
/// Images per forward pass when extracting features.
const CHUNK: usize = 500;

/// Bytes (0 = background, 255 = ink) to pixels in [-1, 1]: the same mapping `Digits::scaled` applies
/// to real digits, so real digits and generator samples are preprocessed identically.
pub fn scale(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&p| p as f32 / 127.5 - 1.0).collect()
}

/// conv 1→16 (k4 s2 p1, 28→14) → LeakyReLU(0.2) → conv 16→32 (k4 s2 p1, 14→7) → LeakyReLU(0.2)
/// → flatten (1568) → linear 64 → ReLU (the features) → linear 10 (logits).
#[derive(Module, Debug)]
pub struct Classifier<B: Backend> {
    conv1: Conv2d<B>,
    conv2: Conv2d<B>,
    fc: Linear<B>,
    out: Linear<B>,
    act: LeakyRelu,
}

fn down<B: Backend>(cin: usize, cout: usize, device: &B::Device) -> Conv2d<B> {
    Conv2dConfig::new([cin, cout], [4, 4])
        .with_stride([2, 2])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

impl<B: Backend> Classifier<B> {
    /// A classifier with burn's default initialisation (from burn's global RNG; `train` redraws it from its seed).
    pub fn new(device: &B::Device) -> Self {
        Classifier {
            conv1: down(1, 16, device),
            conv2: down(16, 32, device),
            fc: LinearConfig::new(32 * 7 * 7, FEATURES).init(device),
            out: LinearConfig::new(FEATURES, CLASSES).init(device),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }

    /// Images `[n, 1, 28, 28]` in [-1, 1] → features `[n, 64]` (after the ReLU).
    pub fn forward_features(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let [n, ..] = x.dims();
        let h = self.act.forward(self.conv1.forward(x));
        let h = self.act.forward(self.conv2.forward(h));
        relu(self.fc.forward(h.reshape([n, 32 * 7 * 7])))
    }

    /// Images → logits `[n, 10]`.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.out.forward(self.forward_features(x))
    }

    fn batch(images: &[u8], device: &B::Device) -> Tensor<B, 4> {
        let n = images.len() / PIXELS;
        Tensor::from_data(TensorData::new(scale(images), [n, 1, SIDE, SIDE]), device)
    }

    fn device(&self) -> B::Device {
        self.out.weight.val().device()
    }

    /// Features (`n × 64`, row-major) and predicted classes of `images` (784 bytes each), read back
    /// synchronously: for CPU backends, whose reads complete at once. Trailing bytes short of a whole
    /// image are ignored.
    pub fn features_and_predictions(&self, images: &[u8]) -> (Vec<f32>, Vec<u8>) {
        let future = std::pin::pin!(self.features_and_predictions_async(images));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.poll(&mut cx) {
            std::task::Poll::Ready(result) => result.expect("reading classifier outputs"),
            std::task::Poll::Pending => panic!("features_and_predictions needs a backend that reads synchronously; use the async version"),
        }
    }

    /// As `features_and_predictions`, reading back asynchronously (required on WebGPU in the browser).
    pub async fn features_and_predictions_async(&self, images: &[u8]) -> Result<(Vec<f32>, Vec<u8>), String> {
        let device = self.device();
        let (mut feats, mut preds) = (Vec::new(), Vec::new());
        for chunk in images.chunks(CHUNK * PIXELS).filter(|c| c.len() >= PIXELS) {
            let chunk = &chunk[..chunk.len() / PIXELS * PIXELS];
            let f = self.forward_features(Self::batch(chunk, &device));
            let p = self.out.forward(f.clone()).argmax(1);
            let f = f.into_data_async().await.map_err(|e| format!("reading features: {e:?}"))?;
            let p = p.into_data_async().await.map_err(|e| format!("reading classes: {e:?}"))?;
            feats.extend(f.convert::<f32>().to_vec::<f32>().map_err(|e| format!("{e:?}"))?);
            preds.extend(p.convert::<i64>().to_vec::<i64>().map_err(|e| format!("{e:?}"))?.iter().map(|&c| c as u8));
        }
        Ok((feats, preds))
    }

    /// Features of `images`, `n × 64` row-major.
    pub fn features(&self, images: &[u8]) -> Vec<f32> {
        self.features_and_predictions(images).0
    }

    /// Predicted class (0..9) of each image.
    pub fn predict(&self, images: &[u8]) -> Vec<u8> {
        self.features_and_predictions(images).1
    }

    /// Share of `digits` classified correctly.
    pub fn accuracy(&self, digits: &Digits) -> f64 {
        let pred = self.predict(&digits.images);
        let right = pred.iter().zip(&digits.labels).filter(|(p, l)| p == l).count();
        right as f64 / digits.len().max(1) as f64
    }

    /// The weights file (`crate::weights` format, kind `KIND`) with the caller's `meta`.
    pub fn to_bytes(&self, meta: Value) -> Result<Vec<u8>, WeightsError> {
        weights::save(self, KIND, meta)
    }

    /// Loads a weights file written by `to_bytes`; returns the classifier and the file's `meta`.
    pub fn from_bytes(bytes: &[u8], device: &B::Device) -> Result<(Self, Value), WeightsError> {
        weights::load(Classifier::new(device), bytes, KIND)
    }
}

/// Mean cross-entropy of `logits` `[n, 10]` against class `labels` `[n]`, through log-softmax
/// (never softmax-then-log).
pub fn cross_entropy<B: Backend>(logits: Tensor<B, 2>, labels: Tensor<B, 1, Int>) -> Tensor<B, 1> {
    let [n, _] = logits.dims();
    let picked = log_softmax(logits, 1).gather(1, labels.reshape([n, 1]));
    picked.mean().neg()
}

/// Trains a classifier on `digits` for `epochs` passes (batch 64, Adam lr 1e-3), reproducibly from
/// `seed`. `on_epoch(epoch, mean_loss)` is called after each pass.
pub fn train<B: AutodiffBackend>(
    digits: &Digits,
    epochs: usize,
    seed: u64,
    device: &B::Device,
    mut on_epoch: impl FnMut(usize, f64),
) -> Classifier<B> {
    let mut model = Classifier::<B>::new(device).map(&mut SeededInit { rng: StdRng::seed_from_u64(seed), fan_in: 1 });
    let images = Tensor::<B, 2>::from_data(TensorData::new(scale(&digits.images), [digits.len(), PIXELS]), device);
    let labels: Vec<i64> = digits.labels.iter().map(|&l| l as i64).collect();
    let labels = Tensor::<B, 1, Int>::from_data(TensorData::new(labels, [digits.len()]), device);
    let mut order = BatchOrder::new(digits.len(), seed);
    let mut opt = AdamConfig::new().init();
    let steps = digits.len().div_ceil(BATCH);
    for epoch in 1..=epochs {
        let mut losses = Vec::with_capacity(steps);
        for _ in 0..steps {
            let idx: Vec<i64> = order.next(BATCH).into_iter().map(|i| i as i64).collect();
            let idx = Tensor::<B, 1, Int>::from_data(TensorData::new(idx, [BATCH]), device);
            let x = images.clone().select(0, idx.clone()).reshape([BATCH, 1, SIDE, SIDE]);
            let loss = cross_entropy(model.forward(x), labels.clone().select(0, idx));
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = opt.step(LR, model, grads);
            losses.push(loss.inner());
        }
        let mean = Tensor::cat(losses, 0).mean().into_data().convert::<f32>().to_vec::<f32>().expect("f32 loss");
        on_epoch(epoch, f64::from(mean[0]));
    }
    model
}

/// Redraws every parameter from `U(-1/√fan_in, 1/√fan_in)` (the distribution of burn's default
/// initialiser) with our own seeded generator, so training is reproducible whatever else draws from
/// burn's global RNG meanwhile (parallel tests, other lanes). Layers are visited weight then bias; a
/// bias takes the fan-in of the weight before it.
struct SeededInit {
    rng: StdRng,
    fan_in: usize,
}

impl<B: Backend> ModuleMapper<B> for SeededInit {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let (id, old, mapper) = param.consume();
        let dims = old.dims();
        self.fan_in = match D {
            4 => dims[1..].iter().product(), // conv weight [out, in, kh, kw]
            2 => dims[0],                    // linear weight [in, out]
            _ => self.fan_in,                // bias
        };
        let bound = 1.0 / (self.fan_in as f32).sqrt();
        let n = dims.iter().product::<usize>();
        let values: Vec<f32> = (0..n).map(|_| self.rng.random_range(-bound..bound)).collect();
        let t = Tensor::<B, D>::from_data(TensorData::new(values, dims), &old.device()).set_require_grad(old.is_require_grad());
        Param::from_mapped_value(id, t, mapper)
    }
}

/// The inference-only copy of a trained classifier.
pub fn inference<B: AutodiffBackend>(model: &Classifier<B>) -> Classifier<B::InnerBackend> {
    model.valid()
}
