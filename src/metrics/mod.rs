//! Sample-quality metrics: a small MNIST classifier, classifier-feature FID and class coverage.

use burn::tensor::backend::Backend;
use serde::Serialize;

pub mod classifier;
pub mod fid;

pub use classifier::Classifier;
pub use fid::{class_histogram, classes_covered, frechet, Gaussian, COVERAGE_SHARE};

use crate::data::{Digits, PIXELS};

/// `k` digits evenly spaced through `digits` (stride `len / k`). The data file is ordered by class,
/// so a contiguous slice would not be class-balanced.
pub fn evenly_spaced(digits: &Digits, k: usize) -> Digits {
    let stride = (digits.len() / k.max(1)).max(1);
    let idx: Vec<usize> = (0..digits.len()).step_by(stride).take(k).collect();
    Digits {
        images: idx.iter().flat_map(|&i| digits.images[i * PIXELS..(i + 1) * PIXELS].iter().copied()).collect(),
        labels: idx.iter().map(|&i| digits.labels[i]).collect(),
    }
}

/// The quality of a set of images against a reference set of real digits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Fréchet distance between the classifier's features of the images and of the reference.
    pub fid: f64,
    /// Classes receiving at least 2.5 % of the images (see `fid::COVERAGE_SHARE`).
    pub classes_covered: usize,
    /// Images the classifier assigns to each class 0..9.
    pub histogram: [usize; 10],
    /// Images scored.
    pub n: usize,
}

/// The reference the FID is measured against: the Gaussian fit of real digits' classifier features.
pub struct Reference {
    pub gaussian: Gaussian,
    pub n: usize,
}

impl Reference {
    /// Fits the classifier features of `images` (784 bytes each, e.g. the 1,000 held-out digits).
    pub fn new<B: Backend>(classifier: &Classifier<B>, images: &[u8]) -> Reference {
        let feats = classifier.features(images);
        Reference { gaussian: Gaussian::fit(&feats, classifier::FEATURES), n: images.len() / PIXELS }
    }
}

/// Scores `images` (784 bytes each, 0 = background, 255 = ink); needs at least 2 images.
pub fn score<B: Backend>(classifier: &Classifier<B>, reference: &Reference, images: &[u8]) -> Result<Score, String> {
    if images.len() % PIXELS != 0 {
        return Err(format!("{} bytes is not a whole number of 28×28 images ({PIXELS} bytes each)", images.len()));
    }
    let n = images.len() / PIXELS;
    if n < 2 {
        return Err(format!("{n} images: at least 2 are needed to fit a covariance"));
    }
    let (feats, preds) = classifier.features_and_predictions(images);
    let histogram = class_histogram(&preds);
    Ok(Score {
        fid: frechet(&Gaussian::fit(&feats, classifier::FEATURES), &reference.gaussian),
        classes_covered: classes_covered(&histogram),
        histogram,
        n,
    })
}
