//! What the project's own GPU kernels (CubeCL) share: the backend under burn's fusion layer, the workgroup
//! size, a sum in workgroup memory and the output descriptions a custom operation registers.

use burn::backend::wgpu::{CubeBackend, CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::Shape;
use burn_fusion::FusionBackend;
use burn_ir::{HandleContainer, TensorIr};
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

/// Invocations per workgroup: the largest power of two up to 256 that the adapter allows.
pub(crate) fn block_size(tensor: &CubeTensor<WgpuRuntime>) -> u32 {
    let limit = tensor.client.properties().hardware.max_units_per_cube.clamp(1, 256);
    1 << (31 - limit.leading_zeros())
}

/// Output descriptions of the given shapes, all of `like`'s dtype.
pub(crate) fn outputs<const N: usize>(like: &FloatTensor<Wgpu>, shapes: [Shape; N]) -> [TensorIr; N] {
    shapes.map(|shape| TensorIr::uninit(like.client.create_empty_handle(), shape, like.dtype))
}
