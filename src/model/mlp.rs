//! Fully connected generator and discriminator (LeakyReLU 0.2 hidden layers, tanh image output).

use burn::module::Module;
use burn::nn::{LeakyRelu, LeakyReluConfig, Linear, LinearConfig};
use burn::tensor::{backend::Backend, Tensor};

use crate::data::{PIXELS, SIDE};

const HIDDEN: [usize; 2] = [256, 512];

#[derive(Module, Debug)]
pub struct MlpGenerator<B: Backend> {
    l1: Linear<B>,
    l2: Linear<B>,
    out: Linear<B>,
    act: LeakyRelu,
}

impl<B: Backend> MlpGenerator<B> {
    pub fn new(latent: usize, device: &B::Device) -> Self {
        MlpGenerator {
            l1: LinearConfig::new(latent, HIDDEN[0]).init(device),
            l2: LinearConfig::new(HIDDEN[0], HIDDEN[1]).init(device),
            out: LinearConfig::new(HIDDEN[1], PIXELS).init(device),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }

    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 4> {
        let h = self.act.forward(self.l1.forward(z));
        let h = self.act.forward(self.l2.forward(h));
        let [n, _] = h.dims();
        self.out.forward(h).tanh().reshape([n, 1, SIDE, SIDE])
    }
}

#[derive(Module, Debug)]
pub struct MlpDiscriminator<B: Backend> {
    l1: Linear<B>,
    l2: Linear<B>,
    out: Linear<B>,
    act: LeakyRelu,
}

impl<B: Backend> MlpDiscriminator<B> {
    pub fn new(device: &B::Device) -> Self {
        MlpDiscriminator {
            l1: LinearConfig::new(PIXELS, HIDDEN[1]).init(device),
            l2: LinearConfig::new(HIDDEN[1], HIDDEN[0]).init(device),
            out: LinearConfig::new(HIDDEN[0], 1).init(device),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }

    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let [n, ..] = x.dims();
        let h = self.act.forward(self.l1.forward(x.reshape([n, PIXELS])));
        let h = self.act.forward(self.l2.forward(h));
        self.out.forward(h)
    }
}
