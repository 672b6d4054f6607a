//! InfoGAN: G also takes a 10-way categorical and 2 continuous codes; a recognition head Q on D's body
//! recovers them, and G and Q both minimise the information loss (a lower bound on I(c; G(z, c))).

use burn::tensor::{activation, backend::AutodiffBackend, backend::Backend, Tensor};

use super::losses::{bce_with_logits, gan_d_loss, mean_prob};
use super::{k_of, Fake, Loss, Objective, ObjectiveInfo, ParamSpec, Registered, StepContext, K_PARAM, P_REAL};
use crate::config::ParamValues;
use crate::model::{DSpec, Discriminator, GSpec};

/// Size of the categorical code.
pub const CATEGORIES: usize = 10;
/// Number of continuous codes.
pub const CONTINUOUS: usize = 2;

/// Adversarial part as the non-saturating GAN; `L_I = λ_cat·CE(Q_cat, c_cat) + λ_con·MSE(Q_con, c_con)`
/// is the joint loss: after each G step, G, D's body and Q take one step on it with optimizers of their
/// own (so Adam scales the information updates on their own, not drowned by the adversarial gradients).
pub struct InfoGan {
    lambda_cat: f64,
    lambda_con: f64,
    /// Discriminator updates per generator step.
    k: usize,
}

impl Registered for InfoGan {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "infogan",
        name: "InfoGAN (categorical + continuous codes)",
        summary: "L_D, L_G as the non-saturating GAN on G(z, c); then G and Q minimise L_I = λ_cat·CE(Q_cat, c_cat) + λ_con·MSE(Q_con, c_con); MI ≥ log 10 - CE",
        params: &[
            K_PARAM,
            ParamSpec { key: "lambda_cat", label: "λ_cat", default: 1.0, min: 0.0, max: 10.0, toggle: false, integer: false, help: "Weight of the categorical code's cross-entropy." },
            ParamSpec { key: "lambda_con", label: "λ_con", default: 0.1, min: 0.0, max: 10.0, toggle: false, integer: false, help: "Weight of the continuous codes' squared error (a Gaussian with fixed σ)." },
        ],
        d_diagnostics: &["d_real", "d_fake"],
        g_diagnostics: &["mi_lower_bound", "info_loss"],
        lr_default: 2e-4,
        presets: &[],
        // D's adversarial head is the non-saturating GAN's logit.
        d_score: P_REAL,
    };

    fn from_params(p: &ParamValues) -> Self {
        InfoGan { lambda_cat: p.get("lambda_cat").unwrap_or(1.0), lambda_con: p.get("lambda_con").unwrap_or(0.1), k: k_of(p) }
    }
}

/// The codes at the end of a generator input `[n, latent + 12]`: (one-hot categorical, continuous).
pub fn split_codes<B: Backend>(z: Tensor<B, 2>) -> (Tensor<B, 2>, Tensor<B, 2>) {
    let [_, width] = z.dims();
    let start = width - CATEGORIES - CONTINUOUS;
    (z.clone().narrow(1, start, CATEGORIES), z.narrow(1, start + CATEGORIES, CONTINUOUS))
}

/// Cross-entropy of Q's categorical logits against the one-hot code (log-softmax, no softmax first)
/// and mean squared error of Q's continuous means, from Q's output `[n, 12]`.
pub fn info_loss<B: Backend>(q: Tensor<B, 2>, z: Tensor<B, 2>) -> (Tensor<B, 1>, Tensor<B, 1>) {
    let (cat, con) = split_codes(z);
    let logits = q.clone().narrow(1, 0, CATEGORIES);
    let means = q.narrow(1, CATEGORIES, CONTINUOUS);
    let ce = (activation::log_softmax(logits, 1) * cat).sum_dim(1).mean().neg();
    let mse = (means - con).powi_scalar(2).mean();
    (ce, mse)
}

impl InfoGan {
    fn info<B: Backend>(&self, d: &Discriminator<B>, features: Tensor<B, 2>, z: Tensor<B, 2>) -> (Tensor<B, 1>, Tensor<B, 1>) {
        let (ce, mse) = info_loss(d.q(features), z);
        let total = ce.clone().mul_scalar(self.lambda_cat) + mse.mul_scalar(self.lambda_con);
        (total, ce)
    }
}

impl<B: AutodiffBackend> Objective<B> for InfoGan {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    fn d_steps(&self, _: usize) -> usize {
        self.k
    }

    fn d_spec(&self) -> DSpec {
        DSpec { q_outputs: CATEGORIES + CONTINUOUS, ..DSpec::default() }
    }

    fn g_spec(&self) -> GSpec {
        GSpec { categorical: CATEGORIES, continuous: CONTINUOUS, dropout: 0.0 }
    }

    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let (lr, lf) = (d.forward(real), d.forward(fake.images));
        let value = gan_d_loss(lr.clone(), lf.clone(), 1.0);
        Loss { value, diagnostics: vec![mean_prob(lr.detach()), mean_prob(lf.detach())] }
    }

    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        Loss { value: bce_with_logits(d.forward(fake.images), 1.0), diagnostics: vec![] }
    }

    fn joint_loss(&self, d: &Discriminator<B>, fake: &mut dyn FnMut() -> Fake<B>, _: &mut StepContext) -> Option<Loss<B>> {
        let fake = fake();
        let (info, ce) = self.info(d, d.features(fake.images), fake.z);
        let mi = ce.detach().neg().add_scalar((CATEGORIES as f64).ln());
        Some(Loss { value: info.clone(), diagnostics: vec![mi, info.detach()] })
    }
}
