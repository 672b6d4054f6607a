//! Original GAN in minimax form: G minimises `E[log(1 - D(G(z)))]`, whose gradient vanishes when D wins.

use burn::tensor::{backend::AutodiffBackend, Tensor};

use super::losses::{bce_with_logits, gan_d_terms, js_estimate};
use super::{k_of, Fake, Loss, Objective, ObjectiveInfo, Registered, StepContext, K_PARAM, P_REAL, Params};
use crate::model::Discriminator;

/// `L_D = E[softplus(-l(x))] + E[softplus(l(G(z)))]`, `L_G = -E[softplus(l(G(z)))]`.
pub struct Minimax {
    /// Discriminator updates per generator step.
    k: usize,
}

impl Registered for Minimax {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "minimax",
        name: "GAN (minimax)",
        short: "MM-GAN",
        summary: "L_D = E[softplus(-l(x))] + E[softplus(l(G(z)))]; L_G = -E[softplus(l(G(z)))] (saturating)",
        params: &[K_PARAM],
        d_diagnostics: &["d_real", "d_fake", "js_estimate"],
        g_diagnostics: &[],
        lr_default: 2e-4,
        presets: &[],
        d_score: P_REAL,
        score_caption: super::CAPTION_BATCHNORM,
    };

    fn from_params(p: &Params) -> Self {
        Minimax { k: k_of(p) }
    }
}

impl<B: AutodiffBackend> Objective<B> for Minimax {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    fn d_steps(&self, _: usize) -> usize {
        self.k
    }

    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let (value, d_real, d_fake) = gan_d_terms(d.forward(real), d.forward(fake.images), 1.0);
        let diagnostics = vec![("d_real", d_real), ("d_fake", d_fake), ("js_estimate", js_estimate(value.clone().detach()))];
        Loss { value, diagnostics }
    }

    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        // E[softplus(l)] is the cross-entropy against the target 0.
        let value = bce_with_logits(d.forward(fake.images), 0.0).neg();
        Loss { value, diagnostics: vec![] }
    }
}
