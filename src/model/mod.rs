//! Generator and discriminator networks, selectable by architecture (MLP or DCGAN).

use burn::module::Module;
use burn::tensor::{backend::Backend, Tensor};
use serde::Serialize;

pub mod dcgan;
pub mod mlp;

/// Network family for both generator and discriminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    Mlp,
    Dcgan,
}

impl Arch {
    pub fn parse(s: &str) -> Option<Arch> {
        match s {
            "mlp" => Some(Arch::Mlp),
            "dcgan" => Some(Arch::Dcgan),
            _ => None,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Arch::Mlp => "mlp",
            Arch::Dcgan => "dcgan",
        }
    }
}

/// Maps latent vectors `[n, latent]` to images `[n, 1, 28, 28]` in [-1, 1].
#[derive(Module, Debug)]
pub enum Generator<B: Backend> {
    Mlp(mlp::MlpGenerator<B>),
    Dcgan(dcgan::DcganGenerator<B>),
}

/// Maps images `[n, 1, 28, 28]` to one raw score (logit) per image, `[n, 1]`.
#[derive(Module, Debug)]
pub enum Discriminator<B: Backend> {
    Mlp(mlp::MlpDiscriminator<B>),
    Dcgan(dcgan::DcganDiscriminator<B>),
}

impl<B: Backend> Generator<B> {
    pub fn new(arch: Arch, latent: usize, device: &B::Device) -> Self {
        match arch {
            Arch::Mlp => Generator::Mlp(mlp::MlpGenerator::new(latent, device)),
            Arch::Dcgan => Generator::Dcgan(dcgan::DcganGenerator::new(latent, device)),
        }
    }

    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 4> {
        match self {
            Generator::Mlp(g) => g.forward(z),
            Generator::Dcgan(g) => g.forward(z),
        }
    }
}

impl<B: Backend> Discriminator<B> {
    pub fn new(arch: Arch, device: &B::Device) -> Self {
        match arch {
            Arch::Mlp => Discriminator::Mlp(mlp::MlpDiscriminator::new(device)),
            Arch::Dcgan => Discriminator::Dcgan(dcgan::DcganDiscriminator::new(device)),
        }
    }

    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        match self {
            Discriminator::Mlp(d) => d.forward(x),
            Discriminator::Dcgan(d) => d.forward(x),
        }
    }
}
