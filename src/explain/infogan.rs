//! InfoGAN. Draws on seed 004 (codes c beside z, the recognition network Q sharing D's body, the
//! mutual-information term in the minimax objective, its variational lower bound, a Gaussian p(c|x)
//! turning it into a squared error) and objectives.md §8 (10-way categorical + 2 continuous codes,
//! λ_cat = 1, λ_con = 0.1, the bound's ceiling log 10, sliders on a fixed z).

use super::{Explainer, Formula, Reference, Role, Symbol, Watch};

const CHEN_2016: Reference = Reference {
    authors: "Xi Chen, Yan Duan, Rein Houthooft, John Schulman, Ilya Sutskever, Pieter Abbeel",
    year: 2016,
    title: "InfoGAN: Interpretable Representation Learning by Information Maximizing Generative Adversarial Nets",
    arxiv: "1606.03657",
};

pub const EXPLAINER: Explainer = Explainer {
    id: "infogan",
    title: "InfoGAN: codes the generator must make readable",
    formulas: &[
        Formula {
            role: Role::Extra,
            label: "the game: the GAN's, minus λ times the information between the codes and the image",
            tex: r"\min_{G, Q} \max_D \; V(D, G) - \lambda\, I\big(c;\, G(z, c)\big)",
        },
        Formula {
            role: Role::D,
            label: "D's loss (D's body and its Q head): the GAN's cross-entropy, plus the information loss",
            tex: r"\mathcal{L}_{D,Q} = -\,\mathbb{E}_{x}\big[\log D(x)\big] - \mathbb{E}_{z,c}\big[\log\big(1 - D(G(z, c))\big)\big] + \mathcal{L}_I",
        },
        Formula {
            role: Role::G,
            label: "G's loss: the non-saturating GAN's, plus the information loss",
            tex: r"\mathcal{L}_G = -\,\mathbb{E}_{z,c}\big[\log D(G(z, c))\big] + \mathcal{L}_I",
        },
        Formula {
            role: Role::Extra,
            label: "information loss: how badly Q reads the codes back from the image",
            tex: r"\mathcal{L}_I = \lambda_{\text{cat}}\, \mathrm{CE}\big(Q_{\text{cat}}(G(z, c)),\, c_{\text{cat}}\big) + \lambda_{\text{con}}\, \operatorname{MSE}\big(Q_{\text{con}}(G(z, c)),\, c_{\text{con}}\big)",
        },
        Formula {
            role: Role::Extra,
            label: "the information term: a lower bound on the mutual information, at most log 10",
            tex: r"I\big(c_{\text{cat}};\, G(z, c)\big) \;\ge\; H(c_{\text{cat}}) - \mathrm{CE} = \log 10 - \mathrm{CE}",
        },
    ],
    symbols: &[
        Symbol { tex: r"c_{\text{cat}}", meaning: "a categorical code: one of 10 values, given to G as a one-hot vector" },
        Symbol { tex: r"c_{\text{con}}", meaning: "two continuous codes, each uniform in [−1, 1]" },
        Symbol { tex: r"Q", meaning: "the recognition head on D's body: predicts the codes from an image (10 logits and 2 means)" },
        Symbol { tex: r"I(c;\, G(z, c))", meaning: "the mutual information between the codes and the image: how much the image tells about its codes" },
        Symbol { tex: r"\mathrm{CE}", meaning: "the cross-entropy of Q's categorical prediction against the true code, in nats" },
        Symbol { tex: r"H(c_{\text{cat}}) = \log 10", meaning: "the entropy of a uniform 10-way code: the most information it can carry" },
        Symbol { tex: r"\lambda_{\text{cat}},\ \lambda_{\text{con}}", meaning: "weights of the two parts of the information loss (1 and 0.1)" },
    ],
    intuition: &[
        "InfoGAN gives G, besides the noise z, a few codes: here one 10-way categorical code and two continuous codes in [−1, 1], with nothing saying what they should mean.",
        "A recognition head Q on D's body tries to read the codes back from each generated image, and G and Q both minimise Q's error, which is a variational lower bound on the mutual information between the codes and the image.",
        "The only way G can make its codes readable is to let each one control a visible, consistent feature, so on MNIST the categorical code tends to take over the digit's class and the continuous codes its style, such as slant or stroke width, without any labels.",
        "The adversarial part is the non-saturating GAN, and the information term is cheap because Q shares D's layers.",
        "For the categorical code the bound is log 10 minus Q's cross-entropy: it reaches its ceiling log 10 ≈ 2.30 nats when Q recognises every code perfectly.",
    ],
    watch: &[
        Watch {
            diagnostic: "mi_lower_bound",
            look_for: "Rises towards log 10 ≈ 2.30 as the categorical code takes control of the image. A plateau well below it means some code values look alike (often two of them sharing one digit); check the code explorer.",
        },
        Watch {
            diagnostic: "info_loss",
            look_for: "The weighted information loss L_I: falls as the codes become readable; it mirrors mi_lower_bound.",
        },
    ],
    failure_mode: "The codes are only guaranteed to be readable, not meaningful: the categorical code can split one digit over two values and merge two others, or control style instead of class; a too-large λ lets the information term win over image quality, and the adversarial part can still collapse like any GAN.",
    references: &[CHEN_2016],
};
