//! Fully connected layers with their activation: on the GPU backend one autodiff operation whose
//! forward pass and each gradient (input; weight with bias) is one kernel of our own, elsewhere burn's
//! `Linear` and activation (the CPU backend's numbers are unchanged).
//!
//! burn runs a layer as a matrix product, then the bias and activation in a fused element-wise kernel;
//! backward, the activation's gradient, two matrix products and a reduction for the bias gradient.
//! Here the three kernels (`kernels.rs`) apply the bias and activation inside (forward) and take the
//! gradient back through the activation from the layer's output (backward): on the MLP a layer costs
//! three dispatches per training pass instead of about six. `tests/wgpu.rs` checks outputs and
//! gradients against the CPU backend.

mod kernels;
mod launch;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, Wgpu};
use burn::nn::Linear;
use burn::tensor::activation::leaky_relu;
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Tensor, TensorPrimitive};

use crate::backend::same;

/// The activation after a fully connected layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    None,
    /// LeakyReLU with this negative slope.
    Leaky(f64),
    Tanh,
}

impl Activation {
    /// The activation with burn's operations (the path of every backend but the GPU one).
    fn apply<B: Backend, const D: usize>(self, h: Tensor<B, D>) -> Tensor<B, D> {
        match self {
            Activation::None => h,
            Activation::Leaky(slope) => leaky_relu(h, slope),
            Activation::Tanh => h.tanh(),
        }
    }
}

/// `act(x · weight + bias)` for `x` `[n, d_input]`: `layer.forward(x)` and the activation.
pub fn layer<B: Backend>(layer: &Linear<B>, x: Tensor<B, 2>, act: Activation) -> Tensor<B, 2> {
    let (w, b) = (layer.weight.val(), layer.bias.as_ref().map(|b| b.val()));
    on_gpu(x, w, b, act).unwrap_or_else(|(x, w, b)| act.apply(burn::tensor::module::linear(x, w, b)))
}

#[derive(Debug)]
struct LinearBackward {
    act: Activation,
}

impl<const N: usize> Backward<Wgpu, N> for LinearBackward {
    /// The layer's input; its weight and bias as autodiff tensors, to take up the gradients they
    /// already have from other uses in this pass; its output when it has an activation.
    type State = (FloatTensor<Wgpu>, FloatTensor<Autodiff<Wgpu>>, Option<FloatTensor<Autodiff<Wgpu>>>, Option<FloatTensor<Wgpu>>);

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (x, w, b, y) = ops.state;
        let dy = grads.consume::<Wgpu>(&ops.node);
        let wants = |i: usize| ops.parents.get(i).is_some_and(Option::is_some);
        let dx = wants(0).then(|| launch::data(dy.clone(), w.primitive.clone(), y.clone(), self.act));
        let (dw, db) = if wants(1) || wants(2) {
            // The gradients so far go into the kernel's sums, so registering the results adds nothing.
            let prev_w = if wants(1) { grads.remove::<Wgpu>(&w) } else { None };
            let prev_b = match (&b, wants(2)) {
                (Some(b), true) => grads.remove::<Wgpu>(b),
                _ => None,
            };
            let (dw, db) = launch::weight(dy, x, y, b.is_some(), [prev_w, prev_b], self.act);
            (wants(1).then_some(dw), db.filter(|_| wants(2)))
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
fn autodiff_linear(x: Tensor<Autodiff<Wgpu>, 2>, w: Tensor<Autodiff<Wgpu>, 2>, b: Option<Tensor<Autodiff<Wgpu>, 1>>, act: Activation) -> Tensor<Autodiff<Wgpu>, 2> {
    let (x, w) = (x.into_primitive().tensor(), w.into_primitive().tensor());
    let b = b.map(|b| b.into_primitive().tensor());
    let y = launch::forward(x.primitive.clone(), w.primitive.clone(), b.as_ref().map(|b| b.primitive.clone()), act);
    let state = (x.primitive.clone(), w.clone(), b.clone(), (act != Activation::None).then(|| y.clone()));
    let op = LinearBackward { act };
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

/// Runs the layer with our kernels when `B` is the GPU backend, with or without autodiff; `Err` with
/// the operands at once otherwise (nothing is cloned).
#[allow(clippy::type_complexity)]
fn on_gpu<B: Backend>(
    x: Tensor<B, 2>,
    w: Tensor<B, 2>,
    b: Option<Tensor<B, 1>>,
    act: Activation,
) -> Result<Tensor<B, 2>, (Tensor<B, 2>, Tensor<B, 2>, Option<Tensor<B, 1>>)> {
    let x = match same::<_, Tensor<Autodiff<Wgpu>, 2>>(x) {
        Ok(x) => {
            let w = same(w).ok().expect("the weight is on the backend of the input");
            let b = b.map(|b| same(b).ok().expect("the bias is on the backend of the input"));
            return Ok(same(autodiff_linear(x, w, b, act)).ok().expect("the same backend"));
        }
        Err(x) => x,
    };
    match same::<_, Tensor<Wgpu, 2>>(x) {
        Ok(x) => {
            let prim = |t: Tensor<Wgpu, 2>| t.into_primitive().tensor();
            let w = prim(same(w).ok().expect("the weight is on the backend of the input"));
            let b = b.map(|b| same::<_, Tensor<Wgpu, 1>>(b).ok().expect("the bias is on the backend of the input").into_primitive().tensor());
            let y: Tensor<Wgpu, 2> = Tensor::from_primitive(TensorPrimitive::Float(launch::forward(prim(x), w, b, act)));
            Ok(same(y).ok().expect("the same backend"))
        }
        Err(x) => Err((x, w, b)),
    }
}
