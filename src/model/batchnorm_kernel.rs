//! BatchNorm's training pass on the GPU as two CubeCL kernels (one forward, one backward), and the
//! running statistics' update as a third, registered in burn's fusion stream as custom operations.
//!
//! Each kernel runs one workgroup per channel: its invocations stride over the channel's N·L values,
//! reduce in workgroup memory, and write the result, so a layer's forward pass (mean, biased variance,
//! normalise, scale and shift) and its backward pass (dβ = Σ dy, dγ = Σ dy·x̂,
//! dx = γσ⁻¹·(dy − dβ/m − x̂·dγ/m)) are one dispatch each, where burn's ops took four reductions and
//! about ten small kernels between them. The arithmetic is `batchnorm.rs`'s (the two-pass variance
//! about the mean, σ⁻¹ = 1/√(var + ε)); only the order of the sums differs. `tests/wgpu.rs` checks
//! both against the CPU backend.

use burn::backend::wgpu::{CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::Shape;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_fusion::stream::Operation;
use burn_ir::{CustomOpIr, OperationOutput};
use cubecl::prelude::*;

use crate::gpu::{self, block_size, reduce_shared, Handles, Inner, Runtime};

/// Index of the `i`-th value of channel `CUBE_POS_X` in a contiguous `[N, C, L]` tensor.
#[cube]
fn channel_index<F: Float>(x: &Tensor<F>, i: usize) -> usize {
    let len = x.shape(2);
    (i / len) * x.shape(1) * len + CUBE_POS_X as usize * len + i % len
}

/// Forward pass of channel `CUBE_POS_X`: `y = (x − μ)·γσ⁻¹ + β`, and μ, the biased variance and σ⁻¹.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn forward_kernel<F: Float>(
    x: &Tensor<F>,
    gamma: &Tensor<F>,
    beta: &Tensor<F>,
    y: &mut Tensor<F>,
    mean_out: &mut Tensor<F>,
    var_out: &mut Tensor<F>,
    inv_std_out: &mut Tensor<F>,
    epsilon: f32,
    #[comptime] block: u32,
    #[define(F)] _dtype: StorageType,
) {
    let (c, unit, step) = (CUBE_POS_X as usize, UNIT_POS_X as usize, CUBE_DIM_X as usize);
    let m = x.shape(0) * x.shape(2);
    let count = F::cast_from(m as u32);
    let mut shared = SharedMemory::<F>::new(block as usize);

    let mut sum = F::new(0.0);
    let mut i = unit;
    while i < m {
        sum += x[channel_index::<F>(x, i)];
        i += step;
    }
    shared[unit] = sum;
    sync_cube();
    reduce_shared::<F>(&mut shared);
    let mean = shared[0] / count;
    sync_cube();

    let mut squares = F::new(0.0);
    let mut i = unit;
    while i < m {
        let d = x[channel_index::<F>(x, i)] - mean;
        squares += d * d;
        i += step;
    }
    shared[unit] = squares;
    sync_cube();
    reduce_shared::<F>(&mut shared);
    let var = shared[0] / count;

    let inv_std = F::new(1.0) / F::sqrt(var + F::cast_from(epsilon));
    let scale = inv_std * gamma[c];
    let shift = beta[c];
    let mut i = unit;
    while i < m {
        let at = channel_index::<F>(x, i);
        y[at] = (x[at] - mean) * scale + shift;
        i += step;
    }
    if unit == 0 {
        mean_out[c] = mean;
        var_out[c] = var;
        inv_std_out[c] = inv_std;
    }
}

/// Backward pass of channel `CUBE_POS_X`: dβ, dγ and dx from dy, x, μ, σ⁻¹ and γ.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn backward_kernel<F: Float>(
    dy: &Tensor<F>,
    x: &Tensor<F>,
    mean: &Tensor<F>,
    inv_std: &Tensor<F>,
    gamma: &Tensor<F>,
    dx: &mut Tensor<F>,
    d_gamma: &mut Tensor<F>,
    d_beta: &mut Tensor<F>,
    #[comptime] block: u32,
    #[define(F)] _dtype: StorageType,
) {
    let (c, unit, step) = (CUBE_POS_X as usize, UNIT_POS_X as usize, CUBE_DIM_X as usize);
    let m = x.shape(0) * x.shape(2);
    let count = F::cast_from(m as u32);
    let (mu, sigma_inv) = (mean[c], inv_std[c]);
    let mut sums = SharedMemory::<F>::new(block as usize);
    let mut weighted = SharedMemory::<F>::new(block as usize);

    let mut sum = F::new(0.0);
    let mut sum_xhat = F::new(0.0);
    let mut i = unit;
    while i < m {
        let at = channel_index::<F>(x, i);
        let g = dy[at];
        sum += g;
        sum_xhat += g * ((x[at] - mu) * sigma_inv);
        i += step;
    }
    sums[unit] = sum;
    weighted[unit] = sum_xhat;
    sync_cube();
    reduce_shared::<F>(&mut sums);
    reduce_shared::<F>(&mut weighted);
    let (db, dg) = (sums[0], weighted[0]);

    let scale = gamma[c] * sigma_inv;
    let (db_m, dg_m) = (db / count, dg / count);
    let mut i = unit;
    while i < m {
        let at = channel_index::<F>(x, i);
        let x_hat = (x[at] - mu) * sigma_inv;
        dx[at] = scale * (dy[at] - db_m - x_hat * dg_m);
        i += step;
    }
    if unit == 0 {
        d_gamma[c] = dg;
        d_beta[c] = db;
    }
}

/// The running statistics after a training pass, channel `ABSOLUTE_POS`: `old·(1 − m) + batch·m` for
/// the mean and the variance at once (`keep` = 1 − m).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn blend_kernel<F: Float>(
    old_mean: &Tensor<F>,
    old_var: &Tensor<F>,
    mean: &Tensor<F>,
    var: &Tensor<F>,
    new_mean: &mut Tensor<F>,
    new_var: &mut Tensor<F>,
    keep: f32,
    momentum: f32,
    #[define(F)] _dtype: StorageType,
) {
    let c = ABSOLUTE_POS;
    if c < mean.len() {
        let (keep, momentum) = (F::cast_from(keep), F::cast_from(momentum));
        new_mean[c] = old_mean[c] * keep + mean[c] * momentum;
        new_var[c] = old_var[c] * keep + var[c] * momentum;
    }
}

/// What both launches share, read off the rows `x` (`[N, C, L]`): a workgroup per channel of
/// `block` invocations, an output shaped like `x` and `K` outputs of one value per channel.
struct Launch<const K: usize> {
    client: ComputeClient<WgpuRuntime>,
    count: CubeCount,
    dim: CubeDim,
    block: u32,
    dtype: StorageType,
    rows: CubeTensor<WgpuRuntime>,
    per_channel: [CubeTensor<WgpuRuntime>; K],
}

impl<const K: usize> Launch<K> {
    fn new(x: &CubeTensor<WgpuRuntime>) -> Self {
        let empty = |shape: Shape| empty_device_dtype(x.client.clone(), x.device.clone(), shape, x.dtype);
        let c = x.meta.shape()[1];
        let block = block_size(x);
        Launch {
            client: x.client.clone(),
            count: CubeCount::Static(c as u32, 1, 1),
            dim: CubeDim::new_1d(block),
            block,
            dtype: x.dtype.into(),
            rows: empty(x.meta.shape().clone()),
            per_channel: [(); K].map(|_| empty(Shape::new([c]))),
        }
    }
}

/// `[y, mean, var, inv_std]` of `x` (`[N, C, L]`).
fn forward(inputs: [CubeTensor<WgpuRuntime>; 3], epsilon: f32) -> [CubeTensor<WgpuRuntime>; 4] {
    let inputs = inputs.map(into_contiguous);
    let l = Launch::<3>::new(&inputs[0]);
    let [x, gamma, beta] = inputs.map(CubeTensor::into_tensor_arg);
    let [mean, var, inv_std] = l.per_channel.clone().map(CubeTensor::into_tensor_arg);
    let y = l.rows.clone().into_tensor_arg();
    forward_kernel::launch::<WgpuRuntime>(&l.client, l.count, l.dim, x, gamma, beta, y, mean, var, inv_std, epsilon, l.block, l.dtype);
    let [mean, var, inv_std] = l.per_channel;
    [l.rows, mean, var, inv_std]
}

/// `[dx, dgamma, dbeta]` from `[dy, x, mean, inv_std, gamma]` (the forward pass's x, μ, σ⁻¹ and γ).
fn backward(inputs: [CubeTensor<WgpuRuntime>; 5]) -> [CubeTensor<WgpuRuntime>; 3] {
    let inputs = inputs.map(into_contiguous);
    let l = Launch::<2>::new(&inputs[1]);
    let [dy, x, mean, inv_std, gamma] = inputs.map(CubeTensor::into_tensor_arg);
    let [d_gamma, d_beta] = l.per_channel.clone().map(CubeTensor::into_tensor_arg);
    let dx = l.rows.clone().into_tensor_arg();
    backward_kernel::launch::<WgpuRuntime>(&l.client, l.count, l.dim, dy, x, mean, inv_std, gamma, dx, d_gamma, d_beta, l.block, l.dtype);
    let [d_gamma, d_beta] = l.per_channel;
    [l.rows, d_gamma, d_beta]
}

/// `[new_mean, new_var]` from `[old_mean, old_var, mean, var]` (`[C]` each).
fn blend(inputs: [CubeTensor<WgpuRuntime>; 4], momentum: f64) -> [CubeTensor<WgpuRuntime>; 2] {
    let inputs = inputs.map(into_contiguous);
    let first = &inputs[0];
    let (client, dtype, c) = (first.client.clone(), first.dtype, first.meta.shape()[0]);
    let outs = [(); 2].map(|_| empty_device_dtype(client.clone(), first.device.clone(), Shape::new([c]), dtype));
    let [old_mean, old_var, mean, var] = inputs.map(CubeTensor::into_tensor_arg);
    let [new_mean, new_var] = outs.clone().map(CubeTensor::into_tensor_arg);
    let (count, dim) = (CubeCount::Static(c.div_ceil(64) as u32, 1, 1), CubeDim::new_1d(64));
    let (keep, momentum) = ((1.0 - momentum) as f32, momentum as f32);
    blend_kernel::launch::<WgpuRuntime>(&client, count, dim, old_mean, old_var, mean, var, new_mean, new_var, keep, momentum, dtype.into());
    outs
}

#[derive(Debug)]
struct BlendOp {
    desc: CustomOpIr,
    momentum: f64,
}

impl Operation<Runtime> for BlendOp {
    fn execute(&self, handles: &mut Handles) {
        let (inputs, outputs) = self.desc.as_fixed::<4, 2>();
        let inputs = inputs.each_ref().map(|t| handles.get_float_tensor::<Inner>(t));
        for (ir, tensor) in outputs.iter().zip(blend(inputs, self.momentum)) {
            handles.register_float_tensor::<Inner>(&ir.id, tensor);
        }
    }
}

#[derive(Debug)]
struct ForwardOp {
    desc: CustomOpIr,
    epsilon: f32,
}

impl Operation<Runtime> for ForwardOp {
    fn execute(&self, handles: &mut Handles) {
        let (inputs, outputs) = self.desc.as_fixed::<3, 4>();
        let inputs = inputs.each_ref().map(|t| handles.get_float_tensor::<Inner>(t));
        for (ir, tensor) in outputs.iter().zip(forward(inputs, self.epsilon)) {
            handles.register_float_tensor::<Inner>(&ir.id, tensor);
        }
    }
}

#[derive(Debug)]
struct BackwardOp {
    desc: CustomOpIr,
}

impl Operation<Runtime> for BackwardOp {
    fn execute(&self, handles: &mut Handles) {
        let (inputs, outputs) = self.desc.as_fixed::<5, 3>();
        let inputs = inputs.each_ref().map(|t| handles.get_float_tensor::<Inner>(t));
        for (ir, tensor) in outputs.iter().zip(backward(inputs)) {
            handles.register_float_tensor::<Inner>(&ir.id, tensor);
        }
    }
}

/// The training pass of `x` (`[N, C, L]`, γ and β `[C]`) as one kernel: `[y, mean, var, inv_std]`.
pub fn train_forward(x: FloatTensor<Wgpu>, gamma: FloatTensor<Wgpu>, beta: FloatTensor<Wgpu>, epsilon: f64) -> [FloatTensor<Wgpu>; 4] {
    let c = x.shape[1];
    let shapes = vec![x.shape.clone(), Shape::new([c]), Shape::new([c]), Shape::new([c])];
    gpu::register("gan_batchnorm_forward", vec![x, gamma, beta], shapes, |desc| ForwardOp { desc, epsilon: epsilon as f32 }).outputs()
}

/// The backward pass as one kernel: `[dx, dgamma, dbeta]` from `[dy, x, mean, inv_std, gamma]`.
pub fn train_backward(inputs: [FloatTensor<Wgpu>; 5]) -> [FloatTensor<Wgpu>; 3] {
    let (x, c) = (&inputs[1], inputs[1].shape[1]);
    let shapes = vec![x.shape.clone(), Shape::new([c]), Shape::new([c])];
    gpu::register("gan_batchnorm_backward", inputs.to_vec(), shapes, |desc| BackwardOp { desc }).outputs()
}

/// The running statistics after a training pass as one kernel: `[old·(1 − m) + batch·m]` for the mean
/// and the variance, from `[old_mean, old_var, mean, var]`.
pub fn blend_running(inputs: [FloatTensor<Wgpu>; 4], momentum: f64) -> [FloatTensor<Wgpu>; 2] {
    let c = inputs[0].shape[0];
    let shapes = vec![Shape::new([c]), Shape::new([c])];
    gpu::register("gan_batchnorm_blend", inputs.to_vec(), shapes, |desc| BlendOp { desc, momentum }).outputs()
}
