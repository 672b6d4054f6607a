//! Least-squares GAN: D regresses real images to `b` and fakes to `a`; G pushes fakes towards `c`.

use burn::tensor::{backend::AutodiffBackend, Tensor};

use super::losses::Flat;
use super::{k_of, raw_score, unbounded, Fake, Loss, Objective, ObjectiveInfo, ParamSpec, Preset, Registered, StepContext, K_PARAM, Params};
use crate::model::Discriminator;

/// `L_D = ½E[(l(x) - b)²] + ½E[(l(G(z)) - a)²]`, `L_G = ½E[(l(G(z)) - c)²]`.
pub struct Lsgan {
    a: f64,
    b: f64,
    c: f64,
    /// Discriminator updates per generator step.
    k: usize,
}

const TARGET: (f64, f64) = (-2.0, 2.0);

impl Registered for Lsgan {
    const INFO: ObjectiveInfo = ObjectiveInfo {
        id: "lsgan",
        name: "LSGAN (least squares)",
        short: "LSGAN",
        summary: "L_D = ½E[(l(x) - b)²] + ½E[(l(G(z)) - a)²]; L_G = ½E[(l(G(z)) - c)²]",
        params: &[
            K_PARAM,
            ParamSpec { key: "a", label: "a (fake target for D)", default: 0.0, min: TARGET.0, max: TARGET.1, toggle: false, integer: false, help: "Presets: 0-1 coding a=0, b=1, c=1; χ² a=-1, b=1, c=0." },
            ParamSpec { key: "b", label: "b (real target for D)", default: 1.0, min: TARGET.0, max: TARGET.1, toggle: false, integer: false, help: "What D's output on real images is pushed towards." },
            ParamSpec { key: "c", label: "c (G's target)", default: 1.0, min: TARGET.0, max: TARGET.1, toggle: false, integer: false, help: "What G wants D to output on fakes; b - c = 1 and b - a = 2 give the Pearson χ² divergence." },
        ],
        d_diagnostics: &["d_real", "d_fake"],
        g_diagnostics: &[],
        lr_default: 2e-4,
        presets: &[
            Preset { name: "0-1 coding", values: &[("a", 0.0), ("b", 1.0), ("c", 1.0)] },
            Preset { name: "χ²", values: &[("a", -1.0), ("b", 1.0), ("c", 0.0)] },
        ],
        d_score: unbounded("raw output D(x) (D's targets: b for real, a for fakes)"),
        score_caption: super::CAPTION_BATCHNORM,
    };

    fn from_params(p: &Params) -> Self {
        Lsgan { a: p.get("a"), b: p.get("b"), c: p.get("c"), k: k_of(p) }
    }
}

/// `½E[(l - target)²]`.
pub fn half_mse<B: burn::tensor::backend::Backend>(l: Tensor<B, 2>, target: f64) -> Tensor<B, 1> {
    l.sub_scalar(target).powi_scalar(2).flat_mean().mul_scalar(0.5)
}

impl<B: AutodiffBackend> Objective<B> for Lsgan {
    fn info(&self) -> &'static ObjectiveInfo {
        &<Self as Registered>::INFO
    }

    fn d_steps(&self, _: usize) -> usize {
        self.k
    }

    /// The raw output: its targets `a`, `b`, `c` give it its meaning.
    fn d_score(&self, d: &Discriminator<B::InnerBackend>, images: Tensor<B::InnerBackend, 4>) -> Tensor<B::InnerBackend, 1> {
        raw_score(d, images)
    }

    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        let (lr, lf) = (d.forward(real), d.forward(fake.images));
        let value = half_mse(lr.clone(), self.b) + half_mse(lf.clone(), self.a);
        Loss { value, diagnostics: vec![("d_real", lr.detach().flat_mean()), ("d_fake", lf.detach().flat_mean())] }
    }

    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, _: &mut StepContext) -> Loss<B> {
        Loss { value: half_mse(d.forward(fake.images), self.c), diagnostics: vec![] }
    }
}
