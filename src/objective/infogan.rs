//! InfoGAN: G also takes a 10-way categorical and 2 continuous codes; a recognition head Q on D's body
//! recovers them. As in Chen et al. (2016), `min_{G,Q} max_D V(D, G) - λ·I(c; G(z, c))`: the
//! information loss (whose negative bounds I from below) is weighed by λ inside G's loss and inside
//! D's (body and Q head), so each network keeps one optimizer and λ sets the balance of its gradient.

use burn::tensor::{activation, backend::AutodiffBackend, backend::Backend, Tensor};

use super::losses::{Flat, bce_with_logits, gan_d_terms};
use super::{k_of, Fake, Loss, Objective, ObjectiveInfo, ParamSpec, Registered, StepContext, K_PARAM, P_REAL, Params};
use crate::model::{DSpec, Discriminator, GSpec};

/// Size of the categorical code.
pub const CATEGORIES: usize = 10;
/// Number of continuous codes.
pub const CONTINUOUS: usize = 2;

/// Adversarial part as the non-saturating GAN, plus `L_I = λ_cat·CE(Q_cat, c_cat) + λ_con·MSE(Q_con, c_con)`
/// on the fake batch in both steps: D's body and Q minimise `L_D + L_I` (fakes detached), G minimises
/// `L_G + L_I`. With λ_cat = λ_con = 0 this is the non-saturating GAN on G(z, c), step for step.
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
        short: "InfoGAN",
        summary: "L_I = λ_cat·CE(Q_cat, c_cat) + λ_con·MSE(Q_con, c_con) on G(z, c); D and Q minimise L_D + L_I, G minimises L_G + L_I (L_D, L_G non-saturating); MI ≥ log 10 - CE",
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
        score_caption: super::CAPTION_BATCHNORM,
    };

    fn from_params(p: &Params) -> Self {
        InfoGan { lambda_cat: p.get("lambda_cat"), lambda_con: p.get("lambda_con"), k: k_of(p) }
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
    let ce = (activation::log_softmax(logits, 1) * cat).sum_dim(1).flat_mean().neg();
    let mse = (means - con).powi_scalar(2).flat_mean();
    (ce, mse)
}

impl InfoGan {
    /// `λ_cat·CE + λ_con·MSE` of Q's predictions from `features` against the codes in `z`, and the CE.
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

    /// `L_D + L_I` on the detached fakes: D's body and Q's head both move on it.
    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let lr = d.forward(real);
        let features = d.features(fake.images);
        let lf = d.score(features.clone());
        let (info, _) = self.info(d, features, fake.z);
        let (adversarial, d_real, d_fake) = gan_d_terms(lr, lf, 1.0);
        Loss { value: adversarial + info, diagnostics: vec![("d_real", d_real), ("d_fake", d_fake)] }
    }

    /// `L_G + L_I` on the same fake batch; reports the MI lower bound `log 10 - CE` and `L_I`.
    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let features = d.features(fake.images);
        let adversarial = bce_with_logits(d.score(features.clone()), 1.0);
        let (info, ce) = self.info(d, features, fake.z);
        let mi = ce.detach().neg().add_scalar((CATEGORIES as f64).ln());
        Loss { value: adversarial + info.clone(), diagnostics: vec![("mi_lower_bound", mi), ("info_loss", info.detach())] }
    }
}
