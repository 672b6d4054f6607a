//! What the project's own GPU kernels (CubeCL) share: the backend under burn's fusion layer, the workgroup
//! size, a sum in workgroup memory, the registration of a custom operation, and (`layer`) a layer as one
//! operation of the autodiff graph.

pub(crate) mod layer;

use burn::backend::wgpu::{CubeBackend, CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{DType, Shape};
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_fusion::stream::{Operation, OperationStreams};
use burn_fusion::FusionBackend;
use burn_ir::{CustomOpIr, HandleContainer, OperationIr, TensorIr};
use cubecl::prelude::*;

/// The backend under burn's fusion layer (`Wgpu` is `Fusion<Inner>`).
pub(crate) type Inner = CubeBackend<WgpuRuntime, f32, i32, u32>;
pub(crate) type Runtime = <Inner as FusionBackend>::FusionRuntime;
pub(crate) type Handles = HandleContainer<<Runtime as burn_fusion::FusionRuntime>::FusionHandle>;

/// Sums `shared[0..CUBE_DIM_X]` into `shared[0]` (`CUBE_DIM_X` a power of two); every invocation
/// must call it.
#[cube]
pub(crate) fn reduce_shared<F: Float>(shared: &mut SharedMemory<F>) {
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

/// This invocation's index over a grid of up to 65,535 × 65,535 workgroups (`grid`).
#[cube]
pub(crate) fn position() -> usize {
    ((CUBE_POS_Y * CUBE_COUNT_X + CUBE_POS_X) * CUBE_DIM_X + UNIT_POS_X) as usize
}

/// Invocations per workgroup: the largest power of two up to 256 that the adapter allows.
pub(crate) fn block_size(tensor: &CubeTensor<WgpuRuntime>) -> u32 {
    let limit = tensor.client.properties().hardware.max_units_per_cube.clamp(1, 256);
    1 << (31 - limit.leading_zeros())
}

/// A placeholder binding for an absent operand (never read or written).
pub(crate) fn placeholder(like: &CubeTensor<WgpuRuntime>) -> CubeTensor<WgpuRuntime> {
    empty_device_dtype(like.client.clone(), like.device.clone(), Shape::new([1]), like.dtype)
}

/// Tensors one of our six-input kernels reads (`gather`, partial sums): six inputs and the output are
/// 7 storage bindings, within WebGPU's guaranteed 8 per shader stage together with CubeCL's metadata.
pub(crate) const GROUP: usize = 6;

/// `tensors` (1 to `GROUP`), then placeholders up to `GROUP` bindings: a six-input kernel's unused
/// input slots (a binding may not alias another, so each placeholder is its own one-value buffer).
pub(crate) fn padded(mut tensors: Vec<CubeTensor<WgpuRuntime>>) -> Vec<CubeTensor<WgpuRuntime>> {
    let like = tensors[0].clone();
    tensors.resize_with(GROUP.max(tensors.len()), || placeholder(&like));
    tensors
}

/// Workgroups of `block` invocations for one invocation per each of `values`, laid out in two
/// dimensions when one would exceed WebGPU's guaranteed 65,535 per axis.
pub(crate) fn grid(values: usize, block: u32) -> CubeCount {
    let groups = values.div_ceil(block as usize).max(1);
    let across = groups.min(65535);
    CubeCount::Static(across as u32, groups.div_ceil(across) as u32, 1)
}

/// Registers a custom operation `name` on `inputs` (f32) in burn's fusion stream, with outputs of
/// `shapes` in that order; `op` builds what runs from the recorded description.
pub(crate) fn register<O: Operation<Runtime> + 'static>(
    name: &'static str,
    inputs: Vec<FloatTensor<Wgpu>>,
    shapes: Vec<Shape>,
    op: impl FnOnce(CustomOpIr) -> O,
) -> Vec<FloatTensor<Wgpu>> {
    assert!(inputs.iter().all(|t| t.dtype == DType::F32), "our kernels are compiled for f32");
    let like = &inputs[0];
    let outs: Vec<_> = shapes.into_iter().map(|shape| TensorIr::uninit(like.client.create_empty_handle(), shape, like.dtype)).collect();
    let client = like.client.clone();
    let streams = OperationStreams::with_inputs(inputs.iter());
    let irs: Vec<_> = inputs.into_iter().map(|t| t.into_ir()).collect();
    let desc = CustomOpIr::new(name, &irs, &outs);
    client.register(streams, OperationIr::Custom(desc.clone()), op(desc))
}
