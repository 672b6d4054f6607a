//! Convolutions for the DCGAN layers, by backend: on the CPU backend our own im2col + matrix-product
//! kernels with their own backward pass, on the GPU backend `gpu_conv`'s direct kernels, on any other
//! backend burn's.

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

/// Convolution of `x` `[n, c_in, h, w]` with `weight` `[c_out, c_in, kh, kw]` (square stride and
/// padding, no dilation or groups), plus `bias` per output channel.
pub fn conv2d<B: Backend>(x: Tensor<B, 4>, weight: Tensor<B, 4>, bias: Option<Tensor<B, 1>>, stride: usize, padding: usize) -> Tensor<B, 4> {
    if let Some(y) = on_cpu(Kind::Conv, &x, &weight, bias.as_ref(), stride, padding) {
        return y;
    }
    gpu_conv::on_gpu(gpu_conv::Kind::Conv, x, weight, bias, [stride, padding], None).unwrap_or_else(|(x, weight, bias)| {
        burn_conv2d(x, weight, bias, ConvOptions::new([stride; 2], [padding; 2], [1, 1], 1))
    })
}

/// `conv2d` followed by LeakyReLU with `slope`: on the GPU backend one operation whose kernels apply
/// the activation and take its gradient; elsewhere the two, as burn's `leaky_relu`.
pub fn conv2d_leaky<B: Backend>(x: Tensor<B, 4>, weight: Tensor<B, 4>, bias: Option<Tensor<B, 1>>, stride: usize, padding: usize, slope: f64) -> Tensor<B, 4> {
    if let Some(y) = on_cpu(Kind::Conv, &x, &weight, bias.as_ref(), stride, padding) {
        return leaky_relu(y, slope);
    }
    gpu_conv::on_gpu(gpu_conv::Kind::Conv, x, weight, bias, [stride, padding], Some(slope)).unwrap_or_else(|(x, weight, bias)| {
        leaky_relu(burn_conv2d(x, weight, bias, ConvOptions::new([stride; 2], [padding; 2], [1, 1], 1)), slope)
    })
}

/// Transposed convolution of `x` `[n, c_in, h, w]` with `weight` `[c_in, c_out, kh, kw]` (output side
/// `(h − 1)·stride + kh − 2·padding`), plus `bias` per output channel.
pub fn conv_transpose2d<B: Backend>(x: Tensor<B, 4>, weight: Tensor<B, 4>, bias: Option<Tensor<B, 1>>, stride: usize, padding: usize) -> Tensor<B, 4> {
    if let Some(y) = on_cpu(Kind::Transposed, &x, &weight, bias.as_ref(), stride, padding) {
        return y;
    }
    gpu_conv::on_gpu(gpu_conv::Kind::Transposed, x, weight, bias, [stride, padding], None).unwrap_or_else(|(x, weight, bias)| {
        burn_conv_transpose2d(x, weight, bias, ConvTransposeOptions::new([stride; 2], [padding; 2], [0, 0], [1, 1], 1))
    })
}
