//! A layer (input, weight, optional bias) as one operation of burn's autodiff graph on the GPU backend,
//! shared by the convolutions (`gpu_conv`) and the fully connected layers (`dense`): the path by
//! backend, the recorded operation, and its backward pass's bookkeeping (which gradients are wanted,
//! the gradients the parameters already have, registering the results). The kernels are the caller's.

use std::fmt::Debug;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, Wgpu};
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Shape, Tensor, TensorPrimitive};

use crate::backend::same;

type Ad = Autodiff<Wgpu>;
type Prim = FloatTensor<Wgpu>;

/// The kernels behind a layer's backward pass.
pub(crate) trait LayerGrads: Debug + Send + Sync + 'static {
    /// The input gradient (of `x_shape`) from the gradient `dy` at the layer's output `y` (kept when
    /// the forward pass asked for it).
    fn data(&self, dy: Prim, x_shape: &Shape, w: Prim, y: Option<Prim>) -> Prim;

    /// The weight gradient and, if `bias`, the bias gradient, from `dy` and the input `x`; each plus
    /// its `prev` where given (the gradient the parameter already has from another use in the pass).
    fn weights(&self, dy: Prim, x: Prim, y: Option<Prim>, bias: bool, prev: [Option<Prim>; 2]) -> (Prim, Option<Prim>);
}

#[derive(Debug)]
struct LayerBackward<K>(K);

impl<K: LayerGrads, const N: usize> Backward<Wgpu, N> for LayerBackward<K> {
    /// The layer's input; its weight and bias as autodiff tensors, to take up the gradients they
    /// already have from other uses in this pass; its output when the backward pass needs it.
    type State = (Prim, FloatTensor<Ad>, Option<FloatTensor<Ad>>, Option<Prim>);

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (x, w, b, y) = ops.state;
        let dy = grads.consume::<Wgpu>(&ops.node);
        let wants = |i: usize| ops.parents.get(i).is_some_and(Option::is_some);
        let dx = wants(0).then(|| self.0.data(dy.clone(), &x.shape, w.primitive.clone(), y.clone()));
        let (dw, db) = if wants(1) || wants(2) {
            // The gradients so far go into the kernel's sums, so registering the results adds nothing.
            let prev_w = if wants(1) { grads.remove::<Wgpu>(&w) } else { None };
            let prev_b = match (&b, wants(2)) {
                (Some(b), true) => grads.remove::<Wgpu>(b),
                _ => None,
            };
            let (dw, db) = self.0.weights(dy, x, y, wants(2), [prev_w, prev_b]);
            (wants(1).then_some(dw), db)
        } else {
            (None, None)
        };
        for (node, grad) in ops.parents.iter().zip([dx, dw, db]) {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<Wgpu>(node.id, grad);
            }
        }
    }
}

/// The layer on the autodiff GPU backend, recorded as one operation of the graph.
fn record<K: LayerGrads, const D: usize>(
    kernels: K,
    x: Tensor<Ad, D>,
    w: Tensor<Ad, D>,
    b: Option<Tensor<Ad, 1>>,
    keep_output: bool,
    forward: impl FnOnce(Prim, Prim, Option<Prim>) -> Prim,
) -> Tensor<Ad, D> {
    let (x, w) = (x.into_primitive().tensor(), w.into_primitive().tensor());
    let b = b.map(|b| b.into_primitive().tensor());
    let y = forward(x.primitive.clone(), w.primitive.clone(), b.as_ref().map(|b| b.primitive.clone()));
    let state = (x.primitive.clone(), w.clone(), b.clone(), keep_output.then(|| y.clone()));
    let op = LayerBackward(kernels);
    let out = match b {
        Some(b) => match op.prepare::<NoCheckpointing>([x.node.clone(), w.node.clone(), b.node.clone()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(state, y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        },
        None => match op.prepare::<NoCheckpointing>([x.node.clone(), w.node.clone()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(state, y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        },
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
}

/// Runs a layer with our kernels when `B` is the GPU backend: `forward` on the operands' primitives,
/// recorded with `kernels` for the backward pass under autodiff (`keep_output`: the backward pass
/// needs the output); `Err` with the operands at once on any other backend (nothing is cloned).
#[allow(clippy::type_complexity)]
pub(crate) fn on_gpu<B: Backend, K: LayerGrads, const D: usize>(
    x: Tensor<B, D>,
    w: Tensor<B, D>,
    b: Option<Tensor<B, 1>>,
    kernels: K,
    keep_output: bool,
    forward: impl FnOnce(Prim, Prim, Option<Prim>) -> Prim,
) -> Result<Tensor<B, D>, (Tensor<B, D>, Tensor<B, D>, Option<Tensor<B, 1>>)> {
    let x = match same::<_, Tensor<Ad, D>>(x) {
        Ok(x) => {
            let w = same(w).ok().expect("the weight is on the backend of the input");
            let b = b.map(|b| same(b).ok().expect("the bias is on the backend of the input"));
            return Ok(same(record(kernels, x, w, b, keep_output, forward)).ok().expect("the same backend"));
        }
        Err(x) => x,
    };
    match same::<_, Tensor<Wgpu, D>>(x) {
        Ok(x) => {
            let prim = |t: Tensor<Wgpu, D>| t.into_primitive().tensor();
            let w = prim(same(w).ok().expect("the weight is on the backend of the input"));
            let b = b.map(|b| same::<_, Tensor<Wgpu, 1>>(b).ok().expect("the bias is on the backend of the input").into_primitive().tensor());
            let y: Tensor<Wgpu, D> = Tensor::from_primitive(TensorPrimitive::Float(forward(prim(x), w, b)));
            Ok(same(y).ok().expect("the same backend"))
        }
        Err(x) => Err((x, w, b)),
    }
}
