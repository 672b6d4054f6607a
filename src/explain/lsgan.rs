//! Least-squares GAN. Draws on seed 003 (sigmoid classifiers' vanishing gradients; the regression
//! targets a, b, c; the optimal D; the derivation of the Pearson χ² divergence with b − c = 1,
//! b − a = 2; the two codings, where the seed's prose and code disagree) and objectives.md §4.

use super::{Explainer, Formula, Reference, Role, Symbol, Watch};

const MAO_2016: Reference = Reference {
    authors: "Xudong Mao, Qing Li, Haoran Xie, Raymond Y. K. Lau, Zhen Wang, Stephen Paul Smolley",
    year: 2016,
    title: "Least Squares Generative Adversarial Networks",
    arxiv: "1611.04076",
};

pub const EXPLAINER: Explainer = Explainer {
    id: "lsgan",
    title: "Least-squares GAN (LSGAN)",
    formulas: &[
        Formula {
            role: Role::D,
            label: "D's loss: regress real images to b and fakes to a",
            tex: r"\mathcal{L}_D = \tfrac12\, \mathbb{E}_{x}\big[(D(x) - b)^2\big] + \tfrac12\, \mathbb{E}_{z}\big[(D(G(z)) - a)^2\big]",
        },
        Formula {
            role: Role::G,
            label: "G's loss: make D output c on its fakes",
            tex: r"\mathcal{L}_G = \tfrac12\, \mathbb{E}_{z}\big[(D(G(z)) - c)^2\big]",
        },
        Formula {
            role: Role::Extra,
            label: "the best D for the current G",
            tex: r"D^*(x) = \frac{b\, p_{\text{data}}(x) + a\, p_G(x)}{p_{\text{data}}(x) + p_G(x)}",
        },
        Formula {
            role: Role::Extra,
            label: "with b − c = 1 and b − a = 2, G minimises a Pearson χ² divergence (C: G's loss plus the same term on real data, which G cannot change)",
            tex: r"2\,C(G) = \int \frac{\big(2 p_G(x) - (p_{\text{data}}(x) + p_G(x))\big)^2}{p_{\text{data}}(x) + p_G(x)}\, dx = \chi^2_{\text{Pearson}}\big(P_{\text{data}} + P_G \,\big\|\, 2 P_G\big)",
        },
    ],
    symbols: &[
        Symbol { tex: r"D(x)", meaning: "D's raw output: a linear score, no sigmoid" },
        Symbol { tex: r"a", meaning: "D's target for fakes (0 in the 0-1 coding, −1 in the χ² coding)" },
        Symbol { tex: r"b", meaning: "D's target for real images (1 in both codings)" },
        Symbol { tex: r"c", meaning: "the value G wants D to output on its fakes (1 in the 0-1 coding, 0 in the χ² coding)" },
        Symbol { tex: r"D^*", meaning: "the best possible D for the current generator" },
        Symbol { tex: r"\chi^2_{\text{Pearson}}", meaning: "the Pearson chi-squared divergence, a squared-difference measure of how far two distributions are apart" },
    ],
    intuition: &[
        "LSGAN keeps D's output linear and turns the classifier into a regression: real images are pulled towards the target b and fakes towards a, by squared error.",
        "G wants D to output c on its fakes, also by squared error.",
        "A sigmoid cross-entropy goes flat for a fake that already lies on the real side of D's decision boundary, even if it is still far from the data; the squared error keeps growing with the distance from the target, so such samples are still pulled towards the real ones and G's gradient does not vanish.",
        "With b − c = 1 and b − a = 2 (the χ² preset a = −1, b = 1, c = 0), G at the best D minimises a Pearson χ² divergence; the 0-1 preset (a = 0, b = c = 1) gives up that equivalence but simply asks G to make fakes that D scores like real ones.",
        "The seed's prose and its code name different targets, so both codings are presets and any (a, b, c) can be set by hand.",
    ],
    watch: &[
        Watch {
            diagnostic: "d_real",
            look_for: "D's mean raw output on real images: early on it approaches b. At the equilibrium (P_G = P_data) the best D outputs (a + b)/2 on everything, so d_real and d_fake drift towards each other: 0.5 in the 0-1 coding, 0 in the χ² coding.",
        },
        Watch {
            diagnostic: "d_fake",
            look_for: "D's mean raw output on fakes: D pulls it towards a, G towards c. Stuck at a means D wins outright; climbing towards (a + b)/2 means the fakes are becoming hard to tell from data.",
        },
    ],
    failure_mode: "It can still collapse onto a few digits like the GAN; and because the loss is quadratic, fakes that D rates beyond c are pushed back as hard as fakes that fall short, so D and G can oscillate around the targets instead of settling. With a and b close together D's signal is weak.",
    references: &[MAO_2016],
};
