//! Fully connected networks: the generator, the discriminator body (LeakyReLU 0.2 hidden layers)
//! and the EBGAN decoder; tanh image outputs.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, LeakyRelu, LeakyReluConfig, Linear, LinearConfig};
use burn::tensor::{backend::Backend, Tensor};

use crate::data::{PIXELS, SIDE};
use crate::dense::{layer, Activation};

const HIDDEN: [usize; 2] = [256, 512];
/// Width of the discriminator body's output features.
pub const FEATURES: usize = HIDDEN[0];

fn leaky() -> LeakyRelu {
    LeakyReluConfig::new().with_negative_slope(super::LEAKY_SLOPE).init()
}

#[derive(Module, Debug)]
pub struct MlpGenerator<B: Backend> {
    l1: Linear<B>,
    l2: Linear<B>,
    out: Linear<B>,
    act: LeakyRelu,
    dropout: Dropout,
}

impl<B: Backend> MlpGenerator<B> {
    pub fn new(input: usize, dropout: f64, device: &B::Device) -> Self {
        MlpGenerator {
            l1: LinearConfig::new(input, HIDDEN[0]).init(device),
            l2: LinearConfig::new(HIDDEN[0], HIDDEN[1]).init(device),
            out: LinearConfig::new(HIDDEN[1], PIXELS).init(device),
            act: leaky(),
            dropout: DropoutConfig::new(dropout).init(),
        }
    }

    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 4> {
        let leaky = Activation::Leaky(self.act.negative_slope);
        let h = self.dropout.forward(layer(&self.l1, z, leaky));
        let h = self.dropout.forward(layer(&self.l2, h, leaky));
        let [n, _] = h.dims();
        layer(&self.out, h, Activation::Tanh).reshape([n, 1, SIDE, SIDE])
    }
}

/// Image → `FEATURES` features: two LeakyReLU layers (784 → 512 → 256).
#[derive(Module, Debug)]
pub struct MlpBody<B: Backend> {
    pub(super) l1: Linear<B>,
    pub(super) l2: Linear<B>,
    act: LeakyRelu,
}

impl<B: Backend> MlpBody<B> {
    pub fn new(device: &B::Device) -> Self {
        MlpBody {
            l1: LinearConfig::new(PIXELS, HIDDEN[1]).init(device),
            l2: LinearConfig::new(HIDDEN[1], HIDDEN[0]).init(device),
            act: leaky(),
        }
    }

    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let [n, ..] = x.dims();
        let leaky = Activation::Leaky(self.act.negative_slope);
        let h = layer(&self.l1, x.reshape([n, PIXELS]), leaky);
        layer(&self.l2, h, leaky)
    }
}

/// EBGAN decoder: bottleneck codes → image (32 → 512 → 784, tanh).
#[derive(Module, Debug)]
pub struct MlpDecoder<B: Backend> {
    l1: Linear<B>,
    out: Linear<B>,
    act: LeakyRelu,
}

impl<B: Backend> MlpDecoder<B> {
    pub fn new(device: &B::Device) -> Self {
        MlpDecoder {
            l1: LinearConfig::new(super::AE_CODE, HIDDEN[1]).init(device),
            out: LinearConfig::new(HIDDEN[1], PIXELS).init(device),
            act: leaky(),
        }
    }

    pub fn forward(&self, codes: Tensor<B, 2>) -> Tensor<B, 4> {
        let [n, _] = codes.dims();
        let h = layer(&self.l1, codes, Activation::Leaky(self.act.negative_slope));
        layer(&self.out, h, Activation::Tanh).reshape([n, 1, SIDE, SIDE])
    }
}
