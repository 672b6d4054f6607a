//! Launching the convolution kernels (`kernels.rs`) and registering each launch as a custom operation
//! in burn's fusion stream: the geometry, absent operands' placeholders, output shapes and workgroups.

use burn::backend::wgpu::{CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::Shape;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_fusion::stream::Operation;
use burn_ir::{CustomOpIr, OperationOutput};
use cubecl::prelude::*;

use super::kernels::{conv_data_kernel, conv_forward_kernel, conv_weight_kernel};
use crate::gpu::{self, block_size, placeholder, Handles, Inner, Runtime};

/// Invocations per workgroup of the output-per-invocation kernels.
const BLOCK: u32 = 64;
/// Largest workgroup count along one dispatch axis (WebGPU's guaranteed limit).
const MAX_AXIS: usize = 65535;

/// Stride and padding (square, no dilation or groups), and the slope of a LeakyReLU fused after a
/// convolution (`None`: no activation); each stride, padding and flag compiles its own shaders.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Geometry {
    pub stride: usize,
    pub padding: usize,
    pub leaky: Option<f32>,
}

/// One invocation per value of `out_shape`: `forward` (`dense_out` false; LeakyReLU after it if the
/// geometry says so) or `data` (true; `mask`: the output of a LeakyReLU convolution whose input
/// gradient this is).
fn per_output(
    dense_out: bool,
    a: CubeTensor<WgpuRuntime>,
    w: CubeTensor<WgpuRuntime>,
    bias: Option<CubeTensor<WgpuRuntime>>,
    mask: Option<CubeTensor<WgpuRuntime>>,
    out_shape: Shape,
    g: Geometry,
) -> CubeTensor<WgpuRuntime> {
    let (a, w) = (into_contiguous(a), into_contiguous(w));
    let (has_bias, masked) = (bias.is_some(), mask.is_some());
    let b = bias.map(into_contiguous).unwrap_or_else(|| placeholder(&a));
    let out = empty_device_dtype(a.client.clone(), a.device.clone(), out_shape, a.dtype);
    let count = CubeCount::Static(out.meta.shape().num_elements().div_ceil(BLOCK as usize) as u32, 1, 1);
    let (client, dtype) = (a.client.clone(), a.dtype.into());
    let dim = CubeDim::new_1d(BLOCK);
    let (s, p, slope) = (g.stride as u32, g.padding as u32, g.leaky.unwrap_or(1.0));
    if dense_out {
        let y = mask.map(into_contiguous).unwrap_or_else(|| placeholder(&a));
        let (a, w, b, y, o) = (a.into_tensor_arg(), w.into_tensor_arg(), b.into_tensor_arg(), y.into_tensor_arg(), out.clone().into_tensor_arg());
        conv_data_kernel::launch::<WgpuRuntime>(&client, count, dim, a, w, b, y, o, slope, s, p, has_bias, masked, dtype);
    } else {
        let (a, w, b, o) = (a.into_tensor_arg(), w.into_tensor_arg(), b.into_tensor_arg(), out.clone().into_tensor_arg());
        conv_forward_kernel::launch::<WgpuRuntime>(&client, count, dim, a, w, b, o, slope, s, p, has_bias, g.leaky.is_some(), dtype);
    }
    out
}

/// Where a weight-gradient launch takes its bias gradient from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BiasOf {
    None = 0,
    /// The channels of `dy` (a convolution's bias).
    Dy = 1,
    /// The channels of `x` (a transposed convolution's bias).
    X = 2,
}

/// `[dw, db]` (db a placeholder when `bias` is `None`) for a `[o, i, k, k]` weight; `mask`: the
/// output of a LeakyReLU convolution, `dy` the gradient at it; `prev`: gradients to add to dw and db.
fn weight_grad(dy: CubeTensor<WgpuRuntime>, x: CubeTensor<WgpuRuntime>, mask: Option<CubeTensor<WgpuRuntime>>, prev: [Option<CubeTensor<WgpuRuntime>>; 2], k: usize, bias: BiasOf, g: Geometry) -> [CubeTensor<WgpuRuntime>; 2] {
    let (dy, x) = (into_contiguous(dy), into_contiguous(x));
    let masked = mask.is_some();
    let y = mask.map(into_contiguous).unwrap_or_else(|| placeholder(&dy));
    let [prev_w, prev_b] = prev;
    let (add_w, add_b) = (prev_w.is_some(), prev_b.is_some());
    let prev_w = prev_w.map(into_contiguous).unwrap_or_else(|| placeholder(&dy));
    let prev_b = prev_b.map(into_contiguous).unwrap_or_else(|| placeholder(&dy));
    let (o, i) = (dy.meta.shape()[1], x.meta.shape()[1]);
    let empty = |shape: Shape| empty_device_dtype(dy.client.clone(), dy.device.clone(), shape, dy.dtype);
    let dw = empty(Shape::new([o, i, k, k]));
    let db = match bias {
        BiasOf::None => placeholder(&dy),
        BiasOf::Dy => empty(Shape::new([o])),
        BiasOf::X => empty(Shape::new([i])),
    };
    let bias_len = if bias == BiasOf::None { 0 } else { db.meta.shape()[0] };
    let groups = o * i * k * k + bias_len;
    let across = groups.min(MAX_AXIS);
    let count = CubeCount::Static(across as u32, groups.div_ceil(across) as u32, 1);
    let block = block_size(&dy).min(BLOCK);
    let (client, dtype) = (dy.client.clone(), dy.dtype.into());
    conv_weight_kernel::launch::<WgpuRuntime>(
        &client,
        count,
        CubeDim::new_1d(block),
        dy.into_tensor_arg(),
        x.into_tensor_arg(),
        y.into_tensor_arg(),
        prev_w.into_tensor_arg(),
        prev_b.into_tensor_arg(),
        dw.clone().into_tensor_arg(),
        db.clone().into_tensor_arg(),
        g.leaky.unwrap_or(1.0),
        g.stride as u32,
        g.padding as u32,
        bias as u32,
        masked,
        add_w,
        add_b,
        block,
        dtype,
    );
    [dw, db]
}

/// Which kernel a registered operation runs, and which of its operands are present.
#[derive(Debug, Clone, Copy)]
enum Launch {
    /// `forward` or (`dense_out`) `data`, into the output's shape.
    PerOutput { dense_out: bool, has_bias: bool, masked: bool },
    /// `weight`, for a weight of side `k`; the gradients to add to dw (`add_w`) and db (`add_b`)
    /// follow the mask.
    Weight { k: usize, bias: BiasOf, masked: bool, add_w: bool, add_b: bool },
}

#[derive(Debug)]
struct ConvOp {
    desc: CustomOpIr,
    launch: Launch,
    geometry: Geometry,
}

impl Operation<Runtime> for ConvOp {
    fn execute(&self, handles: &mut Handles) {
        let mut inputs = self.desc.inputs.iter().map(|t| handles.get_float_tensor::<Inner>(t));
        let mut next = || inputs.next().expect("an operand");
        let outs = match self.launch {
            Launch::PerOutput { dense_out, has_bias, masked } => {
                let (a, w) = (next(), next());
                let bias = has_bias.then(&mut next);
                let mask = masked.then(&mut next);
                vec![per_output(dense_out, a, w, bias, mask, self.desc.outputs[0].shape.clone(), self.geometry)]
            }
            Launch::Weight { k, bias, masked, add_w, add_b } => {
                let (dy, x) = (next(), next());
                let mask = masked.then(&mut next);
                let prev = [add_w.then(&mut next), add_b.then(&mut next)];
                weight_grad(dy, x, mask, prev, k, bias, self.geometry).to_vec()
            }
        };
        for (ir, tensor) in self.desc.outputs.iter().zip(outs) {
            handles.register_float_tensor::<Inner>(&ir.id, tensor);
        }
    }
}

/// Registers `launch` on the present `inputs` (absent ones skipped; `launch` says which are there).
fn register(name: &'static str, inputs: Vec<Option<FloatTensor<Wgpu>>>, shapes: Vec<Shape>, launch: Launch, geometry: Geometry) -> Vec<FloatTensor<Wgpu>> {
    gpu::register(name, inputs.into_iter().flatten().collect(), shapes, |desc| ConvOp { desc, launch, geometry })
}

/// `y` (`[n, o, oh, ow]`, `oh = (h + 2p − k)/s + 1`, through LeakyReLU if `g.leaky`) from `x`
/// `[n, i, h, w]` and `w` `[o, i, k, k]`.
pub(super) fn forward(x: FloatTensor<Wgpu>, w: FloatTensor<Wgpu>, b: Option<FloatTensor<Wgpu>>, g: Geometry) -> FloatTensor<Wgpu> {
    let (xs, k) = (x.shape.clone(), w.shape[3]);
    let side = |d: usize| (d + 2 * g.padding - k) / g.stride + 1;
    let shape = Shape::new([xs[0], w.shape[0], side(xs[2]), side(xs[3])]);
    let launch = Launch::PerOutput { dense_out: false, has_bias: b.is_some(), masked: false };
    register("gan_conv_forward", vec![Some(x), Some(w), b], vec![shape], launch, g).output()
}

/// `x'` of shape `[n, i, h, w]` (`h`, `w` given: `dense`) from `dy` `[n, o, oh, ow]` and `w`
/// `[o, i, k, k]`; `mask`: the output of the LeakyReLU convolution whose input gradient this is.
pub(super) fn data(dy: FloatTensor<Wgpu>, w: FloatTensor<Wgpu>, b: Option<FloatTensor<Wgpu>>, mask: Option<FloatTensor<Wgpu>>, dense: [usize; 2], g: Geometry) -> FloatTensor<Wgpu> {
    let shape = Shape::new([dy.shape[0], w.shape[1], dense[0], dense[1]]);
    let launch = Launch::PerOutput { dense_out: true, has_bias: b.is_some(), masked: mask.is_some() };
    register("gan_conv_data", vec![Some(dy), Some(w), b, mask], vec![shape], launch, g).output()
}

/// `(dw, db)`: the weight gradient `[o, i, k, k]` and, unless `bias` is `None`, the bias gradient;
/// `mask` as for `data`; `prev`: gradients to add to them (the parameters' gradients so far).
pub(super) fn weight(
    dy: FloatTensor<Wgpu>,
    x: FloatTensor<Wgpu>,
    mask: Option<FloatTensor<Wgpu>>,
    prev: [Option<FloatTensor<Wgpu>>; 2],
    k: usize,
    bias: BiasOf,
    g: Geometry,
) -> (FloatTensor<Wgpu>, Option<FloatTensor<Wgpu>>) {
    let (o, i) = (dy.shape[1], x.shape[1]);
    let db = match bias {
        BiasOf::None => Shape::new([1]),
        BiasOf::Dy => Shape::new([o]),
        BiasOf::X => Shape::new([i]),
    };
    let [prev_w, prev_b] = prev;
    let launch = Launch::Weight { k, bias, masked: mask.is_some(), add_w: prev_w.is_some(), add_b: prev_b.is_some() };
    let [dw, db] = register("gan_conv_weight", vec![Some(dy), Some(x), mask, prev_w, prev_b], vec![Shape::new([o, i, k, k]), db], launch, g).outputs();
    (dw, (bias != BiasOf::None).then_some(db))
}
