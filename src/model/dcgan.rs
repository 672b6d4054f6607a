//! All-convolutional DCGAN for 28×28 images: transposed convolutions in G, strided convolutions in D,
//! BatchNorm (eps 1e-5) everywhere except D's first and G's last layer, LeakyReLU(0.2) in D, tanh out.
//! Critics that need their input gradient (WGAN-GP, MEG) are built without BatchNorm.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Dropout, DropoutConfig, LeakyRelu, LeakyReluConfig, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::{backend::Backend, Tensor};

use super::batchnorm::BatchNorm2d;
use crate::dense::{layer, Activation};
use crate::cpu_conv;

/// Channels of the widest feature map; the other is half of it.
pub const WIDTH: usize = 64;
/// BatchNorm epsilon (not the 0.8 that some reference code passes by mistake).
pub const BN_EPS: f64 = 1e-5;
/// Width of the discriminator body's flattened output features (`WIDTH` maps of 7×7).
pub const FEATURES: usize = WIDTH * 7 * 7;

fn bn<B: Backend>(channels: usize, device: &B::Device) -> BatchNorm2d<B> {
    BatchNorm2d::new(channels, BN_EPS, device)
}

/// `bn` applied when the layer has one (the objective may build the network without BatchNorm).
fn maybe_bn<B: Backend>(bn: &Option<BatchNorm2d<B>>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    match bn {
        Some(bn) => bn.forward(x),
        None => x,
    }
}

/// Stride and padding of every layer that halves or doubles the side (kernel 4).
pub(super) const STRIDE: usize = 2;
pub(super) const PADDING: usize = 1;

/// Transposed convolution doubling the side (kernel 4, stride 2, padding 1).
fn up<B: Backend>(cin: usize, cout: usize, device: &B::Device) -> ConvTranspose2d<B> {
    ConvTranspose2dConfig::new([cin, cout], [4, 4]).with_stride([STRIDE; 2]).with_padding([PADDING; 2]).init(device)
}

/// Convolution halving the side (kernel 4, stride 2, padding 1).
fn down<B: Backend>(cin: usize, cout: usize, device: &B::Device) -> Conv2d<B> {
    Conv2dConfig::new([cin, cout], [4, 4])
        .with_stride([STRIDE; 2])
        .with_padding(PaddingConfig2d::Explicit(PADDING, PADDING, PADDING, PADDING))
        .init(device)
}

/// A layer made by [`up`] (or, with stride 1 and padding 0, G's first layer) applied through
/// [`cpu_conv`], which has a fast backward pass on the CPU backend.
fn apply_up<B: Backend>(layer: &ConvTranspose2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    cpu_conv::conv_transpose2d(x, layer.weight.val(), layer.bias.as_ref().map(|b| b.val()), layer.stride[0], layer.padding[0])
}

/// A layer made by [`down`] applied through [`cpu_conv`].
pub(super) fn apply_down<B: Backend>(layer: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    cpu_conv::conv2d(x, layer.weight.val(), layer.bias.as_ref().map(|b| b.val()), STRIDE, PADDING)
}

/// [`apply_down`] followed by the discriminator's LeakyReLU (one operation on the GPU backend).
fn apply_down_leaky<B: Backend>(layer: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    cpu_conv::conv2d_leaky(x, layer.weight.val(), layer.bias.as_ref().map(|b| b.val()), STRIDE, PADDING, super::LEAKY_SLOPE)
}

#[derive(Module, Debug)]
pub struct DcganGenerator<B: Backend> {
    /// 1×1 → 7×7.
    up0: ConvTranspose2d<B>,
    bn0: BatchNorm2d<B>,
    /// 7×7 → 14×14.
    up1: ConvTranspose2d<B>,
    bn1: BatchNorm2d<B>,
    /// 14×14 → 28×28, one channel.
    up2: ConvTranspose2d<B>,
    act: Relu,
    dropout: Dropout,
}

impl<B: Backend> DcganGenerator<B> {
    pub fn new(input: usize, dropout: f64, device: &B::Device) -> Self {
        DcganGenerator {
            up0: ConvTranspose2dConfig::new([input, WIDTH], [7, 7]).init(device),
            bn0: bn(WIDTH, device),
            up1: up(WIDTH, WIDTH / 2, device),
            bn1: bn(WIDTH / 2, device),
            up2: up(WIDTH / 2, 1, device),
            act: Relu::new(),
            dropout: DropoutConfig::new(dropout).init(),
        }
    }

    /// A copy with BatchNorm running statistics of its own (see `BatchNorm2d::unshared`).
    pub(super) fn unshared(&self) -> Self {
        DcganGenerator { bn0: self.bn0.unshared(), bn1: self.bn1.unshared(), ..self.clone() }
    }

    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 4> {
        let [n, input] = z.dims();
        let h = self.act.forward(self.bn0.forward(apply_up(&self.up0, z.reshape([n, input, 1, 1]))));
        let h = self.dropout.forward(h);
        let h = self.act.forward(self.bn1.forward(apply_up(&self.up1, h)));
        let h = self.dropout.forward(h);
        apply_up(&self.up2, h).tanh()
    }
}

/// Image → `FEATURES` features: 28×28 → 14×14 (no BatchNorm) → 7×7 (BatchNorm unless disabled).
#[derive(Module, Debug)]
pub struct DcganBody<B: Backend> {
    pub(super) down0: Conv2d<B>,
    pub(super) down1: Conv2d<B>,
    pub(super) bn1: Option<BatchNorm2d<B>>,
    act: LeakyRelu,
}

impl<B: Backend> DcganBody<B> {
    pub fn new(batchnorm: bool, device: &B::Device) -> Self {
        DcganBody {
            down0: down(1, WIDTH / 2, device),
            down1: down(WIDTH / 2, WIDTH, device),
            bn1: batchnorm.then(|| bn(WIDTH, device)),
            act: LeakyReluConfig::new().with_negative_slope(super::LEAKY_SLOPE).init(),
        }
    }

    /// A copy with BatchNorm running statistics of its own (see `BatchNorm2d::unshared`).
    pub(super) fn unshared(&self) -> Self {
        DcganBody { bn1: self.bn1.as_ref().map(BatchNorm2d::unshared), ..self.clone() }
    }

    /// Turns the running-statistics updates of the BatchNorm layer (if any) on or off.
    pub fn set_update_stats(&mut self, on: bool) {
        if let Some(bn) = &mut self.bn1 {
            bn.update_stats = on;
        }
    }

    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let h = apply_down_leaky(&self.down0, x);
        let h = match &self.bn1 {
            Some(bn) => self.act.forward(bn.forward(apply_down(&self.down1, h))),
            None => apply_down_leaky(&self.down1, h),
        };
        let [n, ..] = h.dims();
        h.reshape([n, FEATURES])
    }
}

/// EBGAN decoder: bottleneck codes → 64 maps of 7×7 → 14×14 → 28×28 image (tanh), with BatchNorm on
/// the hidden maps unless disabled (EBGAN disables it: its energy must be a function of one sample).
#[derive(Module, Debug)]
pub struct DcganDecoder<B: Backend> {
    expand: Linear<B>,
    bn_in: Option<BatchNorm2d<B>>,
    up0: ConvTranspose2d<B>,
    bn0: Option<BatchNorm2d<B>>,
    up1: ConvTranspose2d<B>,
    act: Relu,
}

impl<B: Backend> DcganDecoder<B> {
    pub fn new(batchnorm: bool, device: &B::Device) -> Self {
        DcganDecoder {
            expand: LinearConfig::new(super::AE_CODE, FEATURES).init(device),
            bn_in: batchnorm.then(|| bn(WIDTH, device)),
            up0: up(WIDTH, WIDTH / 2, device),
            bn0: batchnorm.then(|| bn(WIDTH / 2, device)),
            up1: up(WIDTH / 2, 1, device),
            act: Relu::new(),
        }
    }

    /// A copy with BatchNorm running statistics of its own (see `BatchNorm2d::unshared`).
    pub(super) fn unshared(&self) -> Self {
        let own = |bn: &Option<BatchNorm2d<B>>| bn.as_ref().map(BatchNorm2d::unshared);
        DcganDecoder { bn_in: own(&self.bn_in), bn0: own(&self.bn0), ..self.clone() }
    }

    /// Turns the running-statistics updates of the BatchNorm layers (if any) on or off.
    pub fn set_update_stats(&mut self, on: bool) {
        for bn in [&mut self.bn_in, &mut self.bn0].into_iter().flatten() {
            bn.update_stats = on;
        }
    }

    pub fn forward(&self, codes: Tensor<B, 2>) -> Tensor<B, 4> {
        let [n, _] = codes.dims();
        let h = self.act.forward(maybe_bn(&self.bn_in, layer(&self.expand, codes, Activation::None).reshape([n, WIDTH, 7, 7])));
        let h = self.act.forward(maybe_bn(&self.bn0, apply_up(&self.up0, h)));
        apply_up(&self.up1, h).tanh()
    }
}
