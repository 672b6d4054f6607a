//! Non-saturating GAN: G maximises `log D(G(z))` instead; optional one-sided label smoothing for D.

use burn::tensor::{backend::AutodiffBackend, Tensor};

use super::losses::{bce_with_logits, gan_d_loss, js_estimate, mean_prob};
use super::{Loss, Objective, ObjectiveInfo, ParamSpec, Registered, StepContext};
use crate::config::ParamValues;
use crate::model::Discriminator;

/// `L_D = E[softplus(-l(x))] + E[softplus(l(G(z)))]`, `L_G = E[softplus(-l(G(z)))]`.
pub struct NonSaturating {
    /// Target for real samples in D's loss: 1, or 0.9 with one-sided label smoothing.
    real_target: f64,
}

impl Registered for NonSaturating {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "nonsaturating",
        name: "GAN (non-saturating)",
        summary: "L_D = E[softplus(-l(x))] + E[softplus(l(G(z)))]; L_G = E[softplus(-l(G(z)))]",
        params: &[ParamSpec {
            key: "label_smoothing",
            label: "one-sided label smoothing",
            default: 0.0,
            min: 0.0,
            max: 1.0,
            toggle: true,
            help: "D's target for real images is 0.9 instead of 1 (fakes keep 0).",
        }],
        d_diagnostics: &["d_real", "d_fake", "js_estimate"],
        g_diagnostics: &[],
        lr_default: 2e-4,
    };

    fn from_params(params: &ParamValues) -> Self {
        let smoothing = params.get("label_smoothing").unwrap_or(0.0) != 0.0;
        NonSaturating { real_target: if smoothing { 0.9 } else { 1.0 } }
    }
}

impl<B: AutodiffBackend> Objective<B> for NonSaturating {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Tensor<B, 4>, _: StepContext) -> Loss<B> {
        let (lr, lf) = (d.forward(real), d.forward(fake));
        let value = gan_d_loss(lr.clone(), lf.clone(), self.real_target);
        let diagnostics = vec![mean_prob(lr), mean_prob(lf), js_estimate(value.clone().detach())];
        Loss { value, diagnostics }
    }

    fn g_loss(&self, d: &Discriminator<B>, fake: Tensor<B, 4>, _: StepContext) -> Loss<B> {
        Loss { value: bce_with_logits(d.forward(fake), 1.0), diagnostics: vec![] }
    }
}
