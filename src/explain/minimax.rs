//! The original GAN in its minimax (saturating) form. Draws on seed 001 ("Cost function": the minimax
//! game equals a JS divergence, and D's fast convergence makes G's gradient vanish) and objectives.md §1.

use super::papers::{GOODFELLOW_2014, GOODFELLOW_TUTORIAL};
use super::{Explainer, Formula, Role, Symbol, Watch};

pub const EXPLAINER: Explainer = Explainer {
    id: "minimax",
    title: "The original GAN, minimax form",
    formulas: &[
        Formula {
            role: Role::D,
            label: "D's loss: cross-entropy, real = 1, fake = 0",
            tex: r"\mathcal{L}_D = -\,\mathbb{E}_{x}\big[\log D(x)\big] - \mathbb{E}_{z}\big[\log\big(1 - D(G(z))\big)\big]",
        },
        Formula {
            role: Role::G,
            label: "G's loss: the negative of D's fake term (zero-sum)",
            tex: r"\mathcal{L}_G = \mathbb{E}_{z}\big[\log\big(1 - D(G(z))\big)\big]",
        },
        Formula {
            role: Role::Extra,
            label: "the game both play",
            tex: r"\min_G \max_D \; \mathbb{E}_{x}\big[\log D(x)\big] + \mathbb{E}_{z}\big[\log\big(1 - D(G(z))\big)\big]",
        },
        Formula {
            role: Role::Extra,
            label: "with the best D for the current G, G minimises a Jensen–Shannon divergence",
            tex: r"D^*(x) = \frac{p_{\text{data}}(x)}{p_{\text{data}}(x) + p_G(x)}, \qquad -\mathcal{L}_D\big|_{D^*} = 2\,\mathrm{JS}(P_{\text{data}}, P_G) - \log 4",
        },
        Formula {
            role: Role::Extra,
            label: "why it saturates: G's gradient through D's logit l",
            tex: r"\frac{\partial}{\partial l}\,\log\big(1 - \sigma(l)\big) = -\,\sigma(l) \;\to\; 0 \quad \text{as } D(G(z)) = \sigma(l) \to 0",
        },
    ],
    symbols: &[
        Symbol { tex: r"x", meaning: "a real training digit, pixels scaled to [−1, 1]" },
        Symbol { tex: r"z", meaning: "the generator's latent input, drawn from a standard normal distribution" },
        Symbol { tex: r"G(z)", meaning: "the image the generator makes from z" },
        Symbol { tex: r"D(x) = \sigma(l(x))", meaning: "the discriminator's probability that x is real: the sigmoid σ of its raw output (logit) l(x)" },
        Symbol { tex: r"\mathbb{E}_x,\ \mathbb{E}_z", meaning: "averages over a batch of real images and over a batch of latent vectors" },
        Symbol { tex: r"p_{\text{data}},\ p_G", meaning: "the densities of real digits and of generated images" },
        Symbol { tex: r"\mathrm{JS}", meaning: "the Jensen–Shannon divergence: 0 when the two distributions agree, log 2 when they do not overlap" },
    ],
    intuition: &[
        "The original GAN is a zero-sum game: D is an ordinary classifier trained with cross-entropy to call training digits real and the generator's images fake, and G's loss is exactly the part of D's loss that G can change, with the sign flipped.",
        "If D were trained to the best possible classifier for the current G, G's loss would equal twice the Jensen–Shannon divergence between the data and G's distribution, minus log 4, so in theory G is minimising that divergence.",
        "In practice D learns faster than G: early on the fakes are easy to reject, D(G(z)) falls towards 0, and log(1 − D(G(z))) is almost flat there, because its slope with respect to D's logit is −D(G(z)).",
        "So G's gradient vanishes exactly when G is at its worst and needs a signal most; this saturation is why the same paper recommends the non-saturating generator loss instead.",
        "Keep this lane as the baseline that shows the problem: with a strong D (raise k) its generator stops learning while a non-saturating lane with the same seed keeps going.",
    ],
    watch: &[
        Watch {
            diagnostic: "g_grad_norm",
            look_for: "The norm of G's gradient collapses towards 0 while D wins (d_fake sinks to 0, js_estimate climbs towards log 2 ≈ 0.69): G has stopped learning. A non-saturating lane with the same seed keeps a far larger g_grad_norm.",
        },
        Watch {
            diagnostic: "d_fake",
            look_for: "D's mean probability that a fake is real. Pinned near 0 means D rejects every fake with confidence, the regime in which this loss gives G no gradient.",
        },
        Watch {
            diagnostic: "js_estimate",
            look_for: "(log 4 − L_D)/2: near log 2 ≈ 0.69 D separates real from fake perfectly; falling towards 0 means the samples are becoming hard to tell from data.",
        },
    ],
    failure_mode: "Saturation: D wins early, D(G(z)) goes to 0 and G's gradient vanishes, so the samples stop improving or never leave noise; more D steps per G step (k) make it worse. When it does learn, it can collapse onto a few digits like any GAN.",
    references: &[GOODFELLOW_2014, GOODFELLOW_TUTORIAL],
};
