//! Wasserstein GAN with weight clipping: a critic without sigmoid, every critic parameter clamped to
//! [-c, c] after each critic step, RMSprop without momentum, `n_critic` critic steps per generator step.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{backend::AutodiffBackend, backend::Backend, Tensor};

use super::losses::Flat;
use super::{raw_score, unbounded, Fake, Loss, Objective, ObjectiveInfo, OptimizerKind, ParamSpec, Registered, StepContext, Params};
use crate::model::Discriminator;

/// `L_D = E[f(G(z))] - E[f(x)]`, `L_G = -E[f(G(z))]`.
pub struct Wgan {
    clip: f64,
    n_critic: usize,
    warmup: bool,
}

impl Registered for Wgan {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "wgan",
        name: "WGAN (weight clipping)",
        short: "WGAN",
        summary: "L_D = E[f(G(z))] - E[f(x)], then clamp every critic weight to [-c, c]; L_G = -E[f(G(z))]",
        params: &[
            ParamSpec { key: "clip", label: "clip value c", default: 0.01, min: 1e-4, max: 1.0, toggle: false, integer: false, help: "Every critic parameter is clamped to [-c, c] after each critic step." },
            ParamSpec { key: "n_critic", label: "critic steps per G step", default: 5.0, min: 1.0, max: 100.0, toggle: false, integer: true, help: "Critic updates before each generator update." },
            ParamSpec { key: "warmup", label: "original warm-up schedule", default: 0.0, min: 0.0, max: 1.0, toggle: true, integer: false, help: "100 critic steps for the first 25 generator steps and every 500th, as in the WGAN paper's code." },
        ],
        d_diagnostics: &["w_estimate", "clip_fraction"],
        g_diagnostics: &[],
        lr_default: 5e-5,
        presets: &[],
        d_score: unbounded("critic value f(x) (higher = more real)"),
        score_caption: super::CAPTION_BATCHNORM,
    };

    fn from_params(p: &Params) -> Self {
        Wgan {
            clip: p.get("clip"),
            n_critic: p.count("n_critic"),
            warmup: p.on("warmup"),
        }
    }
}

impl<B: AutodiffBackend> Objective<B> for Wgan {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    fn d_steps(&self, g_step: usize) -> usize {
        if self.warmup && (g_step < 25 || g_step % 500 == 0) {
            100
        } else {
            self.n_critic
        }
    }

    fn optimizer(&self) -> OptimizerKind {
        OptimizerKind::RmsProp
    }

    /// The raw critic value `f(x)`: higher means "more real"; only differences mean something.
    fn d_score(&self, d: &Discriminator<B::InnerBackend>, images: Tensor<B::InnerBackend, 4>) -> Tensor<B::InnerBackend, 1> {
        raw_score(d, images)
    }

    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let (fr, ff) = (d.forward(real).flat_mean(), d.forward(fake.images).flat_mean());
        let value = ff - fr;
        // The fraction of weights at the bound, measured on the critic as it enters this step
        // (i.e. right after the previous clamp).
        let diagnostics = vec![("w_estimate", value.clone().detach().neg()), ("clip_fraction", clip_fraction(d, self.clip))];
        Loss { value, diagnostics }
    }

    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        Loss { value: d.forward(fake.images).flat_mean().neg(), diagnostics: vec![] }
    }

    fn d_weight_clip(&self) -> Option<f64> {
        Some(self.clip)
    }
}

/// Fraction of all trainable float parameters with |w| at the clip bound (above it less 1e-6 relative).
/// Each tensor's count is one (fused) reduction, and the counts (`[1]` each) are added in one run of
/// element-wise adds after the last, which fuse into one kernel; a `cat` of them cost one copy kernel
/// per tensor on the GPU (5 critic steps × 6 tensors per MLP generator step).
pub fn clip_fraction<B: Backend, M: Module<B>>(module: &M, c: f64) -> Tensor<B, 1> {
    let mut counter = AtBound::<B> { bound: c * (1.0 - 1e-6), at: Vec::new(), total: 0 };
    module.visit(&mut counter);
    match counter.at.into_iter().reduce(|a, b| a + b) {
        Some(at) => at.div_scalar(counter.total as f64),
        None => Tensor::zeros([1], &module.devices().first().cloned().unwrap_or_default()),
    }
}

struct AtBound<B: Backend> {
    bound: f64,
    /// The number of weights at the bound, per tensor, `[1]` each.
    at: Vec<Tensor<B, 1>>,
    total: usize,
}

impl<B: Backend> ModuleVisitor<B> for AtBound<B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        let w = param.val();
        if !w.is_require_grad() {
            return; // running statistics, not weights
        }
        self.total += w.shape().num_elements();
        // 1 where |w| > bound, else 0, in float operations only (on the GPU the cast of a comparison's
        // mask to float is a kernel of its own, outside the fused ones). Exact: |w| - bound is exact
        // near the bound (Sterbenz) and, when positive, at least an f32 spacing of the bound (≥ 7e-12
        // for c ≥ 1e-4), which the factor lifts past 1; far from it the sign is all that matters.
        self.at.push(w.detach().abs().sub_scalar(self.bound).mul_scalar(1e30).clamp(0.0, 1.0).flat_sum());
    }
}
