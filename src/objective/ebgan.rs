//! Energy-based GAN: the discriminator is an autoencoder whose per-sample reconstruction error is the
//! energy; a margin hinge for fakes, and the squared pull-away term on the encoder's codes for G.

use burn::tensor::{backend::AutodiffBackend, backend::Backend, Tensor};

use super::losses::Flat;
use super::{k_of, Fake, Loss, Objective, ObjectiveInfo, ParamSpec, Registered, ScoreSpec, StepContext, K_PARAM, Params};
use crate::model::{DSpec, Discriminator};

/// `L_D = E[E(x)] + E[max(0, m - E(G(z)))]`, `L_G = E[E(G(z))] + λ_PT·f_PT(S)`.
pub struct Ebgan {
    margin: f64,
    lambda_pt: f64,
    /// Discriminator updates per generator step.
    k: usize,
}

impl Registered for Ebgan {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "ebgan",
        name: "EBGAN (autoencoder energy, pull-away term)",
        short: "EBGAN",
        summary: "E(x) = mean‖Dec(Enc(x)) - x‖²; L_D = E[E(x)] + E[max(0, m - E(G(z)))]; L_G = E[E(G(z))] + λ_PT·f_PT(Enc(G(z)))",
        params: &[
            K_PARAM,
            ParamSpec { key: "margin", label: "margin m", default: 1.0, min: 0.01, max: 4.0, toggle: false, integer: false, help: "D pushes the energy of fakes up to at least m (energies are per-pixel mean squared errors, at most 4)." },
            ParamSpec { key: "lambda_pt", label: "pull-away weight λ_PT", default: 0.1, min: 0.0, max: 10.0, toggle: false, integer: false, help: "Weight of the squared-cosine pull-away term that spreads the fakes' codes apart." },
        ],
        d_diagnostics: &["energy_real", "energy_fake"],
        g_diagnostics: &["pull_away"],
        lr_default: 2e-4,
        presets: &[],
        // Reconstructions and images both lie in [-1, 1]: the per-pixel squared error is at most 4.
        d_score: ScoreSpec { label: "energy E(x) = reconstruction MSE (low = real)", lo: Some(0.0), hi: Some(4.0) },
        score_caption: super::CAPTION_NO_BATCHNORM,
    };

    fn from_params(p: &Params) -> Self {
        Ebgan { margin: p.get("margin"), lambda_pt: p.get("lambda_pt"), k: k_of(p) }
    }
}

/// Per-sample reconstruction energy (mean squared error over pixels), `[n]`, and the codes.
pub fn energy<B: Backend>(d: &Discriminator<B>, x: Tensor<B, 4>) -> (Tensor<B, 1>, Tensor<B, 2>) {
    let [n, ..] = x.dims();
    let (recon, codes) = d.reconstruct(x.clone());
    let e = (recon - x).powi_scalar(2).reshape([n as i32, -1]).mean_dim(1).reshape([n]);
    (e, codes)
}

/// Pull-away term `1/(N(N-1)) Σ_{i≠j} cos²(S_i, S_j)`: 1 for identical codes, 0 for orthogonal ones.
pub fn pull_away<B: Backend>(codes: Tensor<B, 2>) -> Tensor<B, 1> {
    let [n, _] = codes.dims();
    let norms = codes.clone().powi_scalar(2).sum_dim(1).add_scalar(1e-12).sqrt();
    let unit = codes / norms;
    let cos = unit.clone().matmul(unit.clone().transpose());
    let all = cos.powi_scalar(2).flat_sum();
    // The diagonal holds cos(S_i, S_i)² = ‖unit_i‖⁴ (1 up to rounding); remove it exactly.
    let diag = unit.powi_scalar(2).sum_dim(1).powi_scalar(2).flat_sum();
    (all - diag).div_scalar((n * n.saturating_sub(1)).max(1) as f64)
}

/// `E[E(x)] + E[max(0, m - E(G(z)))]` from per-sample energies (the hinge is applied per sample).
pub fn ebgan_d_loss<B: Backend>(energy_real: Tensor<B, 1>, energy_fake: Tensor<B, 1>, margin: f64) -> Tensor<B, 1> {
    energy_real.flat_mean() + energy_fake.neg().add_scalar(margin).clamp_min(0.0).flat_mean()
}

impl<B: AutodiffBackend> Objective<B> for Ebgan {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    /// No BatchNorm in the autoencoder: in training mode it would make each sample's energy depend on
    /// the rest of its batch, and D could then tell a fake batch from a real one by its statistics.
    fn d_spec(&self) -> DSpec {
        DSpec { batchnorm: false, decoder: true, ..DSpec::default() }
    }

    fn d_steps(&self, _: usize) -> usize {
        self.k
    }

    /// The energy `E(x)`, the per-image reconstruction error D is trained to keep low on real images.
    fn d_score(&self, d: &Discriminator<B::InnerBackend>, images: Tensor<B::InnerBackend, 4>) -> Tensor<B::InnerBackend, 1> {
        energy(d, images).0
    }

    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let (er, _) = energy(d, real);
        let (ef, _) = energy(d, fake.images);
        let value = ebgan_d_loss(er.clone(), ef.clone(), self.margin);
        Loss { value, diagnostics: vec![("energy_real", er.detach().flat_mean()), ("energy_fake", ef.detach().flat_mean())] }
    }

    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let (ef, codes) = energy(d, fake.images);
        let pt = pull_away(codes);
        let value = ef.flat_mean() + pt.clone().mul_scalar(self.lambda_pt);
        Loss { value, diagnostics: vec![("pull_away", pt.detach())] }
    }
}
