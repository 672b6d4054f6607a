//! Fréchet distance between Gaussian fits of two feature sets (in f64, by symmetric eigen-decomposition),
//! and the class histogram / class-coverage rule.

use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// A class counts as covered when at least this share of the samples is classified as it: a quarter
/// of the 10 % each class would get if the generator drew the classes evenly.
pub const COVERAGE_SHARE: f64 = 0.025;

/// Mean and covariance of a feature set.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaussian {
    pub mean: DVector<f64>,
    pub cov: DMatrix<f64>,
}

impl Gaussian {
    /// Fits `features` (`n × dim`, row-major): sample mean and unbiased covariance (divided by `n − 1`).
    /// Panics if `features.len()` is not a multiple of `dim` or fewer than 2 rows are given.
    pub fn fit(features: &[f32], dim: usize) -> Gaussian {
        assert!(dim > 0 && features.len() % dim == 0, "features: {} values is not a whole number of rows of {dim}", features.len());
        let n = features.len() / dim;
        assert!(n >= 2, "features: at least 2 rows are needed for a covariance, got {n}");
        let x = DMatrix::<f64>::from_fn(n, dim, |i, j| f64::from(features[i * dim + j]));
        let mean = DVector::<f64>::from_fn(dim, |j, _| x.column(j).sum() / n as f64);
        let mut centred = x;
        for j in 0..dim {
            let m = mean[j];
            centred.column_mut(j).apply(|v| *v -= m);
        }
        let cov = centred.transpose() * &centred / (n as f64 - 1.0);
        Gaussian { mean, cov }
    }

    /// A Gaussian given directly (for tests and references). `cov` must be symmetric `dim × dim`.
    pub fn new(mean: Vec<f64>, cov: Vec<f64>) -> Gaussian {
        let d = mean.len();
        assert_eq!(cov.len(), d * d, "covariance must be {d} × {d}");
        Gaussian { mean: DVector::from_vec(mean), cov: DMatrix::from_row_slice(d, d, &cov) }
    }

    pub fn dim(&self) -> usize {
        self.mean.len()
    }
}

/// Symmetric positive semi-definite square root: `V · diag(√max(0, λ)) · Vᵀ`.
fn sqrt_psd(m: &DMatrix<f64>) -> DMatrix<f64> {
    let e = SymmetricEigen::new(symmetrize(m));
    let roots = e.eigenvalues.map(|l| l.max(0.0).sqrt());
    &e.eigenvectors * DMatrix::from_diagonal(&roots) * e.eigenvectors.transpose()
}

fn symmetrize(m: &DMatrix<f64>) -> DMatrix<f64> {
    (m + m.transpose()) * 0.5
}

/// Fréchet distance `‖μ₁ − μ₂‖² + Tr(S₁ + S₂ − 2 (S₁S₂)^{1/2})`, with
/// `Tr((S₁S₂)^{1/2}) = Σ √max(0, λ)` over the eigenvalues `λ` of the symmetric `√S₁ · S₂ · √S₁`
/// (similar to `S₁S₂`). Never negative (rounding below 0 is clamped).
pub fn frechet(a: &Gaussian, b: &Gaussian) -> f64 {
    assert_eq!(a.dim(), b.dim(), "Gaussians of different dimension");
    let diff = &a.mean - &b.mean;
    let s1 = sqrt_psd(&a.cov);
    let m = symmetrize(&(&s1 * &b.cov * &s1));
    let cross: f64 = SymmetricEigen::new(m).eigenvalues.iter().map(|l| l.max(0.0).sqrt()).sum();
    (diff.norm_squared() + a.cov.trace() + b.cov.trace() - 2.0 * cross).max(0.0)
}

/// Fréchet distance between Gaussian fits of two feature sets of width `dim` (the FID when the
/// features are a classifier's).
pub fn fid(a: &[f32], b: &[f32], dim: usize) -> f64 {
    frechet(&Gaussian::fit(a, dim), &Gaussian::fit(b, dim))
}

/// How many predictions fall in each class 0..9 (predictions above 9 are not counted).
pub fn class_histogram(predictions: &[u8]) -> [usize; 10] {
    let mut h = [0; 10];
    for &p in predictions {
        if let Some(slot) = h.get_mut(p as usize) {
            *slot += 1;
        }
    }
    h
}

/// Classes holding at least `COVERAGE_SHARE` (2.5 %) of all counted samples.
pub fn classes_covered(histogram: &[usize; 10]) -> usize {
    let n: usize = histogram.iter().sum();
    // count / n ≥ 1/40, in integers so the threshold is exact.
    histogram.iter().filter(|&&c| n > 0 && c * 40 >= n).count()
}
