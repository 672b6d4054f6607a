//! Non-saturating GAN: G maximises `log D(G(z))` instead; the seed's training tricks as toggles
//! (one-sided label smoothing, noisy labels, annealed instance noise, dropout in G).

use burn::tensor::{backend::AutodiffBackend, Distribution, Tensor};

use super::losses::{bce_with_logit_targets, bce_with_logits, gan_d_terms, js_estimate, mean_prob};
use super::{k_of, Fake, Loss, Objective, ObjectiveInfo, ParamSpec, Registered, StepContext, K_PARAM, P_REAL, Params};
use crate::model::{Discriminator, GSpec};

/// Probability that a label is flipped when "noisy labels" is on.
pub const FLIP_PROBABILITY: f64 = 0.05;
/// Standard deviation of the instance noise at step 0 (images are in [-1, 1]).
pub const INSTANCE_NOISE_START: f64 = 0.5;
/// Dropout probability after each hidden generator layer when "dropout in G" is on.
pub const G_DROPOUT: f64 = 0.5;

/// `L_D = E[softplus(-l(x))] + E[softplus(l(G(z)))]`, `L_G = E[softplus(-l(G(z)))]`.
pub struct NonSaturating {
    /// Target for real samples in D's loss: 1, or 0.9 with one-sided label smoothing.
    real_target: f64,
    noisy_labels: bool,
    /// Generator steps over which the instance noise falls linearly to 0 (0 = no instance noise).
    noise_steps: usize,
    dropout: bool,
    /// Discriminator updates per generator step.
    k: usize,
}

impl Registered for NonSaturating {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "nonsaturating",
        name: "GAN (non-saturating)",
        short: "NS-GAN",
        summary: "L_D = E[softplus(-l(x))] + E[softplus(l(G(z)))]; L_G = E[softplus(-l(G(z)))]",
        params: &[
            K_PARAM,
            ParamSpec { key: "label_smoothing", label: "one-sided label smoothing", default: 0.0, min: 0.0, max: 1.0, toggle: true, integer: false, help: "D's target for real images is 0.9 instead of 1 (fakes keep 0)." },
            ParamSpec { key: "noisy_labels", label: "noisy labels", default: 0.0, min: 0.0, max: 1.0, toggle: true, integer: false, help: "Each of D's labels is flipped with probability 0.05." },
            ParamSpec { key: "instance_noise", label: "instance noise", default: 0.0, min: 0.0, max: 1.0, toggle: true, integer: false, help: "Gaussian noise on D's inputs (real and fake), σ = 0.5 falling linearly to 0 over the annealing steps." },
            ParamSpec { key: "noise_steps", label: "instance-noise annealing steps", default: 2000.0, min: 1.0, max: 100000.0, toggle: false, integer: true, help: "Generator steps after which the instance noise is gone." },
            ParamSpec { key: "dropout_g", label: "dropout in G", default: 0.0, min: 0.0, max: 1.0, toggle: true, integer: false, help: "Dropout (p = 0.5) after each hidden generator layer while training; samples are drawn without it." },
        ],
        d_diagnostics: &["d_real", "d_fake", "js_estimate", "instance_noise"],
        g_diagnostics: &[],
        lr_default: 2e-4,
        presets: &[],
        d_score: P_REAL,
        score_caption: super::CAPTION_BATCHNORM,
    };

    fn from_params(p: &Params) -> Self {
        NonSaturating {
            real_target: if p.on("label_smoothing") { 0.9 } else { 1.0 },
            noisy_labels: p.on("noisy_labels"),
            noise_steps: if p.on("instance_noise") { p.get("noise_steps") as usize } else { 0 },
            dropout: p.on("dropout_g"),
            k: k_of(p),
        }
    }
}

impl NonSaturating {
    /// Instance-noise σ after `g_step` generator steps.
    pub fn noise_sigma(&self, g_step: usize) -> f64 {
        if self.noise_steps == 0 {
            return 0.0;
        }
        INSTANCE_NOISE_START * (1.0 - g_step as f64 / self.noise_steps as f64).max(0.0)
    }

    fn noisy<B: AutodiffBackend>(&self, x: Tensor<B, 4>, ctx: &mut StepContext) -> Tensor<B, 4> {
        let sigma = self.noise_sigma(ctx.g_step);
        if sigma == 0.0 {
            return x;
        }
        let noise = ctx.sample(x.dims(), Distribution::Normal(0.0, sigma), &x.device());
        x + noise
    }

    /// Labels for a batch of `n`: `target`, each replaced by `1 - target` with the flip probability.
    fn labels<B: AutodiffBackend>(&self, n: usize, target: f64, ctx: &mut StepContext, device: &B::Device) -> Tensor<B, 2> {
        let flips: Tensor<B, 2> = ctx.sample([n, 1], Distribution::Bernoulli(FLIP_PROBABILITY), device);
        // target + flip·(1 - 2·target): flip = 1 turns target t into 1 - t.
        flips.mul_scalar(1.0 - 2.0 * target).add_scalar(target)
    }
}

impl<B: AutodiffBackend> Objective<B> for NonSaturating {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    fn d_steps(&self, _: usize) -> usize {
        self.k
    }

    fn g_spec(&self) -> GSpec {
        GSpec { dropout: if self.dropout { G_DROPOUT } else { 0.0 }, ..GSpec::default() }
    }

    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, ctx: &mut StepContext) -> Loss<B> {
        let sigma = Tensor::from_floats([self.noise_sigma(ctx.g_step) as f32], &real.device());
        let (real, fake) = (self.noisy(real, ctx), self.noisy(fake.images, ctx));
        let (lr, lf) = (d.forward(real), d.forward(fake));
        let (value, d_real, d_fake) = if self.noisy_labels {
            let [n, _] = lr.dims();
            let device = lr.device();
            let (tr, tf) = (self.labels(n, self.real_target, ctx, &device), self.labels(n, 0.0, ctx, &device));
            let value = bce_with_logit_targets(lr.clone(), tr) + bce_with_logit_targets(lf.clone(), tf);
            (value, mean_prob(lr.detach()), mean_prob(lf.detach()))
        } else {
            gan_d_terms(lr, lf, self.real_target)
        };
        let diagnostics = vec![
            ("d_real", d_real),
            ("d_fake", d_fake),
            ("js_estimate", js_estimate(value.clone().detach())),
            ("instance_noise", sigma),
        ];
        Loss { value, diagnostics }
    }

    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, ctx: &mut StepContext) -> Loss<B> {
        let images = self.noisy(fake.images, ctx);
        Loss { value: bce_with_logits(d.forward(images), 1.0), diagnostics: vec![] }
    }
}
