//! The non-saturating ("heuristic") GAN and the seed's training tricks. Draws on seed 001 ("Cost
//! function": the heuristic, non-saturating game; "DCGAN" practice: the loss stuck at 27 when D wins,
//! and the list of tricks: soft and noisy labels, decaying input noise, dropout in G) and objectives.md §2.

use super::papers::{ARJOVSKY_BOTTOU_2017, GOODFELLOW_2014};
use super::{Explainer, Formula, Reference, Role, Symbol, Watch};

const SALIMANS_2016: Reference = Reference {
    authors: "Tim Salimans, Ian Goodfellow, Wojciech Zaremba, Vicki Cheung, Alec Radford, Xi Chen",
    year: 2016,
    title: "Improved Techniques for Training GANs",
    arxiv: "1606.03498",
};

const SONDERBY_2016: Reference = Reference {
    authors: "Casper Kaae Sønderby, Jose Caballero, Lucas Theis, Wenzhe Shi, Ferenc Huszár",
    year: 2016,
    title: "Amortised MAP Inference for Image Super-resolution",
    arxiv: "1610.04490",
};

pub const EXPLAINER: Explainer = Explainer {
    id: "nonsaturating",
    title: "GAN with the non-saturating generator loss",
    formulas: &[
        Formula {
            role: Role::D,
            label: "D's loss: cross-entropy, real = 1, fake = 0",
            tex: r"\mathcal{L}_D = -\,\mathbb{E}_{x}\big[\log D(x)\big] - \mathbb{E}_{z}\big[\log\big(1 - D(G(z))\big)\big]",
        },
        Formula {
            role: Role::G,
            label: "G's loss: maximise the log-probability that D is fooled",
            tex: r"\mathcal{L}_G = -\,\mathbb{E}_{z}\big[\log D(G(z))\big]",
        },
        Formula {
            role: Role::Extra,
            label: "G's gradient through D's logit l stays large while D wins",
            tex: r"\frac{\partial}{\partial l}\big(-\log \sigma(l)\big) = -\big(1 - \sigma(l)\big) \;\to\; -1 \quad \text{as } D(G(z)) = \sigma(l) \to 0",
        },
        Formula {
            role: Role::Extra,
            label: "one-sided label smoothing (toggle): real images get the target 0.9",
            tex: r"\mathcal{L}_D = -\,\mathbb{E}_{x}\big[0.9 \log D(x) + 0.1 \log\big(1 - D(x)\big)\big] - \mathbb{E}_{z}\big[\log\big(1 - D(G(z))\big)\big]",
        },
        Formula {
            role: Role::Extra,
            label: "instance noise (toggle): D sees noisy images, the noise fading out over T steps",
            tex: r"\tilde x = x + \epsilon, \quad \epsilon \sim \mathcal{N}\big(0, \sigma_t^2 I\big), \quad \sigma_t = 0.5\,\max\big(0,\, 1 - t/T\big)",
        },
    ],
    symbols: &[
        Symbol { tex: r"x", meaning: "a real training digit, pixels scaled to [−1, 1]" },
        Symbol { tex: r"z", meaning: "the generator's latent input, drawn from a standard normal distribution" },
        Symbol { tex: r"G(z)", meaning: "the image the generator makes from z" },
        Symbol { tex: r"D(x) = \sigma(l(x))", meaning: "the discriminator's probability that x is real: the sigmoid σ of its raw output (logit) l(x)" },
        Symbol { tex: r"t,\ T", meaning: "the generator step, and the number of steps over which the instance noise falls to 0" },
        Symbol { tex: r"\sigma_t", meaning: "the standard deviation of the instance noise at step t" },
    ],
    intuition: &[
        "D is the same classifier as in the minimax GAN: cross-entropy pushes D(x) towards 1 on training digits and D(G(z)) towards 0 on fakes.",
        "G changes its question: instead of minimising the chance that D is right about a fake, it maximises the log-probability that D is wrong, −log D(G(z)).",
        "That curve is steepest where D(G(z)) is near 0, so G gets its strongest push exactly when D rejects its samples, the regime in which the minimax loss goes flat.",
        "The game has the same fixed point (P_G = P_data, D = ½ everywhere), but G no longer descends a pure Jensen–Shannon divergence: with the best D its gradient is that of KL(P_G‖P_data) − 2·JS, whose reverse-KL part punishes unrealistic samples hard but missing digits only lightly.",
        "The toggles are the seed's practical tricks, each making D's task a little softer or harder so it cannot overpower G: one-sided label smoothing, labels flipped at random, Gaussian noise on D's inputs that fades away, and dropout in G.",
    ],
    watch: &[
        Watch {
            diagnostic: "g_grad_norm",
            look_for: "Stays well above 0 even when D is winning; compare with a minimax lane with the same seed, whose g_grad_norm collapses.",
        },
        Watch {
            diagnostic: "d_real",
            look_for: "D's mean probability that a real digit is real. With d_fake it should stay apart from 0.5 but not pinned at 1 and 0; both at the extremes for long means D has won and G's samples are not improving.",
        },
        Watch {
            diagnostic: "js_estimate",
            look_for: "(log 4 − L_D)/2, a lower bound on the Jensen–Shannon divergence: it swings rather than falling steadily, because neither player is ever at its optimum, so read it as how clearly D separates the two sets now.",
        },
        Watch {
            diagnostic: "instance_noise",
            look_for: "The current σ of the noise added to D's inputs when instance noise is on: a straight line from 0.5 down to 0 over the annealing steps.",
        },
    ],
    failure_mode: "Mode collapse: G finds a few digits that fool the current D and produces mostly those, D catches up, G hops to other digits; the class histogram and classes covered show it. The losses oscillate instead of converging and say little about sample quality.",
    references: &[GOODFELLOW_2014, ARJOVSKY_BOTTOU_2017, SALIMANS_2016, SONDERBY_2016],
};
