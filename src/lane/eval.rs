//! Evaluating a lane without disturbing its training: fresh samples, D's scores, latent interpolation.

use burn::module::AutodiffModule;
use burn::tensor::{backend::AutodiffBackend, Int, Tensor, TensorData};
use rand::seq::index;
use rand::Rng;

use super::{latent_values, Lane, GRID};
use crate::readback::read_f32;
use crate::data::{PIXELS, SIDE};

/// Most images one `evaluate` call scores (of each kind).
pub const MAX_EVAL: usize = 4096;
/// Frames `interpolate` draws: at least 2 (the endpoints), at most 32.
pub const FRAMES: (usize, usize) = (2, 32);

/// `k` generated images and the discriminator's scores (`ObjectiveInfo::d_score`) of `k` real
/// training images and of those `k` fakes.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// `k × 784` bytes (0 = background), as `render::to_bytes`.
    pub samples: Vec<u8>,
    pub d_real: Vec<f32>,
    pub d_fake: Vec<f32>,
}

impl<B: AutodiffBackend> Lane<B> {
    /// `k` samples from fresh latent vectors, `k × 784` bytes. They come from the lane's evaluation
    /// stream, so drawing them leaves the training run unchanged.
    pub async fn fresh_samples(&mut self, k: usize) -> Result<Vec<u8>, String> {
        let g = self.state.g.valid();
        let mut out = Vec::with_capacity(k * PIXELS);
        for start in (0..k).step_by(GRID) {
            let z = self.eval_inputs(GRID.min(k - start));
            out.extend(crate::render::to_bytes(&read_f32(g.forward(z), "samples").await?));
        }
        Ok(out)
    }

    /// `k` (1 to `MAX_EVAL`) fresh samples and D's scores of them and of `k` real training images
    /// (distinct while `k` does not exceed the training set), all drawn from the evaluation stream.
    /// Both networks run in inference mode, so the training run is unchanged; one read-back.
    pub async fn evaluate(&mut self, k: usize) -> Result<Evaluation, String> {
        if !(1..=MAX_EVAL).contains(&k) {
            return Err(format!("evaluate: k must be 1 to {MAX_EVAL} images, got {k}"));
        }
        let z = self.eval_inputs(k);
        let n = self.images.dims()[0];
        let picks: Vec<i64> = if k <= n {
            index::sample(&mut self.state.eval_rng, n, k).into_iter().map(|i| i as i64).collect()
        } else {
            (0..k).map(|_| self.state.eval_rng.random_range(0..n) as i64).collect()
        };
        let picks = Tensor::<B::InnerBackend, 1, Int>::from_data(TensorData::new(picks, [k]), &self.device);
        let real = self.images.clone().inner().select(0, picks).reshape([k, 1, SIDE, SIDE]);
        let (g, d) = (self.state.g.valid(), self.state.d.valid());
        let (mut images, mut fake_scores, mut real_scores) = (Vec::new(), Vec::new(), Vec::new());
        for start in (0..k).step_by(GRID) {
            let m = GRID.min(k - start);
            let fake = g.forward(z.clone().narrow(0, start, m));
            fake_scores.push(self.objective.d_score(&d, fake.clone()));
            real_scores.push(self.objective.d_score(&d, real.clone().narrow(0, start, m)));
            images.push(fake.reshape([m * PIXELS]));
        }
        let all = Tensor::cat(images.into_iter().chain(fake_scores).chain(real_scores).collect(), 0);
        let v = read_f32(all, "evaluation").await?;
        let (pixels, scores) = v.split_at(k * PIXELS);
        let (d_fake, d_real) = scores.split_at(k);
        Ok(Evaluation { samples: crate::render::to_bytes(pixels), d_real: d_real.to_vec(), d_fake: d_fake.to_vec() })
    }

    /// `frames` images on the way from the fixed sample `a` to the fixed sample `b` (indexes below
    /// `GRID`): the latent parts spherically interpolated (`slerp`), any codes linearly, at
    /// `t = 0, 1/(frames-1), ..., 1`. `frames × 784` bytes.
    pub async fn interpolate(&self, a: usize, b: usize, frames: usize) -> Result<Vec<u8>, String> {
        if a >= GRID || b >= GRID || !(FRAMES.0..=FRAMES.1).contains(&frames) {
            return Err(format!(
                "interpolate: sample indexes must be below {GRID} (got {a} and {b}) and frames {} to {} (got {frames})",
                FRAMES.0, FRAMES.1
            ));
        }
        let latent = self.config.latent;
        let width = latent + self.objective.g_spec().codes();
        let row = |i: usize| &self.fixed_host[i * width..(i + 1) * width];
        let (ra, rb) = (row(a), row(b));
        let mut v = Vec::with_capacity(frames * width);
        for j in 0..frames {
            let t = j as f64 / (frames - 1) as f64;
            v.extend(slerp(&ra[..latent], &rb[..latent], t));
            v.extend(ra[latent..].iter().zip(&rb[latent..]).map(|(&x, &y)| (x as f64 + t * (y as f64 - x as f64)) as f32));
        }
        let input = Tensor::<B::InnerBackend, 2>::from_data(TensorData::new(v, [frames, width]), &self.device);
        Ok(crate::render::to_bytes(&read_f32(self.state.g.valid().forward(input), "interpolation").await?))
    }

    /// `n` generator inputs from the evaluation stream, on the device.
    fn eval_inputs(&mut self, n: usize) -> Tensor<B::InnerBackend, 2> {
        let spec = self.objective.g_spec();
        let v = latent_values(&mut self.state.eval_rng, n, self.config.latent, spec);
        Tensor::from_data(TensorData::new(v, [n, self.config.latent + spec.codes()]), &self.device)
    }
}

/// Spherical interpolation (Shoemake; White 2016 for GAN latents) from `a` (t = 0) to `b` (t = 1):
/// `sin((1-t)ω)/sin ω · a + sin(tω)/sin ω · b`, `ω` the angle between them, computed in f64. Equal-norm
/// endpoints give points of that same norm, on the great circle between them. Nearly parallel or
/// opposite vectors (sin ω < 1e-6), or a zero vector, fall back to linear interpolation.
pub fn slerp(a: &[f32], b: &[f32], t: f64) -> Vec<f32> {
    let dot: f64 = a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64).sum();
    let norm = |v: &[f32]| v.iter().map(|&x| (x as f64).powi(2)).sum::<f64>().sqrt();
    let (na, nb) = (norm(a), norm(b));
    let (wa, wb) = if na == 0.0 || nb == 0.0 {
        (1.0 - t, t)
    } else {
        let omega = (dot / (na * nb)).clamp(-1.0, 1.0).acos();
        let s = omega.sin();
        if s < 1e-6 {
            (1.0 - t, t)
        } else {
            (((1.0 - t) * omega).sin() / s, (t * omega).sin() / s)
        }
    };
    a.iter().zip(b).map(|(&x, &y)| (wa * x as f64 + wb * y as f64) as f32).collect()
}
