//! The 2-D distributions real points are drawn from, sampled afresh for every batch.

use rand::Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

use crate::rng::LaneRng;

/// Half the side of the square the plane view shows, `[-EXTENT, EXTENT]²`; every distribution lies inside.
pub const EXTENT: f32 = 1.25;
/// Most points a drawn data set may hold.
pub const MAX_POINTS: usize = 1024;
/// Spread of the Gaussian drawn around each user point.
pub const DRAWN_STD: f32 = 0.02;

/// A 2-D data distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// Eight Gaussians on a circle of radius 0.8.
    Ring,
    /// A 5 × 5 grid of Gaussians.
    Grid,
    /// Two interleaved half circles.
    Moons,
    /// One arm of an Archimedean spiral.
    Spiral,
    /// A thin segment.
    Line,
    /// Two Gaussians left and right (the WGAN paper's picture).
    Gaussians,
    /// The user's points, each with a little Gaussian noise.
    Drawn,
}

impl Shape {
    pub const ALL: [Shape; 7] = [Shape::Ring, Shape::Grid, Shape::Moons, Shape::Spiral, Shape::Line, Shape::Gaussians, Shape::Drawn];

    pub fn id(self) -> &'static str {
        match self {
            Shape::Ring => "ring",
            Shape::Grid => "grid",
            Shape::Moons => "moons",
            Shape::Spiral => "spiral",
            Shape::Line => "line",
            Shape::Gaussians => "gaussians",
            Shape::Drawn => "drawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Shape::Ring => "ring of 8 Gaussians",
            Shape::Grid => "5 × 5 grid of Gaussians",
            Shape::Moons => "two moons",
            Shape::Spiral => "spiral",
            Shape::Line => "line",
            Shape::Gaussians => "two Gaussians",
            Shape::Drawn => "draw your own",
        }
    }

    pub fn parse(s: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|d| d.id() == s)
    }
}

fn normal(rng: &mut LaneRng) -> f32 {
    rng.sample::<f32, _>(StandardNormal)
}

/// A data set to sample from: a shape, and for `Drawn` the user's points (at least one).
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub shape: Shape,
    pub points: Vec<[f32; 2]>,
}

impl Source {
    /// `n` points, row-major `[x0, y0, x1, y1, …]`.
    pub fn sample(&self, rng: &mut LaneRng, n: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let [x, y] = self.one(rng);
            out.push(x.clamp(-EXTENT, EXTENT));
            out.push(y.clamp(-EXTENT, EXTENT));
        }
        out
    }

    fn one(&self, rng: &mut LaneRng) -> [f32; 2] {
        use std::f32::consts::PI;
        match self.shape {
            Shape::Ring => {
                let a = rng.random_range(0..8) as f32 * PI / 4.0;
                [0.8 * a.cos() + 0.05 * normal(rng), 0.8 * a.sin() + 0.05 * normal(rng)]
            }
            Shape::Grid => {
                let (i, j) = (rng.random_range(0..5) as f32, rng.random_range(0..5) as f32);
                [0.4 * i - 0.8 + 0.04 * normal(rng), 0.4 * j - 0.8 + 0.04 * normal(rng)]
            }
            Shape::Moons => {
                let t = rng.random_range(0.0..PI);
                let (x, y) = if rng.random_bool(0.5) { (t.cos(), t.sin()) } else { (1.0 - t.cos(), 0.5 - t.sin()) };
                [0.7 * (x - 0.5) + 0.05 * normal(rng), 0.7 * (y - 0.25) + 0.05 * normal(rng)]
            }
            Shape::Spiral => {
                let t = rng.random_range(0.0f32..1.0).sqrt();
                let (r, a) = (0.1 + 0.85 * t, 3.0 * PI * t);
                [r * a.cos() + 0.03 * normal(rng), r * a.sin() + 0.03 * normal(rng)]
            }
            Shape::Line => {
                let t = rng.random_range(-0.8f32..0.8);
                [t + 0.01 * normal(rng), 0.5 * t + 0.01 * normal(rng)]
            }
            Shape::Gaussians => {
                let cx = if rng.random_bool(0.5) { -0.6 } else { 0.6 };
                [cx + 0.1 * normal(rng), 0.1 * normal(rng)]
            }
            Shape::Drawn => {
                let [x, y] = self.points[rng.random_range(0..self.points.len())];
                [x + DRAWN_STD * normal(rng), y + DRAWN_STD * normal(rng)]
            }
        }
    }
}
