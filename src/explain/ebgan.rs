//! Energy-based GAN. Draws on seed 000 (the energy view of GAN, the autoencoder discriminator and
//! reconstruction energy, the margin that stops fake energies running to infinity, the repelling
//! pull-away regulariser and its squared cosine) and seed 002 §2 (D as an energy function: low energy
//! = real), objectives.md §7, and the README's EBGAN BatchNorm finding (fakes held at the margin).

use super::{Explainer, Formula, Reference, Role, Symbol, Watch};

const ZHAO_2016: Reference = Reference {
    authors: "Junbo Zhao, Michael Mathieu, Yann LeCun",
    year: 2016,
    title: "Energy-based Generative Adversarial Network",
    arxiv: "1609.03126",
};

pub const EXPLAINER: Explainer = Explainer {
    id: "ebgan",
    title: "Energy-based GAN (EBGAN)",
    formulas: &[
        Formula {
            role: Role::Extra,
            label: "the energy: how badly D's autoencoder reconstructs an image (mean over the 784 pixels)",
            tex: r"E(x) = \tfrac{1}{784}\, \big\lVert \operatorname{Dec}(\operatorname{Enc}(x)) - x \big\rVert_2^2",
        },
        Formula {
            role: Role::D,
            label: "D's loss: low energy for real images, fakes pushed up to the margin m",
            tex: r"\mathcal{L}_D = \mathbb{E}_{x}\big[E(x)\big] + \mathbb{E}_{z}\big[\max\big(0,\; m - E(G(z))\big)\big]",
        },
        Formula {
            role: Role::G,
            label: "G's loss: low-energy fakes, spread apart",
            tex: r"\mathcal{L}_G = \mathbb{E}_{z}\big[E(G(z))\big] + \lambda_{PT}\, f_{PT}(S)",
        },
        Formula {
            role: Role::Extra,
            label: "pull-away term: mean squared cosine similarity of the fakes' codes, S_i = Enc(G(z_i))",
            tex: r"f_{PT}(S) = \frac{1}{N(N-1)} \sum_{i} \sum_{j \ne i} \left( \frac{S_i^{\top} S_j}{\lVert S_i \rVert\, \lVert S_j \rVert} \right)^2",
        },
    ],
    symbols: &[
        Symbol { tex: r"E(x)", meaning: "the energy of an image: D's reconstruction error, low = looks real (between 0 and 4 for images in [−1, 1])" },
        Symbol { tex: r"\operatorname{Enc},\ \operatorname{Dec}", meaning: "the two halves of D's autoencoder: image → 32-number code → image" },
        Symbol { tex: r"m", meaning: "the margin (1): D stops pushing a fake's energy up once it reaches m" },
        Symbol { tex: r"S_i", meaning: "the encoder's code of the i-th fake in the batch" },
        Symbol { tex: r"N", meaning: "the number of fakes in the batch" },
        Symbol { tex: r"\lambda_{PT}", meaning: "the weight of the pull-away term (0.1)" },
    ],
    intuition: &[
        "EBGAN reads D as an energy function, low for things that look like data and high for everything else; here D is an autoencoder and an image's energy is how badly it reconstructs it.",
        "D learns to reconstruct real digits well and fakes badly, but only up to the margin m: once a fake's energy passes m the hinge stops pushing, which keeps the fakes' energies from running off to infinity.",
        "G minimises the energy of its samples, so it must make images the autoencoder can reconstruct, which it has only learnt to do for things that resemble training digits.",
        "Low energy alone would let G make the same good digit over and over, so G also pays the pull-away term: the squared cosine similarity between the encoder's codes of different fakes in a batch, small when the batch is varied.",
        "Compared with a classifier, the autoencoder gets a rich per-pixel training signal from every real image, and the paper shows that at the game's equilibrium G's distribution still equals the data's.",
    ],
    watch: &[
        Watch {
            diagnostic: "energy_real",
            look_for: "Should settle well below the margin m (about 0.35 on DCGAN here). Compare it with energy_fake: the fakes should sit between the real energy and m. Fakes stuck at m mean D's hinge gives no gradient and G is left producing noise; fakes down at the real level mean D can no longer tell them apart.",
        },
        Watch {
            diagnostic: "pull_away",
            look_for: "0 for codes pointing in unrelated directions, 1 for identical ones. A pull-away climbing towards 1 warns of mode collapse before the class histogram shows it.",
        },
        Watch {
            diagnostic: "energy_fake",
            look_for: "The fakes' mean energy: below m, so D keeps learning from them, and above energy_real.",
        },
    ],
    failure_mode: "The balance between margin and energies is delicate: if the fakes' energies sit at m, D's hinge gives no gradient and G drifts into noise, and the generator can still collapse onto a few shapes (it does on the MLP here) despite the pull-away term. BatchNorm in the autoencoder breaks it outright: an image's energy then depends on the rest of its batch, so D tells real batches from fake ones by their statistics.",
    references: &[ZHAO_2016],
};
