//! Vetting a file before it is loaded: the refusals in plain words for the page (`Refused`), the
//! data sets a checkpoint may name, and `vet` itself.

use super::{inspect, Refusal, Summary, WeightsError};

/// The data sets of the playground: id (the page's `dataset` parameter) and name in words.
pub const DATASETS: [(&str, &str); 2] = [("mnist", "MNIST"), ("fashion", "Fashion-MNIST")];

/// A data set's name in words (`"fashion"` → `"Fashion-MNIST"`; an unknown id as itself, shortened).
pub fn dataset_words(id: &str) -> String {
    DATASETS.iter().find(|(i, _)| *i == id).map_or_else(|| format!("{:?}", crate::config::shorten(id)), |(_, w)| w.to_string())
}

/// Notice for a file that loaded without a checksum (`Integrity::NoChecksum`).
pub const NO_CHECKSUM_NOTICE: &str = "this checkpoint was saved by an older version of the playground, without a checksum: it loaded, but damage to it could not be detected";
/// Notice for a compact checkpoint (`meta.compact`: f16 weights, no optimizer state).
pub const COMPACT_NOTICE: &str = "this is a compact checkpoint: its weights were rounded to half precision (within 0.05%) and its optimizer starts afresh, so training continues close to, not exactly as, the run that saved it";

impl Summary {
    /// What a user should be told about a file that loads: it had no checksum, or it is compact.
    pub fn notice(&self) -> Option<&'static str> {
        if self.integrity == super::Integrity::NoChecksum {
            Some(NO_CHECKSUM_NOTICE)
        } else if self.meta.get("compact").and_then(serde_json::Value::as_bool) == Some(true) {
            Some(COMPACT_NOTICE)
        } else {
            None
        }
    }
}

/// A file refused before loading, for the page: a stable `code`, a plain-words `message` and the
/// technical `detail`. Codes: `not-a-checkpoint`, `too-large`, `damaged`, `other-version`,
/// `incompatible` (intact but does not fit: another kind, config or shapes), `dataset-mismatch`
/// (then `file_dataset` and `page_dataset` say which data sets).
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
    pub detail: String,
    pub file_dataset: Option<String>,
    pub page_dataset: Option<String>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl Refused {
    fn plain(code: &'static str, message: String, detail: String) -> Refused {
        Refused { code, message, detail, file_dataset: None, page_dataset: None }
    }

    /// A weights error in plain words.
    pub fn from_weights(e: &WeightsError) -> Refused {
        let code = match e.refusal {
            Refusal::NotWeights => "not-a-checkpoint",
            Refusal::TooLarge => "too-large",
            Refusal::Damaged => "damaged",
            Refusal::OtherVersion => "other-version",
            Refusal::Unfit => "incompatible",
        };
        Refused::plain(code, e.plain(), e.to_string())
    }

    /// An intact checkpoint that does not fit (its config is refused, its tensors do not fit the
    /// networks, its batch order does not fit the data): `detail` says what.
    pub fn incompatible(detail: &str) -> Refused {
        let message = format!("this checkpoint does not fit this playground ({})", crate::config::shorten(detail));
        Refused::plain("incompatible", message, detail.to_string())
    }
}

/// Checks `bytes` before loading: a weights file (structure, checksum), of `kind`, trained on the
/// page's data set `page_dataset` when both the file and the page name one. Returns the file's
/// summary (its `integrity` says whether a checksum verified it).
pub fn vet(bytes: &[u8], kind: &str, page_dataset: Option<&str>) -> Result<Summary, Refused> {
    let summary = inspect(bytes).map_err(|e| Refused::from_weights(&e))?;
    if summary.kind != kind {
        let held = crate::config::shorten(&summary.kind);
        return Err(Refused::plain(
            "not-a-checkpoint",
            format!("this file is not a playground checkpoint (it holds weights of kind {held:?})"),
            format!("kind: file holds {held:?}, expected {kind:?}"),
        ));
    }
    if let (Some(file), Some(page)) = (summary.dataset(), page_dataset) {
        if file != page {
            let (f, p) = (dataset_words(file), dataset_words(page));
            return Err(Refused {
                code: "dataset-mismatch",
                message: format!("this checkpoint was trained on {f}; this page uses {p}: switch the dataset to {f} to continue it"),
                detail: format!("dataset: file trained on {file:?}, page uses {page:?}"),
                file_dataset: Some(crate::config::shorten(file)),
                page_dataset: Some(page.to_string()),
            });
        }
    }
    Ok(summary)
}
