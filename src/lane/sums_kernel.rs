//! The sum (or sum of squares) of many flattened tensors on the GPU in few dispatches: a step's
//! parameter sum (the divergence check) and G's gradient norm.
//!
//! burn reduces one tensor per kernel, and the element-wise additions between tensors of different
//! lengths do not fuse: a DCGAN step's parameter sum and gradient norm took about 30 kernels. Here one
//! CubeCL kernel takes up to `GROUP` tensors (a storage binding each, within WebGPU's guaranteed 8 per
//! shader stage together with its output): each of its workgroups strides over every input with all
//! its invocations, reduces in workgroup memory and writes one partial sum. The next kernel reads
//! those partial sums as its first input; the last kernel writes the sum itself where what it reads
//! is small, else its partial sums are reduced once. The same sum up to rounding; non-finite when an
//! element is (NaN or ±∞) or the sum overflows. `tests/wgpu.rs` checks it against sums on the host.

use burn::backend::wgpu::{CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Shape, TensorPrimitive};
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_fusion::stream::Operation;
use burn_ir::{CustomOpIr, OperationOutput};
use cubecl::prelude::*;

use crate::gpu::{self, block_size, padded, reduce_shared, Handles, Inner, Runtime, GROUP};

/// At most this many workgroups (partial sums) per kernel.
const MAX_WORKGROUPS: usize = 64;
/// Values per invocation below which fewer workgroups are started.
const PER_INVOCATION: usize = 64;
/// At most this many values, the last kernel of a chain runs as one workgroup and writes the sum.
const SMALL: usize = 16_384;

/// `Σ x` (or `Σ x²` when `square`) over `x`'s values handled by this invocation: it starts at its
/// global index and strides by the number of invocations of the whole launch.
#[cube]
fn strided_sum<F: Float>(x: &Tensor<F>, #[comptime] square: bool) -> F {
    let stride = (CUBE_COUNT_X * CUBE_DIM_X) as usize;
    let mut i = (CUBE_POS_X * CUBE_DIM_X + UNIT_POS_X) as usize;
    let mut acc = F::new(0.0);
    while i < x.len() {
        let v = x[i];
        if comptime!(square) {
            acc += v * v;
        } else {
            acc += v;
        }
        i += stride;
    }
    acc
}

/// Partial sum `CUBE_POS_X` of the first `count` inputs (the others are placeholders, never read).
/// With `carry`, `x0` holds the previous kernel's partial sums, added as they are (never squared).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
fn partial_sums_kernel<F: Float>(
    x0: &Tensor<F>,
    x1: &Tensor<F>,
    x2: &Tensor<F>,
    x3: &Tensor<F>,
    x4: &Tensor<F>,
    x5: &Tensor<F>,
    out: &mut Tensor<F>,
    #[comptime] count: u32,
    #[comptime] square: bool,
    #[comptime] carry: bool,
    #[comptime] block: u32,
    #[define(F)] _dtype: StorageType,
) {
    let unit = UNIT_POS_X as usize;
    let mut acc = strided_sum::<F>(x0, square && !carry);
    if comptime!(count > 1) {
        acc += strided_sum::<F>(x1, square);
    }
    if comptime!(count > 2) {
        acc += strided_sum::<F>(x2, square);
    }
    if comptime!(count > 3) {
        acc += strided_sum::<F>(x3, square);
    }
    if comptime!(count > 4) {
        acc += strided_sum::<F>(x4, square);
    }
    if comptime!(count > 5) {
        acc += strided_sum::<F>(x5, square);
    }
    let mut shared = SharedMemory::<F>::new(block as usize);
    shared[unit] = acc;
    sync_cube();
    reduce_shared::<F>(&mut shared);
    if unit == 0 {
        out[CUBE_POS_X as usize] = shared[0];
    }
}

/// `workgroups` partial sums of `inputs` (1 to `GROUP` flat tensors; with `carry` the first holds
/// partial sums already).
fn partial_sums(inputs: Vec<CubeTensor<WgpuRuntime>>, workgroups: usize, square: bool, carry: bool) -> CubeTensor<WgpuRuntime> {
    let inputs: Vec<_> = inputs.into_iter().map(into_contiguous).collect();
    let first = &inputs[0];
    let (client, device, dtype) = (first.client.clone(), first.device.clone(), first.dtype);
    let block = block_size(first);
    let out = empty_device_dtype(client.clone(), device.clone(), Shape::new([workgroups]), dtype);
    let count = inputs.len();
    let mut args = padded(inputs).into_iter().map(CubeTensor::into_tensor_arg);
    let mut next = || args.next().expect("GROUP slots");
    partial_sums_kernel::launch::<WgpuRuntime>(
        &client,
        CubeCount::Static(workgroups as u32, 1, 1),
        CubeDim::new_1d(block),
        next(),
        next(),
        next(),
        next(),
        next(),
        next(),
        out.clone().into_tensor_arg(),
        count as u32,
        square,
        carry,
        block,
        dtype.into(),
    );
    out
}

#[derive(Debug)]
struct PartialSumsOp {
    desc: CustomOpIr,
    workgroups: usize,
    square: bool,
    carry: bool,
}

impl Operation<Runtime> for PartialSumsOp {
    fn execute(&self, handles: &mut Handles) {
        let inputs = self.desc.inputs.iter().map(|t| handles.get_float_tensor::<Inner>(t)).collect();
        let out = partial_sums(inputs, self.workgroups, self.square, self.carry);
        handles.register_float_tensor::<Inner>(&self.desc.outputs[0].id, out);
    }
}

/// One kernel's partial sums of `group` (flat f32 tensors; with `carry` the first is the previous
/// kernel's partial sums), registered in burn's fusion stream.
fn register(group: Vec<FloatTensor<Wgpu>>, workgroups: usize, square: bool, carry: bool) -> FloatTensor<Wgpu> {
    let shapes = vec![Shape::new([workgroups])];
    gpu::register("gan_partial_sums", group, shapes, |desc| PartialSumsOp { desc, workgroups, square, carry }).output()
}

/// `Σ` over every value of `tensors` (`Σ x²` when `square`), as a `[1]` tensor: a chain of kernels,
/// each taking the previous one's partial sums and up to `GROUP − 1` more tensors (the first up to
/// `GROUP`). The last kernel writes the sum itself with one workgroup when it reads at most `SMALL`
/// values (the carried partial sums and small tensors, such as biases); otherwise its partial sums
/// are reduced once more.
pub fn sum_all(tensors: Vec<burn::tensor::Tensor<Wgpu, 1>>, square: bool) -> burn::tensor::Tensor<Wgpu, 1> {
    assert!(!tensors.is_empty(), "at least one tensor to sum");
    let total: usize = tensors.iter().map(|t| t.dims()[0]).sum();
    // Enough workgroups that each invocation reads about PER_INVOCATION values of 256-wide groups.
    let workgroups = total.div_ceil(256 * PER_INVOCATION).clamp(1, MAX_WORKGROUPS);
    let wrap = |t: FloatTensor<Wgpu>| burn::tensor::Tensor::<Wgpu, 1>::from_primitive(TensorPrimitive::Float(t));
    let mut rest = tensors.into_iter().map(|t| t.into_primitive().tensor()).peekable();
    let mut partials: Option<FloatTensor<Wgpu>> = None;
    loop {
        let carry = partials.is_some();
        let group: Vec<_> = partials.take().into_iter().chain(rest.by_ref().take(GROUP - carry as usize)).collect();
        if rest.peek().is_none() {
            let values: usize = group.iter().map(|t| t.shape.num_elements()).sum();
            return match values <= SMALL {
                true => wrap(register(group, 1, square, carry)),
                false => wrap(register(group, workgroups, square, carry)).sum(),
            };
        }
        partials = Some(register(group, workgroups, square, carry));
    }
}
