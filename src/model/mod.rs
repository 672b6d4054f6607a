//! Networks: generator and discriminator families (MLP or DCGAN) and what an objective asks of them.

use burn::module::Module;
use burn::tensor::{backend::Backend, Tensor};
use serde::Serialize;

mod batchnorm;
#[cfg(feature = "gpu")]
mod batchnorm_kernel;
#[cfg(feature = "gpu")]
mod batchnorm_op;
pub mod dcgan;
mod discriminator;
mod input_grad;
pub mod mlp;
pub mod plane;

pub use batchnorm::BatchNorm2d;
pub use discriminator::{Autoencoder, Body, Decoder, Discriminator, QHead, StatsNet};

/// Width of EBGAN's autoencoder bottleneck (the codes the pull-away term compares).
pub const AE_CODE: usize = 32;

/// Negative slope of every LeakyReLU.
pub const LEAKY_SLOPE: f64 = 0.2;

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

/// What an objective needs from the generator beyond the latent vector `z`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GSpec {
    /// Size of a one-hot categorical code appended to `z` (0 = none).
    pub categorical: usize,
    /// Number of continuous codes `~ U(-1, 1)` appended after it.
    pub continuous: usize,
    /// Dropout probability after each hidden layer while training (0 = none).
    pub dropout: f64,
}

impl GSpec {
    /// Width of the code block appended to `z`.
    pub fn codes(&self) -> usize {
        self.categorical + self.continuous
    }
}

/// What an objective needs from the discriminator side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DSpec {
    /// BatchNorm in the DCGAN body and decoder (off for critics whose input gradient is penalised, and
    /// for EBGAN's autoencoder, whose energy must depend on one sample only).
    pub batchnorm: bool,
    /// Outputs of a recognition head on the body's features (InfoGAN's Q; 0 = none).
    pub q_outputs: usize,
    /// An autoencoder decoder on the body's features (EBGAN).
    pub decoder: bool,
    /// A statistics network `T(x, z)` (MEG's mutual-information estimator).
    pub stats: bool,
}

impl Default for DSpec {
    fn default() -> Self {
        DSpec { batchnorm: true, q_outputs: 0, decoder: false, stats: false }
    }
}

/// Maps generator inputs `[n, latent + codes]` to images `[n, 1, 28, 28]` in [-1, 1].
#[derive(Module, Debug)]
pub enum Generator<B: Backend> {
    Mlp(mlp::MlpGenerator<B>),
    Dcgan(dcgan::DcganGenerator<B>),
    /// The 2-D mode's MLP: outputs points as `[n, 1, 1, 2]`.
    Plane(plane::PlaneGenerator<B>),
}

impl<B: Backend> Generator<B> {
    pub fn new(arch: Arch, latent: usize, spec: GSpec, device: &B::Device) -> Self {
        let input = latent + spec.codes();
        match arch {
            Arch::Mlp => Generator::Mlp(mlp::MlpGenerator::new(input, spec.dropout, device)),
            Arch::Dcgan => Generator::Dcgan(dcgan::DcganGenerator::new(input, spec.dropout, device)),
        }
    }

    /// A copy that shares its parameters' tensors with `self` but no mutable state (BatchNorm's
    /// running statistics; see `BatchNorm2d::unshared`): training one leaves the other as it was.
    pub fn unshared(&self) -> Self {
        match self {
            Generator::Dcgan(g) => Generator::Dcgan(g.unshared()),
            other => other.clone(),
        }
    }

    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 4> {
        match self {
            Generator::Mlp(g) => g.forward(z),
            Generator::Dcgan(g) => g.forward(z),
            Generator::Plane(g) => g.forward(z),
        }
    }
}
