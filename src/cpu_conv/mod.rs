//! Convolutions for the DCGAN layers: on the CPU backend our own im2col + matrix-product kernels with
//! their own backward pass, on every other backend burn's.
//!
//! burn's default convolution backward (which the flex CPU backend uses) swaps the batch and channel
//! axes of the activations and gradients, and flex copies such views element by element; the weight and
//! bias gradients cost 3–6× the forward pass. Here the backward pass is two matrix products per layer
//! around the same patch matrices the forward pass uses. `tests/cpu_kernels.rs` checks values and
//! gradients against burn's convolutions.

mod kernels;
mod op;

use std::any::{Any, TypeId};

use burn::backend::Flex;
use burn::tensor::module::{conv2d as burn_conv2d, conv_transpose2d as burn_conv_transpose2d};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use burn::tensor::{backend::Backend, Tensor};

use op::Kind;

use crate::backend::Cpu;

/// `t` as a `U` when `T` is `U` (the backend is known only at run time inside generic model code).
pub(crate) fn same<T: 'static, U: 'static>(t: T) -> Result<U, T> {
    if TypeId::of::<T>() != TypeId::of::<U>() {
        return Err(t);
    }
    let boxed: Box<dyn Any> = Box::new(t);
    Ok(*boxed.downcast::<U>().expect("type ids are equal"))
}

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
    on_cpu(Kind::Conv, &x, &weight, bias.as_ref(), stride, padding).unwrap_or_else(|| {
        burn_conv2d(x, weight, bias, ConvOptions::new([stride; 2], [padding; 2], [1, 1], 1))
    })
}

/// Transposed convolution of `x` `[n, c_in, h, w]` with `weight` `[c_in, c_out, kh, kw]` (output side
/// `(h − 1)·stride + kh − 2·padding`), plus `bias` per output channel.
pub fn conv_transpose2d<B: Backend>(x: Tensor<B, 4>, weight: Tensor<B, 4>, bias: Option<Tensor<B, 1>>, stride: usize, padding: usize) -> Tensor<B, 4> {
    on_cpu(Kind::Transposed, &x, &weight, bias.as_ref(), stride, padding).unwrap_or_else(|| {
        burn_conv_transpose2d(x, weight, bias, ConvTransposeOptions::new([stride; 2], [padding; 2], [0, 0], [1, 1], 1))
    })
}
