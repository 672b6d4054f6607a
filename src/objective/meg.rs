//! Energy-based GAN with a maximum-entropy generator (MEG): an energy network with a gradient penalty
//! on real data, and a statistics network T(x, z) whose Jensen-Shannon bound on I(G(z); z) stands in
//! for the generator's entropy. The schedule is Kumar et al. (2019), Algorithm 1: per generator step,
//! `k` energy updates on `L_E` (default 5, the paper's MNIST setting), then one update of G and T
//! together on `L_G = E[E(G(z))] - I_JSD`: G descends it, and T, which appears only in `-I_JSD`,
//! ascends `I_JSD` (tightening the bound).

use burn::tensor::{backend::AutodiffBackend, backend::Backend, Int, Tensor, TensorData};

use super::losses::{softplus, Flat};
use super::wgan_gp::input_grad_sq_norms;
use super::{raw_score, unbounded, Fake, Loss, Objective, ObjectiveInfo, OptimizerKind, ParamSpec, Registered, StepContext, K_PARAM, Params};
use crate::model::{DSpec, Discriminator};

/// `L_E = E[E(x)] - E[E(G(z))] + λ·E[‖∇E(x)‖²]`; G and T step together on `L_G = E[E(G(z))] - I_JSD`.
pub struct Meg {
    lambda: f64,
    /// Energy updates per generator step.
    k: usize,
}

/// MEG's `k`: energy updates per generator step, 5 by default as in Kumar et al. (2019) on MNIST.
pub const MEG_K: ParamSpec = ParamSpec {
    default: 5.0,
    label: "energy steps per G step k",
    help: "Energy-function updates per generator step (k in Kumar et al. 2019, Algorithm 1; 5 on MNIST). T is updated once per generator step, with G.",
    ..K_PARAM
};

impl Registered for Meg {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "meg",
        name: "MEG (energy model, max-entropy generator)",
        short: "MEG",
        summary: "k energy steps on L_E = E[E(x)] - E[E(G(z))] + λ·E[‖∇ₓE(x)‖²]; then one step of G and T on L_G = E[E(G(z))] - I_JSD, I_JSD = E[-softplus(-T(G(z),z))] - E[softplus(T(G(z),z'))] (T ascends I_JSD)",
        params: &[MEG_K, ParamSpec { key: "lambda", label: "gradient penalty λ", default: 0.1, min: 0.0, max: 100.0, toggle: false, integer: false, help: "Weight of the squared input-gradient norm of the energy on real images, which keeps energies finite." }],
        d_diagnostics: &["energy_real", "energy_fake", "gradient_penalty"],
        g_diagnostics: &["mi_estimate"],
        lr_default: 1e-4,
        presets: &[],
        d_score: unbounded("energy E(x) (low = real)"),
        score_caption: super::CAPTION_NO_BATCHNORM,
    };

    fn from_params(p: &Params) -> Self {
        Meg { lambda: p.get("lambda"), k: p.count(MEG_K.key) }
    }
}

/// Jensen-Shannon mutual-information bound from T's outputs on joint pairs and on shuffled pairs:
/// `E[-softplus(-T_joint)] - E[softplus(T_marginal)]`.
pub fn jsd_mi<B: Backend>(joint: Tensor<B, 2>, marginal: Tensor<B, 2>) -> Tensor<B, 1> {
    softplus(joint.neg()).flat_mean().neg() - softplus(marginal).flat_mean()
}

impl Meg {
    /// The MI bound on `(x, z)` pairs against `(x, z')` with `z'` a shuffle of `z`.
    fn mi<B: Backend>(&self, d: &Discriminator<B>, x: Tensor<B, 4>, z: Tensor<B, 2>, ctx: &mut StepContext) -> Tensor<B, 1> {
        let [n, _] = z.dims();
        let order: Vec<i64> = ctx.permutation(n).into_iter().map(|i| i as i64).collect();
        let order = Tensor::<B, 1, Int>::from_data(TensorData::new(order, [n]), &z.device());
        let shuffled = z.clone().select(0, order);
        jsd_mi(d.stats(x.clone(), z), d.stats(x, shuffled))
    }
}

impl<B: AutodiffBackend> Objective<B> for Meg {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    fn d_steps(&self, _: usize) -> usize {
        self.k
    }

    /// The energy network's output `E(x)`: trained low on real images, high on fakes.
    fn d_score(&self, d: &Discriminator<B::InnerBackend>, images: Tensor<B::InnerBackend, 4>) -> Tensor<B::InnerBackend, 1> {
        raw_score(d, images)
    }

    fn d_spec(&self) -> DSpec {
        DSpec { batchnorm: false, stats: true, ..DSpec::default() }
    }

    /// Adam with β = (0.5, 0.9), as in the MEG paper.
    fn optimizer(&self) -> OptimizerKind {
        OptimizerKind::Adam { beta_1: 0.5, beta_2: 0.9 }
    }

    /// The energy's loss on the detached fakes; T takes no part in it.
    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let er = d.forward(real.clone()).flat_mean();
        let ef = d.forward(fake.images).flat_mean();
        let penalty = input_grad_sq_norms(d, real).flat_mean();
        let value = er.clone() - ef.clone() + penalty.clone().mul_scalar(self.lambda);
        Loss { value, diagnostics: vec![("energy_real", er.detach()), ("energy_fake", ef.detach()), ("gradient_penalty", penalty.detach())] }
    }

    /// `E[E(G(z))] - I_JSD` on a fake batch that is not detached: G descends it and T (see
    /// `g_step_trains_stats`) ascends `I_JSD`; the energy is not updated in this step.
    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, ctx: &mut StepContext) -> Loss<B> {
        let ef = d.forward(fake.images.clone()).flat_mean();
        let mi = self.mi(d, fake.images, fake.z, ctx);
        Loss { value: ef - mi.clone(), diagnostics: vec![("mi_estimate", mi.detach())] }
    }

    fn g_step_trains_stats(&self) -> bool {
        true
    }
}
