//! Launching the fully connected layer's kernels (`kernels.rs`) and registering each launch as a
//! custom operation in burn's fusion stream.

use burn::backend::wgpu::{CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::Shape;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_fusion::stream::Operation;
use burn_ir::{CustomOpIr, OperationOutput};
use cubecl::prelude::*;

use super::kernels::{linear_data_kernel, linear_forward_kernel, linear_weight_kernel, LEAKY, NONE, TANH};
use super::Activation;
use crate::gpu::{self, grid, placeholder, Handles, Inner, Runtime};

/// Invocations per workgroup.
const BLOCK: u32 = 64;

impl Activation {
    /// The kernels' activation code and LeakyReLU slope.
    fn code(self) -> (u32, f32) {
        match self {
            Activation::None => (NONE, 1.0),
            Activation::Leaky(slope) => (LEAKY, slope as f32),
            Activation::Tanh => (TANH, 1.0),
        }
    }
}

fn empty(like: &CubeTensor<WgpuRuntime>, shape: Shape) -> CubeTensor<WgpuRuntime> {
    empty_device_dtype(like.client.clone(), like.device.clone(), shape, like.dtype)
}

/// Which kernel a registered operation runs, and which of its operands are present.
#[derive(Debug, Clone, Copy)]
enum Launch {
    /// `forward`: x, w and the bias if `has_bias`.
    Forward { has_bias: bool },
    /// `data`: dy, w and the layer's output if it has an activation.
    Data,
    /// `weight`: dy, x, the layer's output if it has an activation, then the gradients to add to the
    /// weight's (`add_w`) and the bias's (`add_b`); the bias gradient if `has_bias`.
    Weight { has_bias: bool, add_w: bool, add_b: bool },
}

#[derive(Debug)]
struct LinearOp {
    desc: CustomOpIr,
    launch: Launch,
    act: Activation,
}

impl Operation<Runtime> for LinearOp {
    fn execute(&self, handles: &mut Handles) {
        let mut inputs = self.desc.inputs.iter().map(|t| into_contiguous(handles.get_float_tensor::<Inner>(t)));
        let mut next = || inputs.next().expect("an operand");
        let (a, w_or_x) = (next(), next());
        let (code, slope) = self.act.code();
        let activated = self.act != Activation::None;
        let (client, dtype, dim) = (a.client.clone(), a.dtype.into(), CubeDim::new_1d(BLOCK));
        let outs = match self.launch {
            Launch::Forward { has_bias } => {
                let (x, w) = (a, w_or_x);
                let b = if has_bias { next() } else { placeholder(&x) };
                let y = empty(&x, self.desc.outputs[0].shape.clone());
                let count = grid(y.meta.shape().num_elements(), BLOCK);
                let args = (x.into_tensor_arg(), w.into_tensor_arg(), b.into_tensor_arg(), y.clone().into_tensor_arg());
                linear_forward_kernel::launch::<WgpuRuntime>(&client, count, dim, args.0, args.1, args.2, args.3, slope, has_bias, code, dtype);
                vec![y]
            }
            Launch::Data => {
                let (dy, w) = (a, w_or_x);
                let y = if activated { next() } else { placeholder(&dy) };
                let dx = empty(&dy, self.desc.outputs[0].shape.clone());
                let count = grid(dx.meta.shape().num_elements(), BLOCK);
                let args = (dy.into_tensor_arg(), w.into_tensor_arg(), y.into_tensor_arg(), dx.clone().into_tensor_arg());
                linear_data_kernel::launch::<WgpuRuntime>(&client, count, dim, args.0, args.1, args.2, args.3, slope, code, dtype);
                vec![dx]
            }
            Launch::Weight { has_bias, add_w, add_b } => {
                let (dy, x) = (a, w_or_x);
                let y = if activated { next() } else { placeholder(&dy) };
                let prev_w = if add_w { next() } else { placeholder(&dy) };
                let prev_b = if add_b { next() } else { placeholder(&dy) };
                let (i, o) = (x.meta.shape()[1], dy.meta.shape()[1]);
                let dw = empty(&dy, Shape::new([i, o]));
                let db = if has_bias { empty(&dy, Shape::new([o])) } else { placeholder(&dy) };
                let count = grid(i * o + if has_bias { o } else { 0 }, BLOCK);
                let (dy, x, y) = (dy.into_tensor_arg(), x.into_tensor_arg(), y.into_tensor_arg());
                let (prev_w, prev_b, dw_arg, db_arg) = (prev_w.into_tensor_arg(), prev_b.into_tensor_arg(), dw.clone().into_tensor_arg(), db.clone().into_tensor_arg());
                linear_weight_kernel::launch::<WgpuRuntime>(&client, count, dim, dy, x, y, prev_w, prev_b, dw_arg, db_arg, slope, has_bias, code, add_w, add_b, dtype);
                vec![dw, db]
            }
        };
        for (ir, tensor) in self.desc.outputs.iter().zip(outs) {
            handles.register_float_tensor::<Inner>(&ir.id, tensor);
        }
    }
}

/// `act(x · w + b)`, `[n, o]`, from `x` `[n, i]` and `w` `[i, o]`.
pub(super) fn forward(x: FloatTensor<Wgpu>, w: FloatTensor<Wgpu>, b: Option<FloatTensor<Wgpu>>, act: Activation) -> FloatTensor<Wgpu> {
    let shape = Shape::new([x.shape[0], w.shape[1]]);
    let launch = Launch::Forward { has_bias: b.is_some() };
    let inputs = [Some(x), Some(w), b].into_iter().flatten().collect();
    gpu::register("gan_linear_forward", inputs, vec![shape], |desc| LinearOp { desc, launch, act }).output()
}

/// The input gradient `[n, i]` from the gradient `dy` at the output `y` of a layer with weight `w`
/// `[i, o]` (`y` is needed only with an activation).
pub(super) fn data(dy: FloatTensor<Wgpu>, w: FloatTensor<Wgpu>, y: Option<FloatTensor<Wgpu>>, act: Activation) -> FloatTensor<Wgpu> {
    let shape = Shape::new([dy.shape[0], w.shape[0]]);
    let inputs = [Some(dy), Some(w), y].into_iter().flatten().collect();
    gpu::register("gan_linear_data", inputs, vec![shape], |desc| LinearOp { desc, launch: Launch::Data, act }).output()
}

/// `(dw, db)`: the weight gradient `[i, o]` and, if `has_bias`, the bias gradient `[o]`, plus
/// `prev`'s gradients where given (the parameters' gradients so far in this backward pass).
pub(super) fn weight(
    dy: FloatTensor<Wgpu>,
    x: FloatTensor<Wgpu>,
    y: Option<FloatTensor<Wgpu>>,
    has_bias: bool,
    prev: [Option<FloatTensor<Wgpu>>; 2],
    act: Activation,
) -> (FloatTensor<Wgpu>, Option<FloatTensor<Wgpu>>) {
    let (i, o) = (x.shape[1], dy.shape[1]);
    let shapes = vec![Shape::new([i, o]), Shape::new([if has_bias { o } else { 1 }])];
    let [prev_w, prev_b] = prev;
    let launch = Launch::Weight { has_bias, add_w: prev_w.is_some(), add_b: prev_b.is_some() };
    let inputs = [Some(dy), Some(x), y, prev_w, prev_b].into_iter().flatten().collect();
    let [dw, db] = gpu::register("gan_linear_weight", inputs, shapes, |desc| LinearOp { desc, launch, act }).outputs();
    (dw, has_bias.then_some(db))
}
