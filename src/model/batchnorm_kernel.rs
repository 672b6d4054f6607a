//! BatchNorm's training pass on the GPU as two CubeCL kernels (one forward, one backward), registered
//! in burn's fusion stream as custom operations.
//!
//! Each kernel runs one workgroup per channel: its invocations stride over the channel's N·L values,
//! reduce in workgroup memory, and write the result, so a layer's forward pass (mean, biased variance,
//! normalise, scale and shift) and its backward pass (dβ = Σ dy, dγ = Σ dy·x̂,
//! dx = γσ⁻¹·(dy − dβ/m − x̂·dγ/m)) are one dispatch each, where burn's ops took four reductions and
//! about ten small kernels between them. The arithmetic is `batchnorm.rs`'s (the two-pass variance
//! about the mean, σ⁻¹ = 1/√(var + ε)); only the order of the sums differs. `tests/wgpu.rs` checks
//! both against the CPU backend.

use burn::backend::wgpu::{CubeBackend, CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{DType, Shape};
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_fusion::stream::{Operation, OperationStreams};
use burn_fusion::FusionBackend;
use burn_ir::{CustomOpIr, HandleContainer, OperationIr, OperationOutput, TensorIr};
use cubecl::prelude::*;

/// The backend under burn's fusion layer (`Wgpu` is `Fusion<Inner>`).
type Inner = CubeBackend<WgpuRuntime, f32, i32, u32>;
type Runtime = <Inner as FusionBackend>::FusionRuntime;
type Handles = HandleContainer<<Runtime as burn_fusion::FusionRuntime>::FusionHandle>;

/// Sums `shared[0..CUBE_DIM_X]` into `shared[0]` (`CUBE_DIM_X` a power of two); every invocation
/// must call it.
#[cube]
fn reduce_shared<F: Float>(shared: &mut SharedMemory<F>) {
    let unit = UNIT_POS_X as usize;
    let mut half = CUBE_DIM_X as usize / 2;
    while half > 0 {
        if unit < half {
            shared[unit] = shared[unit] + shared[unit + half];
        }
        sync_cube();
        half /= 2;
    }
}

/// Index of the `i`-th of channel `c`'s values in a contiguous `[N, C, L]` tensor.
#[cube]
fn channel_index(i: usize, c: usize, channels: usize, len: usize) -> usize {
    (i / len) * channels * len + c * len + i % len
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
    let c = CUBE_POS_X as usize;
    let unit = UNIT_POS_X as usize;
    let step = CUBE_DIM_X as usize;
    let channels = x.shape(1);
    let len = x.shape(2);
    let m = x.shape(0) * len;
    let count = F::cast_from(m as u32);
    let mut shared = SharedMemory::<F>::new(block as usize);

    let mut sum = F::new(0.0);
    let mut i = unit;
    while i < m {
        sum += x[channel_index(i, c, channels, len)];
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
        let d = x[channel_index(i, c, channels, len)] - mean;
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
        let at = channel_index(i, c, channels, len);
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
    let c = CUBE_POS_X as usize;
    let unit = UNIT_POS_X as usize;
    let step = CUBE_DIM_X as usize;
    let channels = x.shape(1);
    let len = x.shape(2);
    let m = x.shape(0) * len;
    let count = F::cast_from(m as u32);
    let (mu, sigma_inv) = (mean[c], inv_std[c]);
    let mut sums = SharedMemory::<F>::new(block as usize);
    let mut weighted = SharedMemory::<F>::new(block as usize);

    let mut sum = F::new(0.0);
    let mut sum_xhat = F::new(0.0);
    let mut i = unit;
    while i < m {
        let at = channel_index(i, c, channels, len);
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
        let at = channel_index(i, c, channels, len);
        let x_hat = (x[at] - mu) * sigma_inv;
        dx[at] = scale * (dy[at] - db_m - x_hat * dg_m);
        i += step;
    }
    if unit == 0 {
        d_gamma[c] = dg;
        d_beta[c] = db;
    }
}

/// Invocations per workgroup: the largest power of two up to 256 that the adapter allows.
fn block_size(tensor: &CubeTensor<WgpuRuntime>) -> u32 {
    let limit = tensor.client.properties().hardware.max_units_per_cube.clamp(1, 256);
    1 << (31 - limit.leading_zeros())
}

fn empty_like(like: &CubeTensor<WgpuRuntime>, shape: Shape) -> CubeTensor<WgpuRuntime> {
    empty_device_dtype(like.client.clone(), like.device.clone(), shape, like.dtype)
}

/// `[y, mean, var, inv_std]` of `x` (`[N, C, L]`).
fn forward(x: CubeTensor<WgpuRuntime>, gamma: CubeTensor<WgpuRuntime>, beta: CubeTensor<WgpuRuntime>, epsilon: f32) -> [CubeTensor<WgpuRuntime>; 4] {
    let x = into_contiguous(x);
    let (gamma, beta) = (into_contiguous(gamma), into_contiguous(beta));
    let c = x.meta.shape()[1];
    let y = empty_like(&x, x.meta.shape().clone());
    let [mean, var, inv_std] = [(); 3].map(|_| empty_like(&x, Shape::new([c])));
    let block = block_size(&x);
    let dtype = x.dtype;
    forward_kernel::launch::<WgpuRuntime>(
        &x.client.clone(),
        CubeCount::Static(c as u32, 1, 1),
        CubeDim::new_1d(block),
        x.into_tensor_arg(),
        gamma.into_tensor_arg(),
        beta.into_tensor_arg(),
        y.clone().into_tensor_arg(),
        mean.clone().into_tensor_arg(),
        var.clone().into_tensor_arg(),
        inv_std.clone().into_tensor_arg(),
        epsilon,
        block,
        dtype.into(),
    );
    [y, mean, var, inv_std]
}

/// `[dx, dgamma, dbeta]` from dy and the forward pass's x, μ, σ⁻¹ and γ.
fn backward(inputs: [CubeTensor<WgpuRuntime>; 5]) -> [CubeTensor<WgpuRuntime>; 3] {
    let [dy, x, mean, inv_std, gamma] = inputs.map(into_contiguous);
    let c = x.meta.shape()[1];
    let dx = empty_like(&x, x.meta.shape().clone());
    let [d_gamma, d_beta] = [(); 2].map(|_| empty_like(&x, Shape::new([c])));
    let block = block_size(&x);
    let dtype = x.dtype;
    backward_kernel::launch::<WgpuRuntime>(
        &x.client.clone(),
        CubeCount::Static(c as u32, 1, 1),
        CubeDim::new_1d(block),
        dy.into_tensor_arg(),
        x.into_tensor_arg(),
        mean.into_tensor_arg(),
        inv_std.into_tensor_arg(),
        gamma.into_tensor_arg(),
        dx.clone().into_tensor_arg(),
        d_gamma.clone().into_tensor_arg(),
        d_beta.clone().into_tensor_arg(),
        block,
        dtype.into(),
    );
    [dx, d_gamma, d_beta]
}

#[derive(Debug)]
struct ForwardOp {
    desc: CustomOpIr,
    epsilon: f32,
}

impl Operation<Runtime> for ForwardOp {
    fn execute(&self, handles: &mut Handles) {
        let (inputs, outputs) = self.desc.as_fixed::<3, 4>();
        let [x, gamma, beta] = inputs.each_ref().map(|t| handles.get_float_tensor::<Inner>(t));
        for (ir, tensor) in outputs.iter().zip(forward(x, gamma, beta, self.epsilon)) {
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

/// Output descriptions of the given shapes, all of `like`'s dtype.
fn outputs<const N: usize>(like: &FloatTensor<Wgpu>, shapes: [Shape; N]) -> [TensorIr; N] {
    shapes.map(|shape| TensorIr::uninit(like.client.create_empty_handle(), shape, like.dtype))
}

/// The training pass of `x` (`[N, C, L]`, γ and β `[C]`) as one kernel: `[y, mean, var, inv_std]`.
pub fn train_forward(x: FloatTensor<Wgpu>, gamma: FloatTensor<Wgpu>, beta: FloatTensor<Wgpu>, epsilon: f64) -> [FloatTensor<Wgpu>; 4] {
    assert_eq!(x.dtype, DType::F32, "BatchNorm's kernels are compiled for f32");
    let c = x.shape[1];
    let outs = outputs(&x, [x.shape.clone(), Shape::new([c]), Shape::new([c]), Shape::new([c])]);
    let client = x.client.clone();
    let streams = OperationStreams::with_inputs([&x, &gamma, &beta]);
    let desc = CustomOpIr::new("gan_batchnorm_forward", &[x.into_ir(), gamma.into_ir(), beta.into_ir()], &outs);
    client
        .register(streams, OperationIr::Custom(desc.clone()), ForwardOp { desc, epsilon: epsilon as f32 })
        .outputs()
}

/// The backward pass as one kernel: `[dx, dgamma, dbeta]` from `[dy, x, mean, inv_std, gamma]`.
pub fn train_backward(inputs: [FloatTensor<Wgpu>; 5]) -> [FloatTensor<Wgpu>; 3] {
    let (x, c) = (&inputs[1], inputs[1].shape[1]);
    let outs = outputs(x, [x.shape.clone(), Shape::new([c]), Shape::new([c])]);
    let client = x.client.clone();
    let streams = OperationStreams::with_inputs(inputs.iter());
    let inputs = inputs.map(|t| t.into_ir());
    let desc = CustomOpIr::new("gan_batchnorm_backward", &inputs, &outs);
    client.register(streams, OperationIr::Custom(desc.clone()), BackwardOp { desc }).outputs()
}
