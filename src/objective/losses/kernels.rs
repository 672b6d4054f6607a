//! The kernels (CubeCL) of the binary cross-entropy on logits against constant targets, for one or
//! two batches `a`, `b` with targets `t_a`, `t_b` (`gpu.rs` launches them):
//! - `forward`, one workgroup: `loss = mean(bce(a, t_a)) + mean(bce(b, t_b))` and each batch's mean
//!   probability `p = mean(σ(l))`, where `bce(l, t) = t·softplus(−l) + (1 − t)·softplus(l)` and
//!   `softplus(±l) = max(±l, 0) + log1p(e^{−|l|})` (no overflow, no sigmoid before the logarithm);
//! - `backward`: `∂loss/∂l = g·(σ(l) − t)/n` for every logit of either batch (`g` the gradient at the
//!   loss, `n` the batch's size), one invocation per logit.

use cubecl::prelude::*;

use crate::gpu::{position, reduce_shared};

/// `σ(l) = 1 / (1 + e^{−l})`: 0 or 1 at the extremes, never NaN.
#[cube]
fn sigmoid<F: Float>(l: F) -> F {
    F::new(1.0) / (F::new(1.0) + F::exp(F::new(0.0) - l))
}

/// `t·softplus(−l) + (1 − t)·softplus(l)`.
#[cube]
fn bce<F: Float>(l: F, t: F) -> F {
    let tail = F::log1p(F::exp(F::new(0.0) - F::abs(l)));
    let (up, down) = (F::max(l, F::new(0.0)) + tail, F::max(F::new(0.0) - l, F::new(0.0)) + tail);
    t * down + (F::new(1.0) - t) * up
}

/// This invocation's share of `Σ bce(x, t)` (or of `Σ σ(x)` when `prob`): it starts at its index in
/// the workgroup and strides by the workgroup's size.
#[cube]
fn strided<F: Float>(x: &Tensor<F>, t: f32, #[comptime] prob: bool) -> F {
    let mut acc = F::new(0.0);
    let mut i = UNIT_POS_X as usize;
    while i < x.len() {
        if comptime!(prob) {
            acc += sigmoid::<F>(x[i]);
        } else {
            acc += bce::<F>(x[i], F::cast_from(t));
        }
        i += CUBE_DIM_X as usize;
    }
    acc
}

/// One workgroup of `block` invocations: the loss and the mean probabilities (`b` and `p_b` are
/// placeholders, never touched, unless `two`).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub(super) fn bce_forward_kernel<F: Float>(
    a: &Tensor<F>,
    b: &Tensor<F>,
    loss: &mut Tensor<F>,
    p_a: &mut Tensor<F>,
    p_b: &mut Tensor<F>,
    t_a: f32,
    t_b: f32,
    #[comptime] two: bool,
    #[comptime] block: u32,
    #[define(F)] _dtype: StorageType,
) {
    let unit = UNIT_POS_X as usize;
    let mut losses = SharedMemory::<F>::new(block as usize);
    let mut probs_a = SharedMemory::<F>::new(block as usize);
    let mut probs_b = SharedMemory::<F>::new(block as usize);
    let n_a = F::cast_from(a.len() as u32);
    let mut l = strided::<F>(a, t_a, false) / n_a;
    probs_a[unit] = strided::<F>(a, t_a, true) / n_a;
    if comptime!(two) {
        let n_b = F::cast_from(b.len() as u32);
        l += strided::<F>(b, t_b, false) / n_b;
        probs_b[unit] = strided::<F>(b, t_b, true) / n_b;
    }
    losses[unit] = l;
    sync_cube();
    reduce_shared::<F>(&mut losses);
    reduce_shared::<F>(&mut probs_a);
    if comptime!(two) {
        reduce_shared::<F>(&mut probs_b);
    }
    if unit == 0 {
        loss[0] = losses[0];
        p_a[0] = probs_a[0];
        if comptime!(two) {
            p_b[0] = probs_b[0];
        }
    }
}

/// `d_a[i] = g·(σ(a[i]) − t_a)/|a|` for `i < |a|`, and the same for `b` (when `two`) at the
/// positions after `|a|`; `grad` holds `g`.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub(super) fn bce_backward_kernel<F: Float>(
    a: &Tensor<F>,
    b: &Tensor<F>,
    grad: &Tensor<F>,
    d_a: &mut Tensor<F>,
    d_b: &mut Tensor<F>,
    t_a: f32,
    t_b: f32,
    #[comptime] two: bool,
    #[define(F)] _dtype: StorageType,
) {
    let pos = position();
    let g = grad[0];
    if pos < a.len() {
        d_a[pos] = g * (sigmoid::<F>(a[pos]) - F::cast_from(t_a)) / F::cast_from(a.len() as u32);
    } else if comptime!(two) {
        let i = pos - a.len();
        if i < b.len() {
            d_b[i] = g * (sigmoid::<F>(b[i]) - F::cast_from(t_b)) / F::cast_from(b.len() as u32);
        }
    }
}
