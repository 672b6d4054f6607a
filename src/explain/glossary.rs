//! One-line explanations of every term the page shows: the quality metrics, the sample views, D's
//! scores, each diagnostic (keyed by the name the lane's statistics report), and the step counts.

use super::Term;

pub const GLOSSARY: &[Term] = &[
    // Quality metrics and views.
    Term {
        term: "fid",
        label: "FID",
        text: "Fréchet distance between Gaussians fitted to a small digit classifier's features of the generated images and of held-out real images: lower is better, and it drops only when samples are both realistic and varied. The features are this site's classifier's, not Inception's, so compare FIDs only within the playground.",
    },
    Term {
        term: "real_fid",
        label: "real-data FID",
        text: "The FID of real training images measured the same way, with as many images as a live measurement: the floor a perfect generator would reach. It is above 0 because a finite sample never matches the reference exactly.",
    },
    Term {
        term: "fixed_z",
        label: "fixed z",
        text: "The same latent vectors are fed to G every time the sample grid is drawn, so what changes between frames is the generator, not the random draw.",
    },
    Term {
        term: "classes_covered",
        label: "classes covered",
        text: "How many of the 10 classes receive at least 2.5% of the generated images, as judged by the classifier; fewer than 10 is a sign of mode collapse.",
    },
    Term {
        term: "p_real",
        label: "P(real)",
        text: "The discriminator's probability that an image is real, σ(l(x)) of its raw output; 0.5 means D cannot tell.",
    },
    Term {
        term: "d_x",
        label: "D(x)",
        text: "What D says about a real image x: a probability of being real for the GAN objectives, a critic score for WGAN, a raw output for LSGAN, an energy for EBGAN and MEG (low = real). D pushes it towards its 'real' end.",
    },
    Term {
        term: "d_g_z",
        label: "D(G(z))",
        text: "What D says about a generated image G(z): D pushes it towards 'fake', G towards 'real'. A gap between D(x) and D(G(z)) that stays wide means D is winning.",
    },
    Term {
        term: "d_loss",
        label: "d loss",
        text: "The loss the discriminator (critic, energy network) minimised in its last update; its level means different things for each objective, and for GANs it does not track sample quality.",
    },
    Term {
        term: "g_loss",
        label: "g loss",
        text: "The loss the generator minimised in its last update; like d loss, read it within one objective, not across objectives.",
    },
    // Diagnostics, by the names the lanes report.
    Term {
        term: "d_real",
        label: "d_real",
        text: "Mean of D(x) over the real batch of D's last update: a probability for the GAN objectives, LSGAN's raw output.",
    },
    Term {
        term: "d_fake",
        label: "d_fake",
        text: "Mean of D(G(z)) over the fake batch of D's last update: a probability for the GAN objectives, LSGAN's raw output.",
    },
    Term {
        term: "js_estimate",
        label: "js estimate",
        text: "(log 4 − L_D)/2: with the best possible D this is the Jensen–Shannon divergence between data and samples, from 0 (indistinguishable) to log 2 ≈ 0.69 (fully separated); with a real D it is a lower bound.",
    },
    Term {
        term: "instance_noise",
        label: "instance noise",
        text: "The standard deviation of the Gaussian noise added to D's inputs, real and fake, falling linearly from 0.5 to 0 so the two distributions overlap early in training.",
    },
    Term {
        term: "w_estimate",
        label: "w estimate",
        text: "E[f(x)] − E[f(G(z))], the critic's estimate of the earth mover's (Wasserstein-1) distance between data and samples, up to a scale; it should fall as the samples improve.",
    },
    Term {
        term: "clip_fraction",
        label: "clip fraction",
        text: "The share of WGAN's critic weights sitting at the clip bound ±c; near 1, the clamp rather than the data decides what the critic can express.",
    },
    Term {
        term: "gradient_penalty",
        label: "gradient penalty",
        text: "WGAN-GP: the mean of (‖∇f(x̂)‖ − 1)² at random mixes x̂ of real and fake images. MEG: the mean squared input-gradient norm of the energy at real images.",
    },
    Term {
        term: "grad_norm",
        label: "grad norm",
        text: "WGAN-GP: the critic's mean input-gradient norm at the real–fake mixes; the penalty holds it near 1, the slope of an ideal critic.",
    },
    Term {
        term: "energy",
        label: "energy",
        text: "A score where low means 'looks real': for EBGAN the autoencoder's per-pixel reconstruction error (0 to 4), for MEG the energy network's unbounded output.",
    },
    Term {
        term: "energy_real",
        label: "energy_real",
        text: "Mean energy of the real batch: D keeps it low (for EBGAN, well below the margin m).",
    },
    Term {
        term: "energy_fake",
        label: "energy_fake",
        text: "Mean energy of the fake batch: D pushes it up (for EBGAN, up to the margin m and no further), G pulls it down.",
    },
    Term {
        term: "pull_away",
        label: "pull-away",
        text: "EBGAN: the mean squared cosine similarity between the encoder's codes of different fakes in a batch, 0 for unrelated codes and 1 for identical ones; G adds it to its loss to keep its samples varied.",
    },
    Term {
        term: "mi_lower_bound",
        label: "mi lower bound",
        text: "InfoGAN: log 10 minus Q's cross-entropy on the categorical code, a lower bound on how much the image tells about its code; its ceiling is log 10 ≈ 2.30 nats.",
    },
    Term {
        term: "info_loss",
        label: "info loss",
        text: "InfoGAN: λ_cat·cross-entropy + λ_con·squared error of Q reading the codes back from the fakes; G and Q both minimise it.",
    },
    Term {
        term: "mi_estimate",
        label: "mi estimate",
        text: "MEG: the Jensen–Shannon estimate of the mutual information between z and G(z), G's stand-in for its entropy; from −log 4 (no information) up to 0.",
    },
    Term {
        term: "g_grad_norm",
        label: "g grad norm",
        text: "The length of the generator's gradient at its last update, every lane; it collapses towards 0 when G's loss saturates, as the minimax loss does when D wins.",
    },
    // Step counts.
    Term {
        term: "k",
        label: "k",
        text: "Discriminator updates per generator update (Goodfellow et al. 2014, Algorithm 1); a larger k makes D stronger relative to G.",
    },
    Term {
        term: "n_critic",
        label: "n_critic",
        text: "Critic updates per generator update in WGAN and WGAN-GP (5): the Wasserstein estimate holds only for a near-optimal critic, so the critic gets more steps than G.",
    },
];
