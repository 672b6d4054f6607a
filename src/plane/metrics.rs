//! Distances between the real and fake point clouds: KL and JS divergence of densities estimated on
//! a grid (GAN Lab's metric) and the sliced Wasserstein distance.

use super::data::EXTENT;

/// Cells per side of the density grid.
pub const DENSITY_CELLS: usize = 32;
/// Bandwidth of the Gaussian kernel that turns points into a density.
pub const BANDWIDTH: f32 = 0.06;
/// Probability mass mixed uniformly into every estimate so KL stays finite.
pub const FLOOR: f64 = 1e-4;
/// Projection directions of the sliced Wasserstein distance (evenly spaced half-turn angles).
pub const DIRECTIONS: usize = 16;

/// A density over `[-EXTENT, EXTENT]²` as probabilities of `cells × cells` cells (row-major, y then x).
pub type Grid = Vec<f64>;

fn centre(i: usize, cells: usize) -> f32 {
    -EXTENT + (i as f32 + 0.5) * 2.0 * EXTENT / cells as f32
}

/// Normalises non-negative cell weights to probabilities with the uniform floor mixed in.
pub fn normalise(mut w: Grid) -> Grid {
    let total: f64 = w.iter().sum();
    let u = 1.0 / w.len() as f64;
    for v in &mut w {
        *v = if total > 0.0 { (1.0 - FLOOR) * *v / total + FLOOR * u } else { u };
    }
    w
}

/// A density evaluated at the cell centres (for tests and closed forms), normalised.
pub fn grid_of(cells: usize, density: impl Fn(f32, f32) -> f64) -> Grid {
    let mut w = Vec::with_capacity(cells * cells);
    for j in 0..cells {
        for i in 0..cells {
            w.push(density(centre(i, cells), centre(j, cells)));
        }
    }
    normalise(w)
}

/// Gaussian kernel density estimate of points `[x0, y0, …]` at the cell centres (kernels cut at 3 bandwidths).
pub fn kde(points: &[f32], cells: usize, h: f32) -> Grid {
    let mut w = vec![0.0f64; cells * cells];
    let step = 2.0 * EXTENT / cells as f32;
    let reach = (3.0 * h / step).ceil() as isize;
    for p in points.chunks_exact(2) {
        let (ci, cj) = (((p[0] + EXTENT) / step) as isize, ((p[1] + EXTENT) / step) as isize);
        for j in (cj - reach).max(0)..=(cj + reach).min(cells as isize - 1) {
            let dy = centre(j as usize, cells) - p[1];
            for i in (ci - reach).max(0)..=(ci + reach).min(cells as isize - 1) {
                let dx = centre(i as usize, cells) - p[0];
                w[j as usize * cells + i as usize] += f64::from((-(dx * dx + dy * dy) / (2.0 * h * h)).exp());
            }
        }
    }
    normalise(w)
}

/// `KL(p ‖ q) = Σ p log(p / q)` in nats.
pub fn kl(p: &[f64], q: &[f64]) -> f64 {
    p.iter().zip(q).map(|(&a, &b)| if a > 0.0 { a * (a / b).ln() } else { 0.0 }).sum()
}

/// Jensen–Shannon divergence in nats (0 … ln 2).
pub fn js(p: &[f64], q: &[f64]) -> f64 {
    let m: Vec<f64> = p.iter().zip(q).map(|(a, b)| 0.5 * (a + b)).collect();
    0.5 * kl(p, &m) + 0.5 * kl(q, &m)
}

/// 1-Wasserstein distance between two equally sized 1-D samples (sorted in place).
fn w1(a: &mut [f32], b: &mut [f32]) -> f64 {
    a.sort_by(f32::total_cmp);
    b.sort_by(f32::total_cmp);
    a.iter().zip(b.iter()).map(|(x, y)| f64::from((x - y).abs())).sum::<f64>() / a.len().max(1) as f64
}

/// Sliced 1-Wasserstein distance between two point sets `[x0, y0, …]`: the mean over `DIRECTIONS`
/// evenly spaced directions of the 1-D distance between the projections (the larger set is cut to
/// the smaller's size).
pub fn sliced_wasserstein(a: &[f32], b: &[f32]) -> f64 {
    let n = (a.len() / 2).min(b.len() / 2);
    if n == 0 {
        return 0.0;
    }
    let (mut pa, mut pb) = (vec![0.0f32; n], vec![0.0f32; n]);
    let mut total = 0.0;
    for k in 0..DIRECTIONS {
        let t = std::f32::consts::PI * k as f32 / DIRECTIONS as f32;
        let (c, s) = (t.cos(), t.sin());
        for i in 0..n {
            pa[i] = c * a[2 * i] + s * a[2 * i + 1];
            pb[i] = c * b[2 * i] + s * b[2 * i + 1];
        }
        total += w1(&mut pa, &mut pb);
    }
    total / DIRECTIONS as f64
}
