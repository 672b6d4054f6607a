//! Convolutions for the DCGAN layers, by backend: on the CPU backend our own im2col + matrix-product
//! kernels with their own backward pass, on the GPU backend `gpu_conv`'s direct kernels, on any other
//! backend burn's.
//!
//! burn's default convolution backward (which the flex CPU backend uses) swaps the batch and channel
//! axes of the activations and gradients, and flex copies such views element by element; the weight and
//! bias gradients cost 3–6× the forward pass. Here the backward pass is two matrix products per layer
//! around the same patch matrices the forward pass uses. `tests/cpu_kernels.rs` checks values and
//! gradients against burn's convolutions.

mod kernels;
mod op;

use std::any::TypeId;

use burn::backend::Flex;
use burn::tensor::module::{conv2d as burn_conv2d, conv_transpose2d as burn_conv_transpose2d};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use burn::tensor::activation::leaky_relu;
use burn::tensor::{backend::Backend, Tensor};

use op::Kind;

use crate::backend::{same, Cpu};
#[cfg(feature = "gpu")]
use crate::gpu_conv;

/// The operands as tensors of backend `C` when `B` is `C`; `None` at once otherwise, without cloning
/// anything (so other backends, wgpu and WebGPU, pay nothing here).
#[allow(clippy::type_complexity)]
fn operands<B: Backend, C: Backend>(
    x: &Tensor<B, 4>,
    weight: &Tensor<B, 4>,
    bias: Option<&Tensor<B, 1>>,
) -> Option<(Tensor<C, 4>, Tensor<C, 4>, Option<Tensor<C, 1>>)> {
    if TypeId::of::<B>() != TypeId::of::<C>() {
        return None;
    }
    Some((same(x.clone()).ok()?, same(weight.clone()).ok()?, same(bias.cloned()).ok()?))
}

/// Runs `kind` with our kernels when `B` is the CPU backend (with or without autodiff); `None` otherwise.
fn on_cpu<B: Backend>(
    kind: Kind,
    x: &Tensor<B, 4>,
    weight: &Tensor<B, 4>,
    bias: Option<&Tensor<B, 1>>,
    stride: usize,
    padding: usize,
) -> Option<Tensor<B, 4>> {
    if let Some((x, w, b)) = operands::<B, Cpu>(x, weight, bias) {
        return same(op::autodiff_conv(kind, x, w, b, stride, padding)).ok();
    }
    let (x, w, b) = operands::<B, Flex>(x, weight, bias)?;
    same(op::plain_conv(kind, x, w, b, stride, padding)).ok()
}

/// `kind` on the CPU kernels, the GPU kernels or burn's, by backend, then LeakyReLU(`leaky`) if given
/// (inside the GPU kernels; after the convolution elsewhere, as burn's `leaky_relu`).
fn convolve<B: Backend>(kind: Kind, x: Tensor<B, 4>, weight: Tensor<B, 4>, bias: Option<Tensor<B, 1>>, stride: usize, padding: usize, leaky: Option<f64>) -> Tensor<B, 4> {
    let activate = |y: Tensor<B, 4>| match leaky {
        Some(slope) => leaky_relu(y, slope),
        None => y,
    };
    if let Some(y) = on_cpu(kind, &x, &weight, bias.as_ref(), stride, padding) {
        return activate(y);
    }
    #[cfg(feature = "gpu")]
    let (x, weight, bias) = {
        let gpu_kind = match kind {
            Kind::Conv => gpu_conv::Kind::Conv,
            Kind::Transposed => gpu_conv::Kind::Transposed,
        };
        match gpu_conv::on_gpu(gpu_kind, x, weight, bias, [stride, padding], leaky) {
            Ok(y) => return y,
            Err(operands) => operands,
        }
    };
    activate(match kind {
        Kind::Conv => burn_conv2d(x, weight, bias, ConvOptions::new([stride; 2], [padding; 2], [1, 1], 1)),
        Kind::Transposed => burn_conv_transpose2d(x, weight, bias, ConvTransposeOptions::new([stride; 2], [padding; 2], [0, 0], [1, 1], 1)),
    })
}

/// Convolution of `x` `[n, c_in, h, w]` with `weight` `[c_out, c_in, kh, kw]` (square stride and
/// padding, no dilation or groups), plus `bias` per output channel.
pub fn conv2d<B: Backend>(x: Tensor<B, 4>, weight: Tensor<B, 4>, bias: Option<Tensor<B, 1>>, stride: usize, padding: usize) -> Tensor<B, 4> {
    convolve(Kind::Conv, x, weight, bias, stride, padding, None)
}

/// `conv2d` followed by LeakyReLU with `slope`: on the GPU backend one operation whose kernels apply
/// the activation and take its gradient; elsewhere the two, as burn's `leaky_relu`.
pub fn conv2d_leaky<B: Backend>(x: Tensor<B, 4>, weight: Tensor<B, 4>, bias: Option<Tensor<B, 1>>, stride: usize, padding: usize, slope: f64) -> Tensor<B, 4> {
    convolve(Kind::Conv, x, weight, bias, stride, padding, Some(slope))
}

/// Transposed convolution of `x` `[n, c_in, h, w]` with `weight` `[c_in, c_out, kh, kw]` (output side
/// `(h − 1)·stride + kh − 2·padding`), plus `bias` per output channel.
pub fn conv_transpose2d<B: Backend>(x: Tensor<B, 4>, weight: Tensor<B, 4>, bias: Option<Tensor<B, 1>>, stride: usize, padding: usize) -> Tensor<B, 4> {
    convolve(Kind::Transposed, x, weight, bias, stride, padding, None)
}
