//! WGAN with gradient penalty: a critic without BatchNorm whose input gradient at random
//! interpolates between real and fake images is pushed towards norm 1 (two-sided), Adam, `n_critic`.

use burn::tensor::{backend::AutodiffBackend, backend::Backend, Distribution, Tensor};

use super::losses::Flat;
use super::{raw_score, unbounded, Fake, Loss, Objective, ObjectiveInfo, OptimizerKind, ParamSpec, Registered, StepContext, Params};
use crate::model::{DSpec, Discriminator};

/// `L_D = E[f(G(z))] - E[f(x)] + λ·E[(‖∇f(x̂)‖ - 1)²]`, `L_G = -E[f(G(z))]`.
pub struct WganGp {
    lambda: f64,
    n_critic: usize,
}

impl Registered for WganGp {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "wgan-gp",
        name: "WGAN-GP (gradient penalty)",
        short: "WGAN-GP",
        summary: "L_D = E[f(G(z))] - E[f(x)] + λ·E[(‖∇f(x̂)‖₂ - 1)²], x̂ = εx + (1-ε)G(z); L_G = -E[f(G(z))]",
        params: &[
            ParamSpec { key: "lambda", label: "penalty weight λ", default: 10.0, min: 0.0, max: 1000.0, toggle: false, integer: false, help: "Weight of the two-sided gradient penalty." },
            ParamSpec { key: "n_critic", label: "critic steps per G step", default: 5.0, min: 1.0, max: 100.0, toggle: false, integer: true, help: "Critic updates before each generator update." },
        ],
        d_diagnostics: &["w_estimate", "gradient_penalty", "grad_norm"],
        g_diagnostics: &[],
        lr_default: 1e-4,
        presets: &[],
        d_score: unbounded("critic value f(x) (higher = more real)"),
        score_caption: super::CAPTION_NO_BATCHNORM,
    };

    fn from_params(p: &Params) -> Self {
        WganGp { lambda: p.get("lambda"), n_critic: p.count("n_critic") }
    }
}

/// Per-sample squared input-gradient norms `‖∇ₓf(x)‖²` of the critic at `x`, `[n]`, differentiable
/// in the weights.
pub fn input_grad_sq_norms<B: Backend>(d: &Discriminator<B>, x: Tensor<B, 4>) -> Tensor<B, 1> {
    let (_, grad) = d.score_with_input_grad(x);
    let [n, ..] = grad.dims();
    grad.reshape([n as i32, -1]).powi_scalar(2).sum_dim(1).reshape([n])
}

/// The two-sided penalty `E[(‖∇f(x̂)‖ - 1)²]` at `x̂ = εx + (1-ε)x̃` with one ε per sample given
/// as `[n, 1, 1, 1]`, and the mean gradient norm.
pub fn gradient_penalty<B: Backend>(
    d: &Discriminator<B>,
    real: Tensor<B, 4>,
    fake: Tensor<B, 4>,
    eps: Tensor<B, 4>,
) -> (Tensor<B, 1>, Tensor<B, 1>) {
    let mix = real * eps.clone() + fake * eps.neg().add_scalar(1.0);
    // The tiny offset keeps the square root differentiable at a zero gradient.
    let norms = input_grad_sq_norms(d, mix).add_scalar(1e-12).sqrt();
    (norms.clone().sub_scalar(1.0).powi_scalar(2).flat_mean(), norms.flat_mean())
}

impl<B: AutodiffBackend> Objective<B> for WganGp {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    fn d_spec(&self) -> DSpec {
        DSpec { batchnorm: false, ..DSpec::default() }
    }

    fn d_steps(&self, _: usize) -> usize {
        self.n_critic
    }

    /// The paper's Adam setting, β = (0, 0.9).
    fn optimizer(&self) -> OptimizerKind {
        OptimizerKind::Adam { beta_1: 0.0, beta_2: 0.9 }
    }

    /// The raw critic value `f(x)`: higher means "more real"; only differences mean something.
    fn d_score(&self, d: &Discriminator<B::InnerBackend>, images: Tensor<B::InnerBackend, 4>) -> Tensor<B::InnerBackend, 1> {
        raw_score(d, images)
    }

    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, ctx: &mut StepContext) -> Loss<B> {
        let [n, ..] = real.dims();
        let eps = ctx.sample([n, 1, 1, 1], Distribution::Uniform(0.0, 1.0), &real.device());
        let (penalty, mean_norm) = gradient_penalty(d, real.clone(), fake.images.clone(), eps);
        let (fr, ff) = (d.forward(real).flat_mean(), d.forward(fake.images).flat_mean());
        let wasserstein = fr - ff;
        let value = wasserstein.clone().neg() + penalty.clone().mul_scalar(self.lambda);
        Loss { value, diagnostics: vec![("w_estimate", wasserstein.detach()), ("gradient_penalty", penalty.detach()), ("grad_norm", mean_norm.detach())] }
    }

    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        Loss { value: d.forward(fake.images).flat_mean().neg(), diagnostics: vec![] }
    }
}
