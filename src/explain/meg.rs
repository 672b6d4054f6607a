//! Energy-based model with a maximum-entropy generator (MEG). Draws on seed 002 (§2.1 the energy
//! model's likelihood gradient needs model samples; §2.2 the generator approximating p_θ by minimising
//! KL(p_G‖p_θ) = −H[p_G] + E[U(G(z))] + log Z; §2.3 entropy replaced by the mutual information
//! I(G(z); z), estimated with a Jensen–Shannon bound) and objectives.md §9.

use super::{Explainer, Formula, Reference, Role, Symbol, Watch};

const KUMAR_2019: Reference = Reference {
    authors: "Rithesh Kumar, Sherjil Ozair, Anirudh Goyal, Aaron Courville, Yoshua Bengio",
    year: 2019,
    title: "Maximum Entropy Generators for Energy-Based Models",
    arxiv: "1901.08508",
};

const HJELM_2018: Reference = Reference {
    authors: "R Devon Hjelm, Alex Fedorov, Samuel Lavoie-Marchildon, Karan Grewal, Phil Bachman, Adam Trischler, Yoshua Bengio",
    year: 2018,
    title: "Learning deep representations by mutual information estimation and maximization",
    arxiv: "1808.06670",
};

pub const EXPLAINER: Explainer = Explainer {
    id: "meg",
    title: "Energy model with a maximum-entropy generator (MEG)",
    formulas: &[
        Formula {
            role: Role::D,
            label: "the energy network's loss: low energy on data, high on samples, slopes kept finite",
            tex: r"\mathcal{L}_E = \mathbb{E}_{x}\big[E(x)\big] - \mathbb{E}_{z}\big[E(G(z))\big] + \lambda\, \mathbb{E}_{x}\big[\lVert \nabla_x E(x) \rVert_2^2\big]",
        },
        Formula {
            role: Role::G,
            label: "G's loss: low-energy samples, high entropy (T ascends the same I_JSD)",
            tex: r"\mathcal{L}_G = \mathbb{E}_{z}\big[E(G(z))\big] - I_{\text{JSD}}",
        },
        Formula {
            role: Role::Extra,
            label: "the MI term: T tells true pairs (G(z), z) from pairs with a shuffled z′",
            tex: r"I_{\text{JSD}} = \mathbb{E}_{z}\big[-\operatorname{softplus}\big(-T(G(z), z)\big)\big] - \mathbb{E}_{z, z'}\big[\operatorname{softplus}\big(T(G(z), z')\big)\big]",
        },
        Formula {
            role: Role::Extra,
            label: "why: G should match the energy model's density, which needs both terms",
            tex: r"\mathrm{KL}\big(P_G \,\|\, p_E\big) = \mathbb{E}_{x \sim P_G}\big[E(x)\big] - H(P_G) + \log Z, \qquad p_E(x) = \frac{e^{-E(x)}}{Z}",
        },
        Formula {
            role: Role::Extra,
            label: "the entropy, for a deterministic G, is the information G(z) keeps about z",
            tex: r"H(P_G) \;\to\; I\big(G(z);\, z\big) \quad \text{since } H\big(G(z) \mid z\big) = 0",
        },
    ],
    symbols: &[
        Symbol { tex: r"E(x)", meaning: "the energy network's output: unbounded, low = looks real" },
        Symbol { tex: r"p_E,\ Z", meaning: "the density the energy defines, and its normaliser (a constant G cannot change)" },
        Symbol { tex: r"H(P_G)", meaning: "the entropy of G's distribution: how spread out its samples are" },
        Symbol { tex: r"T(x, z)", meaning: "the statistics network: scores whether image x was made from latent z" },
        Symbol { tex: r"z'", meaning: "the batch's latents shuffled, so that (G(z), z′) are mismatched pairs" },
        Symbol { tex: r"I_{\text{JSD}}", meaning: "the Jensen–Shannon estimate of the mutual information I(G(z); z): between −log 4 (T can't tell) and 0" },
        Symbol { tex: r"\lambda", meaning: "the weight of the gradient penalty on real images (0.1)" },
    ],
    intuition: &[
        "MEG trains a real energy-based model: the energy network should give low energy to data and high energy elsewhere, which defines a density proportional to e^(−E(x)).",
        "Training such a model by maximum likelihood needs samples from the model itself; MEG lets G supply them, so G must match the energy's density, that is minimise KL(P_G‖p_E), the energy of its samples minus their entropy.",
        "So G does two things: it lowers its samples' energy, like EBGAN's generator, and it keeps its entropy high, so that its samples spread over every low-energy region instead of piling into one.",
        "The entropy of an image distribution cannot be computed directly; because G is deterministic it is replaced by the mutual information between z and G(z), which a small statistics network T estimates by telling true pairs (G(z), z) from pairs with a shuffled z′.",
        "The energy is kept from running off to minus infinity by a penalty on its input gradient at real images; the entropy term is the principled version of what EBGAN's pull-away term only approximates.",
    ],
    watch: &[
        Watch {
            diagnostic: "mi_estimate",
            look_for: "The Jensen–Shannon estimate of I(G(z); z), G's stand-in for its entropy: it starts near −log 4 ≈ −1.39 (T cannot tell the pairs apart) and should rise towards 0 and stay there. Falling back means G maps different z to similar images: it is losing diversity.",
        },
        Watch {
            diagnostic: "energy_real",
            look_for: "With energy_fake: the gap E(fake) − E(real) should shrink as the samples approach the data; both drifting far together means the penalty is too weak to pin the energy's scale.",
        },
        Watch {
            diagnostic: "gradient_penalty",
            look_for: "The mean squared input-gradient norm of the energy at real images: it should stay small and steady.",
        },
    ],
    failure_mode: "Three networks must stay in balance: the MI estimate is only a bound, and if T falls behind G the entropy term stops protecting against collapse; with λ too small the energies drift without limit and the lane can diverge, with λ too large the energy becomes too smooth to separate data from samples.",
    references: &[KUMAR_2019, HJELM_2018],
};
