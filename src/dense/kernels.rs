//! The fully connected layer's three kernels (CubeCL). With `x` `[n, i]`, `w` `[i, o]` (burn's
//! `Linear` layout, read as it is) and `y` `[n, o]`:
//! - `forward`: `y[n, o] = act(b[o] + Σᵢ x[n, i] · w[i, o])`;
//! - `data`: `dx[n, i] = Σₒ g[n, o] · w[i, o]`;
//! - `weight`: `dw[i, o] = Σₙ x[n, i] · g[n, o]`, and `db[o] = Σₙ g[n, o]` in the same launch, each
//!   plus the gradient already there when the parameter has one from another use in the same pass
//!   (D scores the real and the fake batch separately), which saves the addition's own kernel;
//!
//! where `g` is the gradient at the layer's output taken back through its activation from the output
//! `y` itself (LeakyReLU: times the slope where `y < 0`, which is exactly where its input was;
//! tanh: times `1 − y²`), so the activation costs no kernel of its own either way. One invocation per
//! value written; neighbouring invocations read neighbouring `w`, `dy` and `y` values.

use cubecl::prelude::*;

use crate::gpu::position;

/// No activation.
pub(super) const NONE: u32 = 0;
/// LeakyReLU with the launch's slope.
pub(super) const LEAKY: u32 = 1;
/// tanh.
pub(super) const TANH: u32 = 2;

/// The gradient at the layer's output, `dy[at]`, taken back through the activation `act` at `y[at]`
/// (`y` is not read without an activation).
#[cube]
fn through_act<F: Float>(dy: &Tensor<F>, y: &Tensor<F>, at: usize, slope: f32, #[comptime] act: u32) -> F {
    let mut g = dy[at];
    if comptime!(act == LEAKY) {
        if y[at] < F::new(0.0) {
            g *= F::cast_from(slope);
        }
    }
    if comptime!(act == TANH) {
        let v = y[at];
        g *= F::new(1.0) - v * v;
    }
    g
}

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub(super) fn linear_forward_kernel<F: Float>(
    x: &Tensor<F>,
    w: &Tensor<F>,
    b: &Tensor<F>,
    y: &mut Tensor<F>,
    slope: f32,
    #[comptime] has_bias: bool,
    #[comptime] act: u32,
    #[define(F)] _dtype: StorageType,
) {
    let pos = position();
    if pos < y.len() {
        let (i_n, o_n) = (w.shape(0), w.shape(1));
        let o = pos % o_n;
        let row = (pos / o_n) * i_n;
        let mut acc = F::new(0.0);
        for i in 0..i_n {
            acc += x[row + i] * w[i * o_n + o];
        }
        if comptime!(has_bias) {
            acc += b[o];
        }
        if comptime!(act == LEAKY) {
            if acc < F::new(0.0) {
                acc *= F::cast_from(slope);
            }
        }
        if comptime!(act == TANH) {
            acc = F::tanh(acc);
        }
        y[pos] = acc;
    }
}

#[cube(launch)]
pub(super) fn linear_data_kernel<F: Float>(
    dy: &Tensor<F>,
    w: &Tensor<F>,
    y: &Tensor<F>,
    dx: &mut Tensor<F>,
    slope: f32,
    #[comptime] act: u32,
    #[define(F)] _dtype: StorageType,
) {
    let pos = position();
    if pos < dx.len() {
        let (i_n, o_n) = (w.shape(0), w.shape(1));
        let i = pos % i_n;
        let row = (pos / i_n) * o_n;
        let mut acc = F::new(0.0);
        for o in 0..o_n {
            acc += through_act::<F>(dy, y, row + o, slope, act) * w[i * o_n + o];
        }
        dx[pos] = acc;
    }
}

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub(super) fn linear_weight_kernel<F: Float>(
    dy: &Tensor<F>,
    x: &Tensor<F>,
    y: &Tensor<F>,
    prev_w: &Tensor<F>,
    prev_b: &Tensor<F>,
    dw: &mut Tensor<F>,
    db: &mut Tensor<F>,
    slope: f32,
    #[comptime] has_bias: bool,
    #[comptime] act: u32,
    #[comptime] add_w: bool,
    #[comptime] add_b: bool,
    #[define(F)] _dtype: StorageType,
) {
    let pos = position();
    let (i_n, o_n) = (dw.shape(0), dw.shape(1));
    let (n_w, batch) = (dw.len(), dy.shape(0));
    if pos < n_w {
        let (i, o) = (pos / o_n, pos % o_n);
        let mut acc = F::new(0.0);
        for n in 0..batch {
            acc += x[n * i_n + i] * through_act::<F>(dy, y, n * o_n + o, slope, act);
        }
        if comptime!(add_w) {
            acc += prev_w[pos];
        }
        dw[pos] = acc;
    } else {
        if comptime!(has_bias) {
            if pos < n_w + o_n {
                let o = pos - n_w;
                let mut acc = F::new(0.0);
                for n in 0..batch {
                    acc += through_act::<F>(dy, y, n * o_n + o, slope, act);
                }
                if comptime!(add_b) {
                    acc += prev_b[o];
                }
                db[o] = acc;
            }
        }
    }
}
