//! The kernels (CubeCL) of the fused optimizer step over one flat buffer per quantity (`launch.rs`
//! lays the parameters out and launches them):
//! - `gather`: copies up to `gpu::GROUP` tensors into their places in a flat buffer and zeroes the padding
//!   after each (one invocation per value of the group's range);
//! - `update`: each value's update as burn's optimizers compute it. Adam: `m = β₁·m + (1 − β₁)·g`,
//!   `v = β₂·v + (1 − β₂)·g²`, `p −= lr·(m·c) / (√v + ε·√(1 − β₂ᵗ))` with `c = √(1 − β₂ᵗ) / (1 − β₁ᵗ)`;
//!   RMSprop (α in place of β₂): `v = α·v + (1 − α)·g²`, `p −= lr·g / (√v + ε)`. On the first step
//!   (`fresh`) the moments are zero and not read. WGAN's clamp of the new value is applied inside.

use cubecl::prelude::*;

use crate::gpu::position;

/// `x[pos − at]` when `pos` falls inside the tensor `x` placed at `at`.
#[cube]
fn take<F: Float>(x: &Tensor<F>, at: u32, pos: usize, value: &mut F) {
    let start = at as usize;
    if pos >= start && pos - start < x.len() {
        *value = x[pos - start];
    }
}

/// Writes `out[from + i]` for `i < span`: the value of the one of the first `count` inputs placed
/// there (`x_k` at `at_k`), or 0 in the padding between them.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub(super) fn gather_kernel<F: Float>(
    x0: &Tensor<F>,
    x1: &Tensor<F>,
    x2: &Tensor<F>,
    x3: &Tensor<F>,
    x4: &Tensor<F>,
    x5: &Tensor<F>,
    out: &mut Tensor<F>,
    at0: u32,
    at1: u32,
    at2: u32,
    at3: u32,
    at4: u32,
    at5: u32,
    from: u32,
    span: u32,
    #[comptime] count: u32,
    #[define(F)] _dtype: StorageType,
) {
    let i = position();
    if i < span as usize {
        let pos = from as usize + i;
        let mut value = F::new(0.0);
        take::<F>(x0, at0, pos, &mut value);
        if comptime!(count > 1) {
            take::<F>(x1, at1, pos, &mut value);
        }
        if comptime!(count > 2) {
            take::<F>(x2, at2, pos, &mut value);
        }
        if comptime!(count > 3) {
            take::<F>(x3, at3, pos, &mut value);
        }
        if comptime!(count > 4) {
            take::<F>(x4, at4, pos, &mut value);
        }
        if comptime!(count > 5) {
            take::<F>(x5, at5, pos, &mut value);
        }
        out[pos] = value;
    }
}

/// `rule` of `update_kernel`: Adam, with both moments.
pub(super) const ADAM: u32 = 0;
/// `rule` of `update_kernel`: RMSprop without momentum, with the squared average in `v`.
pub(super) const RMSPROP: u32 = 1;

/// One update of every value by `rule` (`m` and `v` are not read when `fresh`; `m` and `m_out` are
/// placeholders for RMSprop), then clamped to `[-bound, bound]` when `clip` (WGAN's weight clipping).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub(super) fn update_kernel<F: Float>(
    p: &Tensor<F>,
    g: &Tensor<F>,
    m: &Tensor<F>,
    v: &Tensor<F>,
    p_out: &mut Tensor<F>,
    m_out: &mut Tensor<F>,
    v_out: &mut Tensor<F>,
    lr: f32,
    beta_1: f32,
    beta_2: f32,
    factor: f32,
    epsilon: f32,
    bound: f32,
    #[comptime] rule: u32,
    #[comptime] fresh: bool,
    #[comptime] clip: bool,
    #[define(F)] _dtype: StorageType,
) {
    let pos = position();
    if pos < p_out.len() {
        let grad = g[pos];
        let b2 = F::cast_from(beta_2);
        let mut m2 = grad * grad * (F::new(1.0) - b2);
        if comptime!(!fresh) {
            m2 = v[pos] * b2 + m2;
        }
        v_out[pos] = m2;
        // RMSprop divides the gradient, Adam its bias-corrected first moment.
        let mut numerator = grad;
        if comptime!(rule == ADAM) {
            let b1 = F::cast_from(beta_1);
            let mut m1 = grad * (F::new(1.0) - b1);
            if comptime!(!fresh) {
                m1 = m[pos] * b1 + m1;
            }
            m_out[pos] = m1;
            numerator = m1 * F::cast_from(factor);
        }
        let update = numerator / (F::sqrt(m2) + F::cast_from(epsilon));
        let mut value = p[pos] - update * F::cast_from(lr);
        if comptime!(clip) {
            value = F::max(F::min(value, F::cast_from(bound)), F::new(0.0) - F::cast_from(bound));
        }
        p_out[pos] = value;
    }
}
