//! The three direct NCHW convolution kernels (CubeCL) and their registration as custom operations in
//! burn's fusion stream.
//!
//! With `w` indexed `[o, i, kh, kw]`, where `o` is the channel of the strided side ("dy", the
//! convolution's output) and `i` that of the dense side ("x", its input):
//! - `forward`: `y[n, o, oh, ow] = b[o] + Σ x[n, i, oh·s − p + kh, ow·s − p + kw] · w[o, i, kh, kw]`
//!   (a convolution; also a transposed convolution's input gradient);
//! - `data`: `x'[n, i, h, w] = b[i] + Σ dy[n, o, oh, ow] · w[o, i, kh, kw]` over `h = oh·s − p + kh`
//!   (a convolution's input gradient; also a transposed convolution);
//! - `weight`: `dw[o, i, kh, kw] = Σ dy[n, o, oh, ow] · x[n, i, oh·s − p + kh, ow·s − p + kw]` and the
//!   bias gradient, the sum over batch and positions of `dy`'s or `x`'s channels; each plus the
//!   gradient the parameter already has from another use in the same pass, where it has one (D scores
//!   the real and the fake batch separately), which saves the addition's own kernel.
//!
//! A convolution may end in LeakyReLU: `forward` applies it, and `data` and `weight` take the
//! gradient back through it from the layer's output (`y < 0` exactly where the activation's input
//! was), so the activation costs no kernels of its own either way.
//!
//! `forward` and `data` run one invocation per output value; `weight` one workgroup per weight (and
//! per bias channel), whose invocations stride over the batch and positions and reduce in workgroup
//! memory. All read contiguous tensors as they are: no layout copies around the kernels.


use cubecl::prelude::*;

use crate::gpu::reduce_shared;

/// `g`, the gradient at an activation's output `y`, taken back through LeakyReLU(`slope`) when
/// `masked` (`y < 0` exactly where its input was).
#[cube]
fn through_leaky<F: Float>(g: F, y: F, slope: f32, #[comptime] masked: bool) -> F {
    let mut out = g;
    if comptime!(masked) {
        if y < F::new(0.0) {
            out = g * F::cast_from(slope);
        }
    }
    out
}

#[cube(launch)]
pub(super) fn conv_forward_kernel<F: Float>(
    x: &Tensor<F>,
    w: &Tensor<F>,
    b: &Tensor<F>,
    y: &mut Tensor<F>,
    slope: f32,
    #[comptime] stride: u32,
    #[comptime] padding: u32,
    #[comptime] has_bias: bool,
    #[comptime] leaky: bool,
    #[define(F)] _dtype: StorageType,
) {
    let pos = ABSOLUTE_POS;
    if pos < y.len() {
        let (s, p) = (stride as usize, padding as usize);
        let (o_n, oh_n, ow_n) = (y.shape(1), y.shape(2), y.shape(3));
        let (i_n, h_n, w_n) = (x.shape(1), x.shape(2), x.shape(3));
        let k = w.shape(3);
        let ow = pos % ow_n;
        let oh = (pos / ow_n) % oh_n;
        let o = (pos / (ow_n * oh_n)) % o_n;
        let n = pos / (ow_n * oh_n * o_n);
        let mut acc = F::new(0.0);
        if comptime!(has_bias) {
            acc = b[o];
        }
        for i in 0..i_n {
            let x_plane = (n * i_n + i) * h_n;
            let w_plane = (o * i_n + i) * k;
            for kh in 0..k {
                let ih = oh * s + kh;
                if ih >= p && ih - p < h_n {
                    for kw in 0..k {
                        let iw = ow * s + kw;
                        if iw >= p && iw - p < w_n {
                            acc += x[(x_plane + ih - p) * w_n + iw - p] * w[(w_plane + kh) * k + kw];
                        }
                    }
                }
            }
        }
        if comptime!(leaky) {
            if acc < F::new(0.0) {
                acc *= F::cast_from(slope);
            }
        }
        y[pos] = acc;
    }
}

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub(super) fn conv_data_kernel<F: Float>(
    dy: &Tensor<F>,
    w: &Tensor<F>,
    b: &Tensor<F>,
    y: &Tensor<F>,
    dx: &mut Tensor<F>,
    slope: f32,
    #[comptime] stride: u32,
    #[comptime] padding: u32,
    #[comptime] has_bias: bool,
    #[comptime] masked: bool,
    #[define(F)] _dtype: StorageType,
) {
    let pos = ABSOLUTE_POS;
    if pos < dx.len() {
        let (s, p) = (stride as usize, padding as usize);
        let (i_n, h_n, w_n) = (dx.shape(1), dx.shape(2), dx.shape(3));
        let (o_n, oh_n, ow_n) = (dy.shape(1), dy.shape(2), dy.shape(3));
        let k = w.shape(3);
        let iw = pos % w_n;
        let ih = (pos / w_n) % h_n;
        let i = (pos / (w_n * h_n)) % i_n;
        let n = pos / (w_n * h_n * i_n);
        let mut acc = F::new(0.0);
        if comptime!(has_bias) {
            acc = b[i];
        }
        for o in 0..o_n {
            let dy_plane = (n * o_n + o) * oh_n;
            let w_plane = (o * i_n + i) * k;
            for kh in 0..k {
                let th = ih + p;
                if th >= kh && (th - kh) % s == 0 && (th - kh) / s < oh_n {
                    let oh = (th - kh) / s;
                    for kw in 0..k {
                        let tw = iw + p;
                        if tw >= kw && (tw - kw) % s == 0 && (tw - kw) / s < ow_n {
                            let ow = (tw - kw) / s;
                            let at = (dy_plane + oh) * ow_n + ow;
                            acc += through_leaky::<F>(dy[at], y[at], slope, masked) * w[(w_plane + kh) * k + kw];
                        }
                    }
                }
            }
        }
        dx[pos] = acc;
    }
}

/// `Σ` over the batch and positions of channel `c` of `t` (`[N, C, H, W]`; through LeakyReLU at `y`
/// when `masked`), this invocation's share.
#[cube]
fn channel_share<F: Float>(t: &Tensor<F>, y: &Tensor<F>, c: usize, slope: f32, #[comptime] masked: bool) -> F {
    let (c_n, plane) = (t.shape(1), t.shape(2) * t.shape(3));
    let m = t.shape(0) * plane;
    let mut acc = F::new(0.0);
    let mut j = UNIT_POS_X as usize;
    while j < m {
        let at = ((j / plane) * c_n + c) * plane + j % plane;
        acc += through_leaky::<F>(t[at], y[at], slope, masked);
        j += CUBE_DIM_X as usize;
    }
    acc
}

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub(super) fn conv_weight_kernel<F: Float>(
    dy: &Tensor<F>,
    x: &Tensor<F>,
    y: &Tensor<F>,
    prev_w: &Tensor<F>,
    prev_b: &Tensor<F>,
    dw: &mut Tensor<F>,
    db: &mut Tensor<F>,
    slope: f32,
    #[comptime] stride: u32,
    #[comptime] padding: u32,
    #[comptime] bias: u32,
    #[comptime] masked: bool,
    #[comptime] add_w: bool,
    #[comptime] add_b: bool,
    #[comptime] block: u32,
    #[define(F)] _dtype: StorageType,
) {
    let (s, p) = (stride as usize, padding as usize);
    let id = (CUBE_POS_Y * CUBE_COUNT_X + CUBE_POS_X) as usize;
    let unit = UNIT_POS_X as usize;
    let n_w = dw.len();
    let mut n_b: usize = 0;
    if comptime!(bias != 0) {
        n_b = db.len();
    }
    let mut acc = F::new(0.0);
    if id < n_w {
        let (o_n, oh_n, ow_n) = (dy.shape(1), dy.shape(2), dy.shape(3));
        let (i_n, h_n, w_n) = (x.shape(1), x.shape(2), x.shape(3));
        let k = dw.shape(3);
        let kw = id % k;
        let kh = (id / k) % k;
        let i = (id / (k * k)) % i_n;
        let o = id / (k * k * i_n);
        let plane = oh_n * ow_n;
        let m = dy.shape(0) * plane;
        let mut j = unit;
        while j < m {
            let n = j / plane;
            let oh = (j % plane) / ow_n;
            let ow = j % ow_n;
            let ih = oh * s + kh;
            let iw = ow * s + kw;
            if ih >= p && ih - p < h_n && iw >= p && iw - p < w_n {
                let at = ((n * o_n + o) * oh_n + oh) * ow_n + ow;
                acc += through_leaky::<F>(dy[at], y[at], slope, masked) * x[((n * i_n + i) * h_n + ih - p) * w_n + iw - p];
            }
            j += CUBE_DIM_X as usize;
        }
    } else if id < n_w + n_b {
        // bias 1: the channels of dy (a convolution's bias); 2: those of x (a transposed one's).
        if comptime!(bias == 1) {
            acc = channel_share::<F>(dy, y, id - n_w, slope, masked);
        } else {
            acc = channel_share::<F>(x, y, id - n_w, slope, false);
        }
    }
    let mut shared = SharedMemory::<F>::new(block as usize);
    shared[unit] = acc;
    sync_cube();
    reduce_shared::<F>(&mut shared);
    if unit == 0 {
        if id < n_w {
            let mut sum = shared[0];
            if comptime!(add_w) {
                sum += prev_w[id];
            }
            dw[id] = sum;
        } else if id < n_w + n_b {
            let mut sum = shared[0];
            if comptime!(add_b) {
                sum += prev_b[id - n_w];
            }
            db[id - n_w] = sum;
        }
    }
}
