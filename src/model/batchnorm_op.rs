//! BatchNorm's training pass on the GPU backend as one autodiff operation with its own backward pass.
//!
//! Recorded op by op, the training pass (two-step reductions, centring, variance, scale and shift) and
//! the backward pass autodiff derives from it cost about 14 and 25–30 GPU kernels per layer: most are
//! element-wise operations on `[1, C, 1]` tensors between reductions, which burn's fusion cannot merge.
//! Half of a DCGAN generator step's dispatches were BatchNorm's (`bench/dispatches.mjs --sequence`).
//! Here the layer is one node of the autodiff graph whose forward and backward passes are one CubeCL
//! kernel each (`batchnorm_kernel.rs`); the backward pass is the closed form (Ioffe & Szegedy 2015,
//! with x̂ = (x − μ)·σ⁻¹): dβ = Σ dy, dγ = Σ dy·x̂, dx = γσ⁻¹ · (dy − dβ/m − x̂·dγ/m), m = N·H·W.
//! `tests/wgpu.rs` checks both against the CPU backend.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::{Autodiff, Wgpu};
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Tensor, TensorPrimitive};

use super::batchnorm_kernel;
use crate::backend::Gpu;
use crate::backend::same;

fn wrap<B: Backend, const D: usize>(t: FloatTensor<B>) -> Tensor<B, D> {
    Tensor::from_primitive(TensorPrimitive::Float(t))
}

/// What the backward pass needs: the input rows `[N, C, L]`, μ, σ⁻¹ and γ (`[C]`).
#[derive(Debug)]
struct BatchNormBackward;

impl Backward<Wgpu, 3> for BatchNormBackward {
    type State = [FloatTensor<Wgpu>; 4];

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [x, mean, inv_std, gamma] = ops.state;
        let dy = grads.consume::<Wgpu>(&ops.node);
        let [dx, d_gamma, d_beta] = batchnorm_kernel::train_backward([dy, x, mean, inv_std, gamma]);
        let [x, g, b] = ops.parents;
        for (parent, grad) in [(x, dx), (g, d_gamma), (b, d_beta)] {
            if let Some(parent) = parent {
                grads.register::<Wgpu>(parent.id, grad);
            }
        }
    }
}

/// The training pass on `rows` (`[N, C, L]`): the normalised, scaled and shifted rows, recorded as one
/// operation of the graph (one kernel forward, one backward), and the batch mean and biased variance
/// (`[C]`, not tracked) for the running statistics.
pub fn train_forward(
    rows: Tensor<Autodiff<Wgpu>, 3>,
    gamma: Tensor<Autodiff<Wgpu>, 1>,
    beta: Tensor<Autodiff<Wgpu>, 1>,
    epsilon: f64,
) -> (Tensor<Autodiff<Wgpu>, 3>, Tensor<Wgpu, 1>, Tensor<Wgpu, 1>) {
    let (x, g, b) = (rows.into_primitive().tensor(), gamma.into_primitive().tensor(), beta.into_primitive().tensor());
    let [y, mean, var, inv_std] =
        batchnorm_kernel::train_forward(x.primitive.clone(), g.primitive.clone(), b.primitive.clone(), epsilon);
    let out = match BatchNormBackward.prepare::<NoCheckpointing>([x.node.clone(), g.node.clone(), b.node.clone()]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish([x.primitive, mean.clone(), inv_std, g.primitive], y),
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    (wrap(out), wrap(mean), wrap(var))
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
    let (y, mean, var) = train_forward(rows, gamma, beta, epsilon);
    let back = |t: Tensor<Wgpu, 1>| same(Tensor::<Gpu, 1>::from_inner(t)).ok().expect("the same backend");
    Ok((same(y).ok().expect("the same backend"), back(mean), back(var)))
}

/// The running mean and variance after a training pass on the GPU backend (`Gpu`), `old·(1 − m) +
/// batch·m`, as one kernel (burn's operations took two or three small kernels per statistic); `Err`
/// with the operands at once on any other backend.
#[allow(clippy::type_complexity)]
pub fn blend_on_gpu<B: Backend>(old: [Tensor<B, 1>; 2], batch: [Tensor<B, 1>; 2], momentum: f64) -> Result<[Tensor<B, 1>; 2], ([Tensor<B, 1>; 2], [Tensor<B, 1>; 2])> {
    if std::any::TypeId::of::<B>() != std::any::TypeId::of::<Gpu>() {
        return Err((old, batch));
    }
    let inner = |t: Tensor<B, 1>| same::<_, Tensor<Gpu, 1>>(t).ok().expect("the GPU backend").inner().into_primitive().tensor();
    let [old_mean, old_var] = old.map(inner);
    let [mean, var] = batch.map(inner);
    Ok(batchnorm_kernel::blend_running([old_mean, old_var, mean, var], momentum)
        .map(|t| same(Tensor::<Gpu, 1>::from_inner(wrap(t))).ok().expect("the same backend")))
}
