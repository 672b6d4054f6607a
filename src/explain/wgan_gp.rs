//! WGAN with gradient penalty. Draws on seed 001 ("WGAN-GP": clipping's capacity underuse and its
//! exploding or vanishing gradients; the optimal critic's unit gradient norm between the two
//! distributions; sampling on lines between real and fake; λ = 10; no BatchNorm; the two-sided
//! penalty) and objectives.md §6.

use super::papers::WGAN;
use super::{Explainer, Formula, Reference, Role, Symbol, Watch};

const GULRAJANI_2017: Reference = Reference {
    authors: "Ishaan Gulrajani, Faruk Ahmed, Martin Arjovsky, Vincent Dumoulin, Aaron Courville",
    year: 2017,
    title: "Improved Training of Wasserstein GANs",
    arxiv: "1704.00028",
};

pub const EXPLAINER: Explainer = Explainer {
    id: "wgan-gp",
    title: "WGAN with gradient penalty (WGAN-GP)",
    formulas: &[
        Formula {
            role: Role::D,
            label: "the critic's loss: WGAN's, plus a penalty instead of clipping",
            tex: r"\mathcal{L}_D = \mathbb{E}_{z}\big[f(G(z))\big] - \mathbb{E}_{x}\big[f(x)\big] + \lambda\, \mathbb{E}_{\hat x}\Big[\big(\lVert \nabla_{\hat x} f(\hat x) \rVert_2 - 1\big)^2\Big]",
        },
        Formula {
            role: Role::G,
            label: "G's loss: raise the critic's rating of its fakes",
            tex: r"\mathcal{L}_G = -\,\mathbb{E}_{z}\big[f(G(z))\big]",
        },
        Formula {
            role: Role::Extra,
            label: "where the penalty looks: random points on the line between a real and a fake image",
            tex: r"\hat x = \epsilon\, x + (1 - \epsilon)\, G(z), \qquad \epsilon \sim U[0, 1] \text{ per sample}",
        },
        Formula {
            role: Role::Extra,
            label: "gradient penalty (two-sided: too steep and too flat both cost)",
            tex: r"\mathrm{GP} = \mathbb{E}_{\hat x}\Big[\big(\lVert \nabla_{\hat x} f(\hat x) \rVert_2 - 1\big)^2\Big]",
        },
    ],
    symbols: &[
        Symbol { tex: r"f", meaning: "the critic: an unbounded score, higher = more real, with no BatchNorm" },
        Symbol { tex: r"\hat x", meaning: "an interpolate: a random mix of one real and one generated image" },
        Symbol { tex: r"\epsilon", meaning: "the mixing weight, uniform in [0, 1], drawn once per sample" },
        Symbol { tex: r"\nabla_{\hat x} f(\hat x)", meaning: "the critic's gradient with respect to its input image, at the interpolate" },
        Symbol { tex: r"\lambda", meaning: "the penalty weight (10)" },
        Symbol { tex: r"n_{\text{critic}}", meaning: "critic updates per generator update (5)" },
    ],
    intuition: &[
        "The critic and its earth mover's estimate are WGAN's; only the way the critic is kept Lipschitz changes, from clamping weights to a soft penalty on its slope.",
        "An optimal critic has an input gradient of norm 1 almost everywhere between the real and the generated distribution, so the penalty samples points on straight lines between a real and a fake image and pushes the gradient norm there towards 1, from above and from below.",
        "The critic's weights are now free, so it uses its full capacity, and its gradients neither explode nor vanish through the layers: the two problems clipping caused.",
        "The penalty is defined per image, so the critic must not use BatchNorm (it would mix the images of a batch); this critic has none, and trains with Adam, β = (0, 0.9).",
        "Computing the penalty means differentiating a gradient; this playground writes the critic's input gradient as an explicit forward computation so ordinary backpropagation can differentiate it.",
        "G still minimises the Wasserstein estimate; the penalty only shapes the critic, and training becomes much less sensitive to the architecture and settings.",
    ],
    watch: &[
        Watch {
            diagnostic: "grad_norm",
            look_for: "The critic's mean input-gradient norm at the interpolates: it should settle near 1. Well above 1 means the penalty is losing to the Wasserstein term (λ too small); near 0 means the critic has gone flat.",
        },
        Watch {
            diagnostic: "gradient_penalty",
            look_for: "Small once the gradient norm sits near 1; a penalty that keeps growing means the critic is steepening faster than λ can hold it.",
        },
        Watch {
            diagnostic: "w_estimate",
            look_for: "E[f(x)] − E[f(G(z))]: falls as the samples improve, more smoothly than WGAN's, and tracks sample quality.",
        },
    ],
    failure_mode: "Each critic step is roughly twice as expensive (the penalty needs the critic's input gradient and its derivative), and the constraint only holds on the sampled lines, not everywhere; with BatchNorm in the critic the penalty would be wrong, and a too-small λ or too-large learning rate brings back unstable, growing critic values.",
    references: &[GULRAJANI_2017, WGAN],
};
