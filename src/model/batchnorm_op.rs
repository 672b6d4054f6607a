//! BatchNorm's training pass on the GPU backend as one autodiff operation with its own backward pass.
//!
//! Recorded op by op, the training pass (two-step reductions, centring, variance, scale and shift) and
//! the backward pass autodiff derives from it cost about 14 and 25–30 GPU kernels per layer: most are
//! element-wise operations on `[1, C, 1]` tensors between reductions, which burn's fusion cannot merge.
//! Half of a DCGAN generator step's dispatches were BatchNorm's (`bench/dispatches.mjs --sequence`).
//! Here the backward pass is the closed form (Ioffe & Szegedy 2015, with x̂ = (x − μ)·σ⁻¹):
//! dβ = Σ dy, dγ = Σ dy·x̂, dx = γσ⁻¹ · (dy − dβ/m − x̂·dγ/m), m = N·H·W. The forward arithmetic is that
//! of `BatchNorm2d::forward` (`tests/wgpu.rs` checks both against the CPU backend).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, Wgpu};
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Tensor, TensorPrimitive};

use crate::backend::Gpu;
use crate::cpu_conv::same;

fn wrap<B: Backend, const D: usize>(t: FloatTensor<B>) -> Tensor<B, D> {
    Tensor::from_primitive(TensorPrimitive::Float(t))
}

/// What the backward pass needs: the centred rows `[N, C, L]`, σ⁻¹ and γ as `[1, C, 1]`.
#[derive(Debug)]
struct BatchNormBackward;

impl<B: Backend> Backward<B, 3> for BatchNormBackward {
    type State = (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (centered, inv_std, gamma) = ops.state;
        let (centered, inv_std, gamma) = (wrap::<B, 3>(centered), wrap::<B, 3>(inv_std), wrap::<B, 3>(gamma));
        let dy: Tensor<B, 3> = wrap(grads.consume::<B>(&ops.node));
        let [n, c, l] = dy.dims();
        let m = (n * l) as f64;
        let x_hat = centered * inv_std.clone();
        let d_beta = dy.clone().sum_dim(2).sum_dim(0);
        let d_gamma = (dy.clone() * x_hat.clone()).sum_dim(2).sum_dim(0);
        let [x, g, b] = ops.parents;
        if let Some(x) = x {
            let dx = (dy - d_beta.clone().div_scalar(m) - x_hat * d_gamma.clone().div_scalar(m)) * (gamma * inv_std);
            grads.register::<B>(x.id, dx.into_primitive().tensor());
        }
        if let Some(g) = g {
            grads.register::<B>(g.id, d_gamma.reshape([c]).into_primitive().tensor());
        }
        if let Some(b) = b {
            grads.register::<B>(b.id, d_beta.reshape([c]).into_primitive().tensor());
        }
    }
}

/// The training pass on `rows` (`[N, C, L]`): the normalised, scaled and shifted rows, recorded as one
/// operation of the graph, and the batch mean and biased variance (`[C]`, not tracked) for the running
/// statistics.
pub fn train_forward<B: Backend>(
    rows: Tensor<Autodiff<B>, 3>,
    gamma: Tensor<Autodiff<B>, 1>,
    beta: Tensor<Autodiff<B>, 1>,
    epsilon: f64,
) -> (Tensor<Autodiff<B>, 3>, Tensor<B, 1>, Tensor<B, 1>) {
    let [n, c, l] = rows.dims();
    let count = (n * l) as f64;
    let (x, g, b) = (rows.into_primitive().tensor(), gamma.into_primitive().tensor(), beta.into_primitive().tensor());
    let (rows, gamma_v, beta_v) = (wrap::<B, 3>(x.primitive.clone()), wrap::<B, 1>(g.primitive.clone()), wrap::<B, 1>(b.primitive.clone()));
    let mean = rows.clone().sum_dim(2).sum_dim(0).div_scalar(count); // [1, C, 1]
    let centered = rows - mean.clone();
    let var = centered.clone().square().sum_dim(2).sum_dim(0).div_scalar(count);
    let inv_std = var.clone().add_scalar(epsilon).sqrt().recip();
    let gamma3 = gamma_v.reshape([1, c, 1]);
    let y = centered.clone() * (inv_std.clone() * gamma3.clone()) + beta_v.reshape([1, c, 1]);
    let y = y.into_primitive().tensor();
    let out = match BatchNormBackward.prepare::<NoCheckpointing>([x.node.clone(), g.node.clone(), b.node.clone()]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => {
            let state = (centered.into_primitive().tensor(), inv_std.into_primitive().tensor(), gamma3.into_primitive().tensor());
            prep.finish(state, y)
        }
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    (wrap(out), mean.reshape([c]), var.reshape([c]))
}

/// `train_forward` when `B` is the GPU backend (`Gpu`): `Err(rows)` at once otherwise.
#[allow(clippy::type_complexity)]
pub fn on_gpu<B: Backend>(
    rows: Tensor<B, 3>,
    gamma: Tensor<B, 1>,
    beta: Tensor<B, 1>,
    epsilon: f64,
) -> Result<(Tensor<B, 3>, Tensor<B, 1>, Tensor<B, 1>), Tensor<B, 3>> {
    let rows: Tensor<Gpu, 3> = same(rows)?;
    let gamma: Tensor<Gpu, 1> = same(gamma).ok().expect("γ is on the backend of the rows");
    let beta: Tensor<Gpu, 1> = same(beta).ok().expect("β is on the backend of the rows");
    let (y, mean, var) = train_forward::<Wgpu>(rows, gamma, beta, epsilon);
    let back = |t: Tensor<Wgpu, 1>| same(Tensor::<Gpu, 1>::from_inner(t)).ok().expect("the same backend");
    Ok((same(y).ok().expect("the same backend"), back(mean), back(var)))
}
