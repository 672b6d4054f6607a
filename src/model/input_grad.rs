//! The critic's gradient with respect to its input, written as a forward computation (transposed
//! weights, LeakyReLU slopes, transposed convolutions) so that ordinary autodiff can differentiate a
//! penalty on it (WGAN-GP, MEG). burn has no gradient-of-gradient; this is the route around it.

use burn::tensor::{backend::Backend, Tensor};

use super::discriminator::{Body, Discriminator};
use super::{dcgan, LEAKY_SLOPE};
use crate::data::{PIXELS, SIDE};

/// Derivative of LeakyReLU at the pre-activation `h`: 1 where `h > 0`, the slope elsewhere.
/// Built from a comparison, so it carries no gradient (it is piecewise constant).
fn leaky_slope<B: Backend, const D: usize>(h: Tensor<B, D>) -> Tensor<B, D> {
    h.greater_elem(0.0).float().mul_scalar(1.0 - LEAKY_SLOPE).add_scalar(LEAKY_SLOPE)
}

fn leaky<B: Backend, const D: usize>(h: Tensor<B, D>) -> Tensor<B, D> {
    burn::tensor::activation::leaky_relu(h, LEAKY_SLOPE)
}

/// Backward of a stride-2, padding-1 convolution with respect to its input.
fn conv_input_grad<B: Backend>(grad_out: Tensor<B, 4>, weight: Tensor<B, 4>) -> Tensor<B, 4> {
    crate::cpu_conv::conv_transpose2d(grad_out, weight, None, dcgan::STRIDE, dcgan::PADDING)
}

impl<B: Backend> Discriminator<B> {
    /// The score `[n, 1]` and its gradient with respect to the input image (the input's shape), both
    /// differentiable with respect to the weights. Requires a body without BatchNorm.
    pub fn score_with_input_grad(&self, x: Tensor<B, 4>) -> (Tensor<B, 2>, Tensor<B, 4>) {
        let [n, ..] = x.dims();
        let w_score = self.score.weight.val(); // [F, 1]
        let b_score = self.score.bias.as_ref().map(|b| b.val());
        let (features, grad) = match &self.body {
            Body::Mlp(body) => {
                let h1 = body.l1.forward(x.reshape([n, PIXELS]));
                let h2 = body.l2.forward(leaky(h1.clone()));
                let features = leaky(h2.clone());
                // d score / d features = w_score for every sample; then back through each layer.
                let g_h2 = leaky_slope(h2) * w_score.clone().transpose();
                let g_h1 = g_h2.matmul(body.l2.weight.val().transpose()) * leaky_slope(h1);
                let g_x = g_h1.matmul(body.l1.weight.val().transpose());
                (features, g_x.reshape([n, 1, SIDE, SIDE]))
            }
            Body::Dcgan(body) => {
                assert!(body.bn1.is_none(), "the input gradient is written for critics without BatchNorm");
                let h0 = dcgan::apply_down(&body.down0, x);
                let h1 = dcgan::apply_down(&body.down1, leaky(h0.clone()));
                let features = leaky(h1.clone()).reshape([n, dcgan::FEATURES]);
                // [n, F] · [1, F]: one shared row, a vectorised broadcast on the CPU backend.
                let g_features = w_score.clone().transpose();
                let g_h1 = (leaky_slope(h1).reshape([n, dcgan::FEATURES]) * g_features).reshape([n, dcgan::WIDTH, 7, 7]);
                let g_h0 = conv_input_grad(g_h1, body.down1.weight.val()) * leaky_slope(h0);
                (features, conv_input_grad(g_h0, body.down0.weight.val()))
            }
            Body::Plane(body) => {
                let (features, g_x) = body.forward_with_input_grad(x, w_score.clone().transpose());
                (features, g_x.reshape([n, 1, 1, 2]))
            }
        };
        let mut score = features.matmul(w_score);
        if let Some(b) = b_score {
            score = score + b.unsqueeze();
        }
        (score, grad)
    }
}
