//! Teaching text for every objective: its losses as LaTeX, the symbols named, the intuition, the
//! diagnostic that tells its story, its known failure mode and its paper; and a glossary of the terms
//! the page shows. One file per objective, registered here like the objective itself
//! (`tests/explain.rs` fails when an objective has no explainer). The page gets it all as JSON
//! (`explainers_json`) and renders the formulas with KaTeX.

use serde::Serialize;

mod ebgan;
mod glossary;
mod infogan;
mod lsgan;
mod meg;
mod minimax;
mod nonsaturating;
mod wgan;
mod wgan_gp;

pub use glossary::GLOSSARY;

/// What a formula is: the discriminator's (or critic's, or energy network's) loss, the generator's
/// loss, or another term or identity that explains them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    D,
    G,
    Extra,
}

/// One displayed formula.
#[derive(Debug, Clone, Serialize)]
pub struct Formula {
    pub role: Role,
    /// A short caption, e.g. "D's loss" or "gradient penalty".
    pub label: &'static str,
    /// The formula as LaTeX (KaTeX's subset), display style.
    pub tex: &'static str,
}

/// A symbol of the formulas and what it stands for.
#[derive(Debug, Clone, Serialize)]
pub struct Symbol {
    /// The symbol as LaTeX, rendered inline.
    pub tex: &'static str,
    pub meaning: &'static str,
}

/// A diagnostic to watch, named exactly as the lane's statistics report it.
#[derive(Debug, Clone, Serialize)]
pub struct Watch {
    /// A name of the objective's `d_diagnostics` or `g_diagnostics`, or `g_grad_norm`.
    pub diagnostic: &'static str,
    /// What to look for in its chart.
    pub look_for: &'static str,
}

/// A paper.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    pub authors: &'static str,
    pub year: u16,
    pub title: &'static str,
    /// The arXiv identifier, e.g. `1406.2661`.
    pub arxiv: &'static str,
}

/// Everything the explainer panel shows for one objective.
#[derive(Debug, Clone, Serialize)]
pub struct Explainer {
    /// The objective's registered id (`crate::objective::all()`).
    pub id: &'static str,
    pub title: &'static str,
    /// D's loss, G's loss and the extra terms, in reading order.
    pub formulas: &'static [Formula],
    pub symbols: &'static [Symbol],
    /// 3 to 6 sentences, one per entry, shown as one paragraph.
    pub intuition: &'static [&'static str],
    /// The diagnostic that tells this objective's story first, then any others worth a look.
    pub watch: &'static [Watch],
    pub failure_mode: &'static str,
    /// The objective's paper first, then any others the text draws on.
    pub references: &'static [Reference],
}

/// A term the page shows and its one-line explanation.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// The key the page marks elements with (`data-term="fid"`); diagnostics use their own names.
    pub term: &'static str,
    /// How the page writes it.
    pub label: &'static str,
    pub text: &'static str,
}

/// Every explainer, in the order of the objective registry.
pub const ALL: &[&Explainer] = &[
    &nonsaturating::EXPLAINER,
    &minimax::EXPLAINER,
    &lsgan::EXPLAINER,
    &wgan::EXPLAINER,
    &wgan_gp::EXPLAINER,
    &ebgan::EXPLAINER,
    &infogan::EXPLAINER,
    &meg::EXPLAINER,
];

/// The explainer of the objective `id`, if it has one.
pub fn explainer(id: &str) -> Option<&'static Explainer> {
    ALL.iter().copied().find(|e| e.id == id)
}

/// Every explainer and the glossary: `{"objectives": [Explainer, ...], "glossary": [Term, ...]}`.
#[derive(Serialize)]
struct Teaching {
    objectives: &'static [&'static Explainer],
    glossary: &'static [Term],
}

/// The explainers and the glossary as JSON (see `Teaching` for the shape).
pub fn explainers_json() -> String {
    serde_json::to_string(&Teaching { objectives: ALL, glossary: GLOSSARY }).expect("static teaching text serialises")
}

/// The glossary entry for `term`, if there is one.
pub fn term(term: &str) -> Option<&'static Term> {
    GLOSSARY.iter().find(|t| t.term == term)
}

/// References shared by several explainers.
pub(crate) mod papers {
    use super::Reference;

    pub const GOODFELLOW_2014: Reference = Reference {
        authors: "Ian J. Goodfellow, Jean Pouget-Abadie, Mehdi Mirza, Bing Xu, David Warde-Farley, Sherjil Ozair, Aaron Courville, Yoshua Bengio",
        year: 2014,
        title: "Generative Adversarial Networks",
        arxiv: "1406.2661",
    };

    pub const GOODFELLOW_TUTORIAL: Reference = Reference {
        authors: "Ian Goodfellow",
        year: 2016,
        title: "NIPS 2016 Tutorial: Generative Adversarial Networks",
        arxiv: "1701.00160",
    };

    pub const ARJOVSKY_BOTTOU_2017: Reference = Reference {
        authors: "Martin Arjovsky, Léon Bottou",
        year: 2017,
        title: "Towards Principled Methods for Training Generative Adversarial Networks",
        arxiv: "1701.04862",
    };

    pub const WGAN: Reference = Reference {
        authors: "Martin Arjovsky, Soumith Chintala, Léon Bottou",
        year: 2017,
        title: "Wasserstein GAN",
        arxiv: "1701.07875",
    };
}
