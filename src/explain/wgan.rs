//! WGAN with weight clipping. Draws on seed 001 ("WGAN & WGAN-GP": why KL and JS fail on
//! low-dimensional manifolds, the moving-segment example, the Kantorovich–Rubinstein duality, clipping
//! to [-0.01, 0.01], RMSprop, n_critic and the 100-step warm-up; "the Wasserstein distance is a good
//! indicator of training progress") and objectives.md §5.

use super::papers::WGAN;
use super::{Explainer, Formula, Role, Symbol, Watch};

pub const EXPLAINER: Explainer = Explainer {
    id: "wgan",
    title: "Wasserstein GAN with weight clipping",
    formulas: &[
        Formula {
            role: Role::D,
            label: "the critic's loss: rate real images high and fakes low",
            tex: r"\mathcal{L}_D = \mathbb{E}_{z}\big[f(G(z))\big] - \mathbb{E}_{x}\big[f(x)\big]",
        },
        Formula {
            role: Role::Extra,
            label: "after every critic step, every critic weight is clamped",
            tex: r"w \leftarrow \operatorname{clip}(w, -c, c) \quad \text{for every weight } w \text{ of } f",
        },
        Formula {
            role: Role::G,
            label: "G's loss: raise the critic's rating of its fakes",
            tex: r"\mathcal{L}_G = -\,\mathbb{E}_{z}\big[f(G(z))\big]",
        },
        Formula {
            role: Role::Extra,
            label: "what the critic estimates (Kantorovich–Rubinstein duality)",
            tex: r"W(P_{\text{data}}, P_G) = \sup_{\lVert f \rVert_L \le 1} \; \mathbb{E}_{x \sim P_{\text{data}}}\big[f(x)\big] - \mathbb{E}_{x \sim P_G}\big[f(x)\big]",
        },
        Formula {
            role: Role::Extra,
            label: "the earth mover's distance: the cheapest way to move one distribution onto the other",
            tex: r"W(P, Q) = \inf_{\gamma \in \Pi(P, Q)} \; \mathbb{E}_{(x, y) \sim \gamma}\big[\lVert x - y \rVert\big]",
        },
    ],
    symbols: &[
        Symbol { tex: r"f", meaning: "the critic: D without a sigmoid, an unbounded score, higher = more real" },
        Symbol { tex: r"c", meaning: "the clip value (0.01): every critic weight is kept in [−c, c]" },
        Symbol { tex: r"n_{\text{critic}}", meaning: "critic updates per generator update (5)" },
        Symbol { tex: r"\lVert f \rVert_L", meaning: "the Lipschitz constant of f: the most its value can change per unit change of the image" },
        Symbol { tex: r"W", meaning: "the Wasserstein-1 (earth mover's) distance between two distributions" },
        Symbol { tex: r"\Pi(P, Q)", meaning: "all joint distributions γ(x, y) whose marginals are P and Q: the ways of moving mass from P to Q" },
    ],
    intuition: &[
        "WGAN replaces the classifier by a critic f with no sigmoid, which scores images on an open scale; it is trained to rate real digits high and fakes low, and the gap E[f(x)] − E[f(G(z))] is its estimate of the earth mover's distance between the data and G's distribution.",
        "That estimate is only valid if f is Lipschitz (its slope is bounded), and this first version enforces it bluntly: after every critic update each weight is clamped to [−c, c].",
        "G minimises the estimate: it moves its samples towards where the critic rates them higher, that is towards the data.",
        "Why it helps: real digits and generated images lie on thin, barely overlapping sets in pixel space, where the Jensen–Shannon divergence is stuck at log 2 and gives no direction, while the earth mover's distance still shrinks smoothly as the fakes move closer.",
        "So the critic can, and should, be trained close to optimal (n_critic steps per G step) without starving G of gradient, and its estimate falls as the samples improve, making it the first GAN loss that works as a progress curve.",
    ],
    watch: &[
        Watch {
            diagnostic: "w_estimate",
            look_for: "The critic's earth mover's estimate E[f(x)] − E[f(G(z))]: it should fall, noisily, as the samples improve. Its scale is set by c, so compare its trend, not its value against other lanes.",
        },
        Watch {
            diagnostic: "clip_fraction",
            look_for: "The share of critic weights sitting at ±c. Near 1, clipping rather than the data shapes the critic: it behaves like a network of binary weights, its capacity is wasted and the estimate gets loose.",
        },
    ],
    failure_mode: "Clipping makes the critic too simple or hard to train: with a small c most weights pile up at ±c and the critic can only draw crude boundaries, with a large c its gradients explode or vanish through the layers; results depend strongly on c, and training is slow (RMSprop at 5e-5, 5 critic steps per G step).",
    references: &[WGAN],
};
