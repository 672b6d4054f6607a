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

#[cfg(feature = "gpu")]
mod kernels;
#[cfg(feature = "gpu")]
mod launch;

use burn::nn::Linear;
use burn::tensor::activation::leaky_relu;
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
#[cfg(feature = "gpu")]
use burn::{
    backend::Wgpu,
    tensor::{ops::FloatTensor, Shape},
};

#[cfg(feature = "gpu")]
use crate::gpu::layer::{on_gpu, LayerGrads};

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
    // The backward kernels take the gradient through the activation from the output.
    #[cfg(feature = "gpu")]
    let (x, w, b) = match on_gpu(x, w, b, Grads(act), act != Activation::None, |x, w, b| launch::forward(x, w, b, act)) {
        Ok(y) => return y,
        Err(operands) => operands,
    };
    act.apply(burn::tensor::module::linear(x, w, b))
}

/// The layer's backward kernels, for its activation.
#[cfg(feature = "gpu")]
#[derive(Debug)]
struct Grads(Activation);

#[cfg(feature = "gpu")]
impl LayerGrads for Grads {
    fn data(&self, dy: FloatTensor<Wgpu>, _: &Shape, w: FloatTensor<Wgpu>, y: Option<FloatTensor<Wgpu>>) -> FloatTensor<Wgpu> {
        launch::data(dy, w, y, self.0)
    }

    fn weights(&self, dy: FloatTensor<Wgpu>, x: FloatTensor<Wgpu>, y: Option<FloatTensor<Wgpu>>, bias: bool, prev: [Option<FloatTensor<Wgpu>>; 2]) -> (FloatTensor<Wgpu>, Option<FloatTensor<Wgpu>>) {
        launch::weight(dy, x, y, bias, prev, self.0)
    }
}
