//! The two convolutions as autodiff operations of the CPU backend: forward and backward are one matrix
//! product each (flex's multi-threaded matmul) around the patch matrices of [`super::kernels`].

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::Flex;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Tensor, TensorData, TensorPrimitive};

use super::kernels::{col2im, im2col, swap_outer, Geometry};
use crate::backend::Cpu;

/// A tensor of the CPU backend without autodiff.
type Plain<const D: usize> = Tensor<Flex, D>;

/// `f` on the values of `t` in row-major order, borrowed from the tensor's storage (no copy unless the
/// tensor is a strided view).
fn read<const D: usize, R>(t: Plain<D>, f: impl FnOnce(&[f32]) -> R) -> R {
    let t = t.into_primitive().tensor();
    let t = if t.as_slice::<f32>().is_some() { t } else { t.to_contiguous() };
    f(t.as_slice::<f32>().expect("the CPU backend computes in f32"))
}

fn plain<const D: usize>(values: Vec<f32>, shape: [usize; D]) -> Plain<D> {
    Tensor::from_data(TensorData::new(values, shape), &Default::default())
}

/// Adds one bias per channel to `[n, c, len]` (repeated per sample, so the CPU backend adds one scalar
/// per contiguous row).
fn add_bias(y: Plain<3>, bias: Option<Plain<1>>) -> Plain<3> {
    let [n, c, _] = y.dims();
    match bias {
        Some(b) => y + b.reshape([1, c, 1]).repeat_dim(0, n),
        None => y,
    }
}

/// Sum of `grad` `[n, c, h, w]` over everything but the channel: the bias gradient.
fn bias_grad(grad: Plain<4>) -> Plain<1> {
    let [n, c, h, w] = grad.dims();
    grad.reshape([n, c, h * w]).sum_dim(2).sum_dim(0).reshape([c])
}

/// Which convolution, and what its backward pass needs.
#[derive(Clone, Debug)]
enum State {
    /// `y = W · im2col(x)`: the patch matrix `[k, n·l]` and `W` as `[c_out, k]`.
    Conv { cols: Plain<2>, weight: Plain<2>, geometry: Geometry, n: usize },
    /// `y = col2im(Wᵀ · x)`: the input as `[c_in, n·l]` and `W` as `[c_in, k]`; the geometry is the
    /// output's (the transposed convolution is the adjoint of a convolution over its output).
    Transposed { input: Plain<2>, weight: Plain<2>, geometry: Geometry, n: usize },
}

#[derive(Debug)]
struct ConvOp;

impl<const N: usize> Backward<Flex, N> for ConvOp {
    type State = (State, [usize; 4]);

    fn backward(self, ops: Ops<Self::State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (state, weight_shape) = ops.state;
        let grad: Plain<4> = Tensor::from_primitive(TensorPrimitive::Float(grads.consume::<Flex>(&ops.node)));
        let wants = |i: usize| ops.parents.get(i).is_some_and(Option::is_some);
        // Gradients of x, the weight and the bias, for the parents that need one.
        let mut out: [Option<Plain<4>>; 2] = [None, None];
        let bias = wants(2).then(|| bias_grad(grad.clone()));
        let [batch, channels, oh, ow] = grad.dims();
        match state {
            State::Conv { cols, weight, geometry: g, n } => {
                // The output gradient as [c_out, n·l], the layout of W · cols.
                let g_out = plain(read(grad, |v| swap_outer(v, batch, channels, oh * ow)), [channels, n * oh * ow]);
                if wants(0) {
                    let g_cols = weight.clone().transpose().matmul(g_out.clone());
                    out[0] = Some(plain(read(g_cols, |v| col2im(v, n, &g)), [n, g.channels, g.height, g.width]));
                }
                if wants(1) {
                    out[1] = Some(g_out.matmul(cols.transpose()).reshape(weight_shape));
                }
            }
            State::Transposed { input, weight, geometry: g, n } => {
                let g_cols = plain(read(grad, |v| im2col(v, n, &g)), [g.patch_len(), n * g.positions()]);
                if wants(0) {
                    let [c_in, _] = weight.dims();
                    let gx = read(weight.clone().matmul(g_cols.clone()), |v| swap_outer(v, c_in, n, g.positions()));
                    out[0] = Some(plain(gx, [n, c_in, g.out_h, g.out_w]));
                }
                if wants(1) {
                    out[1] = Some(input.matmul(g_cols.transpose()).reshape(weight_shape));
                }
            }
        }
        let [gx, gw] = out;
        let gradients = [gx.map(|t| t.into_primitive().tensor()), gw.map(|t| t.into_primitive().tensor()), bias.map(|t| t.into_primitive().tensor())];
        for (node, g) in ops.parents.iter().zip(gradients) {
            if let (Some(node), Some(g)) = (node, g) {
                grads.register::<Flex>(node.id, g);
            }
        }
    }
}

/// Forward of a convolution (weight `[c_out, c_in, kh, kw]`) on plain CPU tensors, with what its
/// backward pass needs.
fn conv_forward(x: Plain<4>, weight: Plain<4>, bias: Option<Plain<1>>, stride: usize, padding: usize) -> (Plain<4>, State) {
    let [n, c_in, h, w] = x.dims();
    let [c_out, _, kh, kw] = weight.dims();
    let g = Geometry::new(c_in, [h, w], [kh, kw], stride, padding).expect("the kernel fits the padded image");
    let cols = plain(read(x, |v| im2col(v, n, &g)), [g.patch_len(), n * g.positions()]);
    let weight = weight.reshape([c_out, g.patch_len()]);
    let y = read(weight.clone().matmul(cols.clone()), |v| swap_outer(v, c_out, n, g.positions()));
    let y = add_bias(plain(y, [n, c_out, g.positions()]), bias).reshape([n, c_out, g.out_h, g.out_w]);
    (y, State::Conv { cols, weight, geometry: g, n })
}

/// Forward of a transposed convolution (weight `[c_in, c_out, kh, kw]`, no output padding).
fn conv_transpose_forward(x: Plain<4>, weight: Plain<4>, bias: Option<Plain<1>>, stride: usize, padding: usize) -> (Plain<4>, State) {
    let [n, c_in, h_in, w_in] = x.dims();
    let [_, c_out, kh, kw] = weight.dims();
    let side = |input: usize, k: usize| ((input - 1) * stride + k).checked_sub(2 * padding).expect("the padding fits the output");
    let g = Geometry::new(c_out, [side(h_in, kh), side(w_in, kw)], [kh, kw], stride, padding).expect("the kernel fits the output");
    debug_assert_eq!((g.out_h, g.out_w), (h_in, w_in));
    let input = plain(read(x, |v| swap_outer(v, n, c_in, h_in * w_in)), [c_in, n * h_in * w_in]);
    let weight = weight.reshape([c_in, g.patch_len()]);
    let cols = weight.clone().transpose().matmul(input.clone());
    let y = plain(read(cols, |v| col2im(v, n, &g)), [n, c_out, g.height * g.width]);
    let y = add_bias(y, bias).reshape([n, c_out, g.height, g.width]);
    (y, State::Transposed { input, weight, geometry: g, n })
}

/// Which of the two convolutions to run.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Conv,
    Transposed,
}

fn forward(kind: Kind, x: Plain<4>, w: Plain<4>, b: Option<Plain<1>>, stride: usize, padding: usize) -> (Plain<4>, State) {
    match kind {
        Kind::Conv => conv_forward(x, w, b, stride, padding),
        Kind::Transposed => conv_transpose_forward(x, w, b, stride, padding),
    }
}

/// The convolution on plain CPU tensors (no autodiff), e.g. for inference.
pub fn plain_conv(kind: Kind, x: Plain<4>, w: Plain<4>, b: Option<Plain<1>>, stride: usize, padding: usize) -> Plain<4> {
    forward(kind, x, w, b, stride, padding).0
}

/// The convolution on the autodiff CPU backend, recorded in the graph with its own backward pass.
pub fn autodiff_conv(kind: Kind, x: Tensor<Cpu, 4>, w: Tensor<Cpu, 4>, b: Option<Tensor<Cpu, 1>>, stride: usize, padding: usize) -> Tensor<Cpu, 4> {
    let (x, w) = (x.into_primitive().tensor(), w.into_primitive().tensor());
    let b = b.map(|b| b.into_primitive().tensor());
    // The same values without autodiff (the primitives share their storage).
    fn inner<const D: usize>(p: &FloatTensor<Flex>) -> Plain<D> {
        Tensor::from_primitive(TensorPrimitive::Float(p.clone()))
    }
    let weight: Plain<4> = inner(&w.primitive);
    let weight_shape = weight.dims();
    let (y, state) = forward(kind, inner(&x.primitive), weight, b.as_ref().map(|b| inner(&b.primitive)), stride, padding);
    let y = y.into_primitive().tensor();
    let out = match b {
        Some(b) => match ConvOp.prepare::<NoCheckpointing>([x.node.clone(), w.node.clone(), b.node.clone()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish((state, weight_shape), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        },
        None => match ConvOp.prepare::<NoCheckpointing>([x.node.clone(), w.node.clone()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish((state, weight_shape), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        },
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
}
