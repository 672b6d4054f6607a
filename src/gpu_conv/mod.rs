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

use burn::backend::Wgpu;
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Shape, Tensor};

use launch::{BiasOf, Geometry};

use crate::gpu::layer::{self, LayerGrads};

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

/// The layer's backward kernels: which convolution, its geometry and its kernel side.
#[derive(Debug)]
struct Grads {
    kind: Kind,
    geometry: Geometry,
    k: usize,
}

impl LayerGrads for Grads {
    fn data(&self, dy: FloatTensor<Wgpu>, x_shape: &Shape, w: FloatTensor<Wgpu>, y: Option<FloatTensor<Wgpu>>) -> FloatTensor<Wgpu> {
        let g = self.geometry;
        match self.kind {
            Kind::Conv => launch::data(dy, w, None, y, [x_shape[2], x_shape[3]], g),
            // The gradients go through the kernels with the strides and padding; no activation.
            Kind::Transposed => launch::forward(dy, w, None, Geometry { leaky: None, ..g }),
        }
    }

    fn weights(&self, dy: FloatTensor<Wgpu>, x: FloatTensor<Wgpu>, y: Option<FloatTensor<Wgpu>>, bias: bool, prev: [Option<FloatTensor<Wgpu>>; 2]) -> (FloatTensor<Wgpu>, Option<FloatTensor<Wgpu>>) {
        let (g, k) = (self.geometry, self.k);
        let bias = match (bias, self.kind) {
            (false, _) => BiasOf::None,
            (true, Kind::Conv) => BiasOf::Dy,
            (true, Kind::Transposed) => BiasOf::X,
        };
        // A transposed convolution's weight gradient is the correlation with the roles exchanged:
        // its input is on the strided side, its output gradient on the dense side.
        match self.kind {
            Kind::Conv => launch::weight(dy, x, y, prev, k, bias, g),
            Kind::Transposed => launch::weight(x, dy, None, prev, k, bias, Geometry { leaky: None, ..g }),
        }
    }
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
    let grads = Grads { kind, geometry: g, k: w.dims()[3] };
    // With LeakyReLU inside, the gradient kernels take it back through from the output.
    layer::on_gpu(x, w, b, grads, g.leaky.is_some(), |x, w, b| forward(kind, x, w, b, g))
}
