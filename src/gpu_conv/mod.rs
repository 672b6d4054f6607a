//! Convolutions for the DCGAN layers on the GPU backend: one autodiff operation per layer whose
//! forward pass and each gradient (input, weight with bias) is one direct NCHW kernel of our own.
//!
//! burn's wgpu convolutions work in NHWC and permute around each call: with their backward passes a
//! DCGAN step spent 36 of its 224 dispatches on layout copies and 25 on convolution kernels, and a
//! reduction per bias gradient. A transposed convolution is the adjoint of a convolution, so three
//! kernels (`kernels.rs`) serve both: a convolution's forward pass is a transposed convolution's input
//! gradient, and the other way round; the weight gradient is the same correlation with the operands'
//! roles exchanged. A convolution can end in LeakyReLU inside its kernels (the discriminator's layers
//! without BatchNorm). `tests/wgpu.rs` checks outputs and gradients against the CPU backend.

mod kernels;
mod launch;

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, Wgpu};
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Tensor, TensorPrimitive};

use launch::{BiasOf, Geometry};

use crate::backend::same;

/// Which of the two convolutions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Weight `[c_out, c_in, k, k]`.
    Conv,
    /// Weight `[c_in, c_out, k, k]`, no output padding.
    Transposed,
}

/// The forward pass on the GPU backend without autodiff (a transposed convolution has no activation).
fn forward(kind: Kind, x: FloatTensor<Wgpu>, w: FloatTensor<Wgpu>, b: Option<FloatTensor<Wgpu>>, g: Geometry) -> FloatTensor<Wgpu> {
    match kind {
        Kind::Conv => launch::forward(x, w, b, g),
        Kind::Transposed => {
            assert!(g.leaky.is_none(), "no activation is fused into a transposed convolution");
            let side = |d: usize| ((d - 1) * g.stride + w.shape[3]).checked_sub(2 * g.padding).expect("the padding fits the output");
            let dense = [side(x.shape[2]), side(x.shape[3])];
            launch::data(x, w, b, None, dense, g)
        }
    }
}

#[derive(Debug)]
struct ConvBackward {
    kind: Kind,
    geometry: Geometry,
}

impl<const N: usize> Backward<Wgpu, N> for ConvBackward {
    /// The layer's input; its weight and bias as autodiff tensors, to take up the gradients they
    /// already have from other uses in this pass; its output when it ends in LeakyReLU.
    type State = (FloatTensor<Wgpu>, FloatTensor<Autodiff<Wgpu>>, Option<FloatTensor<Autodiff<Wgpu>>>, Option<FloatTensor<Wgpu>>);

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (x, w_ad, b_ad, y) = ops.state;
        let w = w_ad.primitive.clone();
        let dy = grads.consume::<Wgpu>(&ops.node);
        let wants = |i: usize| ops.parents.get(i).is_some_and(Option::is_some);
        let (k, g) = (w.shape[3], self.geometry);
        // The gradients go through the kernels with the strides and padding; no activation on the way.
        let plain = Geometry { leaky: None, ..g };
        let dx = wants(0).then(|| match self.kind {
            Kind::Conv => launch::data(dy.clone(), w.clone(), None, y.clone(), [x.shape[2], x.shape[3]], g),
            Kind::Transposed => launch::forward(dy.clone(), w.clone(), None, plain),
        });
        let (dw, db) = if wants(1) || wants(2) {
            let bias = match (wants(2), self.kind) {
                (false, _) => BiasOf::None,
                (true, Kind::Conv) => BiasOf::Dy,
                (true, Kind::Transposed) => BiasOf::X,
            };
            // The gradients so far go into the kernel's sums, so registering the results adds nothing.
            let prev_w = if wants(1) { grads.remove::<Wgpu>(&w_ad) } else { None };
            let prev_b = match (&b_ad, wants(2)) {
                (Some(b), true) => grads.remove::<Wgpu>(b),
                _ => None,
            };
            // A transposed convolution's weight gradient is the correlation with the roles exchanged:
            // its input is on the strided side, its output gradient on the dense side.
            let (dw, db) = match self.kind {
                Kind::Conv => launch::weight(dy, x, y, [prev_w, prev_b], k, bias, g),
                Kind::Transposed => launch::weight(x, dy, None, [prev_w, prev_b], k, bias, plain),
            };
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

/// The convolution on the autodiff GPU backend, recorded as one operation of the graph.
fn autodiff_conv(kind: Kind, x: Tensor<Autodiff<Wgpu>, 4>, w: Tensor<Autodiff<Wgpu>, 4>, b: Option<Tensor<Autodiff<Wgpu>, 1>>, g: Geometry) -> Tensor<Autodiff<Wgpu>, 4> {
    let (x, w) = (x.into_primitive().tensor(), w.into_primitive().tensor());
    let b = b.map(|b| b.into_primitive().tensor());
    let y = forward(kind, x.primitive.clone(), w.primitive.clone(), b.as_ref().map(|b| b.primitive.clone()), g);
    let op = ConvBackward { kind, geometry: g };
    let state = (x.primitive.clone(), w.clone(), b.clone(), g.leaky.map(|_| y.clone()));
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

/// Runs `kind` with our kernels when `B` is the GPU backend, with or without autodiff, then
/// LeakyReLU(`leaky`) if given (convolutions only); `Err` with the operands at once otherwise (nothing
/// is cloned).
#[allow(clippy::type_complexity)]
pub(crate) fn on_gpu<B: Backend>(
    kind: Kind,
    x: Tensor<B, 4>,
    w: Tensor<B, 4>,
    b: Option<Tensor<B, 1>>,
    [stride, padding]: [usize; 2],
    leaky: Option<f64>,
) -> Result<Tensor<B, 4>, (Tensor<B, 4>, Tensor<B, 4>, Option<Tensor<B, 1>>)> {
    let g = Geometry { stride, padding, leaky: leaky.map(|s| s as f32) };
    let x = match same::<_, Tensor<Autodiff<Wgpu>, 4>>(x) {
        Ok(x) => {
            let w = same(w).ok().expect("the weight is on the backend of the input");
            let b = b.map(|b| same(b).ok().expect("the bias is on the backend of the input"));
            return Ok(same(autodiff_conv(kind, x, w, b, g)).ok().expect("the same backend"));
        }
        Err(x) => x,
    };
    match same::<_, Tensor<Wgpu, 4>>(x) {
        Ok(x) => {
            let prim = |t: Tensor<Wgpu, 4>| t.into_primitive().tensor();
            let w = prim(same(w).ok().expect("the weight is on the backend of the input"));
            let b = b.map(|b| same::<_, Tensor<Wgpu, 1>>(b).ok().expect("the bias is on the backend of the input").into_primitive().tensor());
            let y: Tensor<Wgpu, 4> = Tensor::from_primitive(TensorPrimitive::Float(forward(kind, prim(x), w, b, g)));
            Ok(same(y).ok().expect("the same backend"))
        }
        Err(x) => Err((x, w, b)),
    }
}
