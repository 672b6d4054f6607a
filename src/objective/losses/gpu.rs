//! The binary cross-entropy of one or two batches of logits on the GPU backend: one operation of burn's
//! autodiff graph over two kernels of our own (`kernels.rs`), registered in burn's fusion stream.
//!
//! With burn's operations the discriminator's loss and its two mean probabilities took about sixteen
//! kernels (softplus in pieces, a reduction per mean, each with its gradient); here the forward
//! kernel writes the loss and both means, and the backward kernel both batches' gradients.
//! `tests/wgpu.rs` checks values and gradients against the CPU backend.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::wgpu::{CubeTensor, WgpuRuntime};
use burn::backend::{Autodiff, Wgpu};
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Shape, Tensor, TensorPrimitive};
use burn_cubecl::kernel::into_contiguous;
use burn_fusion::stream::Operation;
use burn_ir::CustomOpIr;
use cubecl::prelude::*;

use super::kernels::{bce_backward_kernel, bce_forward_kernel};
use crate::backend::same;
use crate::gpu::{self, block_size, grid, placeholder, Handles, Inner, Runtime};

type Ad = Autodiff<Wgpu>;
type Prim = FloatTensor<Wgpu>;

/// Invocations per workgroup of the backward kernel.
const BLOCK: u32 = 64;

/// Logits (any shape; every value is one sample's logit) with their constant target.
pub(super) type Batch<B> = (Tensor<B, 2>, f64);

/// The summed mean cross-entropies and each batch's mean probability (detached), when `B` is the GPU
/// backend; `Err` with the batches untouched on any other backend.
#[allow(clippy::type_complexity)]
pub(super) fn bce<B: Backend>(batches: Vec<Batch<B>>) -> Result<(Tensor<B, 1>, Vec<Tensor<B, 1>>), Vec<Batch<B>>> {
    assert!(matches!(batches.len(), 1 | 2), "one or two batches");
    let batches = match same::<_, Vec<Batch<Ad>>>(batches) {
        Ok(on_ad) => return Ok(same(record(on_ad)).ok().expect("the same backend")),
        Err(batches) => batches,
    };
    match same::<_, Vec<Batch<Wgpu>>>(batches) {
        Ok(on_gpu) => {
            let targets = targets(&on_gpu);
            let prims = on_gpu.into_iter().map(|(l, _)| l.into_primitive().tensor()).collect();
            let (loss, probs) = forward(prims, targets);
            Ok(same((wrap(loss), probs.into_iter().map(wrap).collect::<Vec<_>>())).ok().expect("the same backend"))
        }
        Err(batches) => Err(batches),
    }
}

fn wrap(t: Prim) -> Tensor<Wgpu, 1> {
    Tensor::from_primitive(TensorPrimitive::Float(t))
}

fn targets<B: Backend>(batches: &[Batch<B>]) -> [f32; 2] {
    [batches[0].1 as f32, batches.get(1).map_or(0.0, |b| b.1 as f32)]
}

/// The backward pass: both batches' logit gradients from the loss's.
#[derive(Debug)]
struct BceBackward([f32; 2]);

impl<const N: usize> Backward<Wgpu, N> for BceBackward {
    /// The logits of each batch.
    type State = Vec<Prim>;

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let g = grads.consume::<Wgpu>(&ops.node);
        for (node, grad) in ops.parents.iter().zip(backward(ops.state, g, self.0)) {
            if let Some(node) = node {
                grads.register::<Wgpu>(node.id, grad);
            }
        }
    }
}

/// The loss recorded as one operation of the autodiff graph, the probabilities outside it.
fn record(batches: Vec<Batch<Ad>>) -> (Tensor<Ad, 1>, Vec<Tensor<Ad, 1>>) {
    let targets = targets(&batches);
    let logits: Vec<_> = batches.into_iter().map(|(l, _)| l.into_primitive().tensor()).collect();
    let prims: Vec<Prim> = logits.iter().map(|l| l.primitive.clone()).collect();
    let (loss, probs) = forward(prims.clone(), targets);
    let op = BceBackward(targets);
    let out = match logits.as_slice() {
        [a] => match op.prepare::<NoCheckpointing>([a.node.clone()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(prims, loss),
            OpsKind::UnTracked(prep) => prep.finish(loss),
        },
        [a, b] => match op.prepare::<NoCheckpointing>([a.node.clone(), b.node.clone()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(prims, loss),
            OpsKind::UnTracked(prep) => prep.finish(loss),
        },
        _ => unreachable!("one or two batches"),
    };
    let probs = probs.into_iter().map(|p| Tensor::from_inner(wrap(p))).collect();
    (Tensor::from_primitive(TensorPrimitive::Float(out)), probs)
}

/// Which kernel a registered operation runs.
#[derive(Debug, Clone, Copy)]
enum Launch {
    Forward,
    Backward,
}

#[derive(Debug)]
struct BceOp {
    desc: CustomOpIr,
    launch: Launch,
    targets: [f32; 2],
}

impl Operation<Runtime> for BceOp {
    fn execute(&self, handles: &mut Handles) {
        let inputs: Vec<CubeTensor<WgpuRuntime>> = self.desc.inputs.iter().map(|t| into_contiguous(handles.get_float_tensor::<Inner>(t))).collect();
        let (a, client) = (&inputs[0], inputs[0].client.clone());
        let (dtype, [t_a, t_b]) = (a.dtype.into(), self.targets);
        let one = || placeholder(a);
        let outs = match self.launch {
            Launch::Forward => {
                let two = inputs.len() == 2;
                let b = inputs.get(1).cloned().unwrap_or_else(one);
                let (loss, p_a, p_b) = (one(), one(), one());
                let block = block_size(a);
                let args = (a.clone().into_tensor_arg(), b.into_tensor_arg(), loss.clone().into_tensor_arg(), p_a.clone().into_tensor_arg(), p_b.clone().into_tensor_arg());
                bce_forward_kernel::launch::<WgpuRuntime>(&client, CubeCount::Static(1, 1, 1), CubeDim::new_1d(block), args.0, args.1, args.2, args.3, args.4, t_a, t_b, two, block, dtype);
                if two { vec![loss, p_a, p_b] } else { vec![loss, p_a] }
            }
            Launch::Backward => {
                // The logits, then the gradient at the loss.
                let two = inputs.len() == 3;
                let (b, g) = if two { (inputs[1].clone(), inputs[2].clone()) } else { (one(), inputs[1].clone()) };
                let like = |t: &CubeTensor<WgpuRuntime>| burn_cubecl::ops::numeric::empty_device_dtype(client.clone(), t.device.clone(), t.meta.shape().clone(), t.dtype);
                let (d_a, d_b) = (like(a), like(&b));
                let values = a.meta.shape().num_elements() + if two { b.meta.shape().num_elements() } else { 0 };
                let args = (a.clone().into_tensor_arg(), b.into_tensor_arg(), g.into_tensor_arg(), d_a.clone().into_tensor_arg(), d_b.clone().into_tensor_arg());
                bce_backward_kernel::launch::<WgpuRuntime>(&client, grid(values, BLOCK), CubeDim::new_1d(BLOCK), args.0, args.1, args.2, args.3, args.4, t_a, t_b, two, dtype);
                if two { vec![d_a, d_b] } else { vec![d_a] }
            }
        };
        for (ir, tensor) in self.desc.outputs.iter().zip(outs) {
            handles.register_float_tensor::<Inner>(&ir.id, tensor);
        }
    }
}

/// `(loss, [p_a, p_b])` from the batches' logits, each `[1]`.
fn forward(logits: Vec<Prim>, targets: [f32; 2]) -> (Prim, Vec<Prim>) {
    let shapes = vec![Shape::new([1]); logits.len() + 1];
    let mut outs = gpu::register("gan_bce_forward", logits, shapes, |desc| BceOp { desc, launch: Launch::Forward, targets });
    let loss = outs.remove(0);
    (loss, outs)
}

/// Each batch's logit gradients from `g`, the gradient at the loss.
fn backward(logits: Vec<Prim>, g: Prim, targets: [f32; 2]) -> Vec<Prim> {
    let shapes = logits.iter().map(|l| l.shape.clone()).collect();
    let inputs = logits.into_iter().chain([g]).collect();
    gpu::register("gan_bce_backward", inputs, shapes, |desc| BceOp { desc, launch: Launch::Backward, targets })
}
