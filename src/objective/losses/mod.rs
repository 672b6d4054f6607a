//! Numerically stable loss building blocks on discriminator logits, shared by the objectives; the
//! cross-entropies against constant targets run as one operation of our own on the GPU (`gpu.rs`).

#[cfg(feature = "gpu")]
mod gpu;
#[cfg(feature = "gpu")]
mod kernels;

use burn::tensor::{activation, backend::Backend, Tensor};

/// The mean and sum of every value of a tensor, reduced as one flat vector: burn's GPU backend
/// reduces a tensor of several dimensions one axis per kernel, so the mean of a `[n, 1]` score took two.
pub trait Flat<B: Backend> {
    fn flat_mean(self) -> Tensor<B, 1>;
    fn flat_sum(self) -> Tensor<B, 1>;
}

impl<B: Backend, const D: usize> Flat<B> for Tensor<B, D> {
    fn flat_mean(self) -> Tensor<B, 1> {
        let n = self.shape().num_elements();
        self.reshape([n]).mean()
    }

    fn flat_sum(self) -> Tensor<B, 1> {
        let n = self.shape().num_elements();
        self.reshape([n]).sum()
    }
}

/// `softplus(t) = log(1 + e^t)`, computed as `max(t, 0) + log1p(e^{-|t|})` so it never overflows.
pub fn softplus<B: Backend, const D: usize>(t: Tensor<B, D>) -> Tensor<B, D> {
    let pos = t.clone().clamp_min(0.0);
    let tail = t.abs().neg().exp().log1p();
    pos + tail
}

/// Binary cross-entropy on logits against a constant target `y`: `y·softplus(-l) + (1-y)·softplus(l)`,
/// averaged over the batch. Never applies a sigmoid before the logarithm.
pub fn bce_with_logits<B: Backend>(logits: Tensor<B, 2>, target: f64) -> Tensor<B, 1> {
    #[cfg(feature = "gpu")]
    let (logits, target) = match gpu::bce(vec![(logits, target)]) {
        Ok((loss, _)) => return loss,
        Err(mut batches) => batches.remove(0),
    };
    bce_terms(logits, target)
}

/// `bce_with_logits` with burn's operations (every backend but the GPU one).
fn bce_terms<B: Backend>(logits: Tensor<B, 2>, target: f64) -> Tensor<B, 1> {
    if target == 0.0 {
        return softplus(logits).flat_mean();
    }
    let pos = softplus(logits.clone().neg()).mul_scalar(target);
    if target == 1.0 {
        return pos.flat_mean();
    }
    let neg = softplus(logits).mul_scalar(1.0 - target);
    (pos + neg).flat_mean()
}

/// Discriminator loss of the original GAN: `E[softplus(-l(x))] + E[softplus(l(G(z)))]`,
/// with the real target `real_target` (1, or 0.9 for one-sided label smoothing).
pub fn gan_d_loss<B: Backend>(real: Tensor<B, 2>, fake: Tensor<B, 2>, real_target: f64) -> Tensor<B, 1> {
    gan_d_terms(real, fake, real_target).0
}

/// `gan_d_loss` with the mean probabilities `E[σ(l(x))]` and `E[σ(l(G(z)))]` (detached) the
/// discriminator gives the real and the fake batch: `(loss, d_real, d_fake)`. On the GPU backend
/// one kernel computes all three.
pub fn gan_d_terms<B: Backend>(real: Tensor<B, 2>, fake: Tensor<B, 2>, real_target: f64) -> (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 1>) {
    #[cfg(feature = "gpu")]
    let (real, fake) = match gpu::bce(vec![(real, real_target), (fake, 0.0)]) {
        Ok((loss, probs)) => {
            let [d_real, d_fake] = probs.try_into().ok().expect("one mean per batch");
            return (loss, d_real, d_fake);
        }
        Err(mut batches) => {
            let fake = batches.pop().expect("two batches").0;
            (batches.pop().expect("two batches").0, fake)
        }
    };
    let loss = bce_terms(real.clone(), real_target) + bce_terms(fake.clone(), 0.0);
    (loss, mean_prob(real.detach()), mean_prob(fake.detach()))
}

/// Mean probability `E[σ(l)]` the discriminator assigns to "real".
pub fn mean_prob<B: Backend>(logits: Tensor<B, 2>) -> Tensor<B, 1> {
    activation::sigmoid(logits).flat_mean()
}

/// Jensen-Shannon estimate from a discriminator loss: with the optimal D, `L_D = log 4 - 2·JS`.
pub fn js_estimate<B: Backend>(d_loss: Tensor<B, 1>) -> Tensor<B, 1> {
    d_loss.neg().add_scalar(4f64.ln()).mul_scalar(0.5)
}

/// Binary cross-entropy on logits against per-sample targets `t` (e.g. noisy labels):
/// `E[softplus(l) - t·l]`, which equals `t·softplus(-l) + (1-t)·softplus(l)`.
pub fn bce_with_logit_targets<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 2>) -> Tensor<B, 1> {
    (softplus(logits.clone()) - logits * targets).flat_mean()
}
