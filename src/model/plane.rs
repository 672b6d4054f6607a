//! The 2-D mode's small MLPs: the generator (latent → point), the discriminator body (point →
//! features) and EBGAN's decoder (codes → point), with a configurable depth, width and activation.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{activation, backend::Backend, Tensor};
use serde::Serialize;

use super::{AE_CODE, LEAKY_SLOPE};

/// A point as the networks see it: `[n, 1, 1, 2]`, an "image" of one row of two pixels, so every
/// objective's losses apply unchanged.
pub const POINT_DIMS: [usize; 3] = [1, 1, 2];

/// Hidden-layer activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Act {
    Relu,
    #[default]
    Leaky,
    Tanh,
    Sigmoid,
}

impl Act {
    pub const ALL: [Act; 4] = [Act::Relu, Act::Leaky, Act::Tanh, Act::Sigmoid];

    pub fn id(self) -> &'static str {
        match self {
            Act::Relu => "relu",
            Act::Leaky => "leaky",
            Act::Tanh => "tanh",
            Act::Sigmoid => "sigmoid",
        }
    }

    pub fn parse(s: &str) -> Option<Act> {
        Act::ALL.into_iter().find(|a| a.id() == s)
    }

    pub fn apply<B: Backend, const D: usize>(self, h: Tensor<B, D>) -> Tensor<B, D> {
        match self {
            Act::Relu => activation::relu(h),
            Act::Leaky => activation::leaky_relu(h, LEAKY_SLOPE),
            Act::Tanh => h.tanh(),
            Act::Sigmoid => activation::sigmoid(h),
        }
    }

    /// The derivative at the pre-activation `h`, as a forward computation (differentiable in the
    /// weights where it is not piecewise constant), for the critic's input gradient.
    pub fn derivative<B: Backend, const D: usize>(self, h: Tensor<B, D>) -> Tensor<B, D> {
        match self {
            Act::Relu => h.greater_elem(0.0).float(),
            Act::Leaky => h.greater_elem(0.0).float().mul_scalar(1.0 - LEAKY_SLOPE).add_scalar(LEAKY_SLOPE),
            Act::Tanh => h.tanh().powi_scalar(2).neg().add_scalar(1.0),
            Act::Sigmoid => {
                let s = activation::sigmoid(h);
                s.clone() * s.neg().add_scalar(1.0)
            }
        }
    }
}

fn stack<B: Backend>(input: usize, layers: usize, width: usize, device: &B::Device) -> Vec<Linear<B>> {
    (0..layers).map(|i| LinearConfig::new(if i == 0 { input } else { width }, width).init(device)).collect()
}

/// Latent (plus codes) → point: `layers` hidden layers of `width`, a linear output.
#[derive(Module, Debug)]
pub struct PlaneGenerator<B: Backend> {
    hidden: Vec<Linear<B>>,
    out: Linear<B>,
    #[module(skip)]
    act: Act,
}

impl<B: Backend> PlaneGenerator<B> {
    pub fn new(input: usize, layers: usize, width: usize, act: Act, device: &B::Device) -> Self {
        PlaneGenerator { hidden: stack(input, layers, width, device), out: LinearConfig::new(width, 2).init(device), act }
    }

    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 4> {
        let [n, _] = z.dims();
        let h = self.hidden.iter().fold(z, |h, l| self.act.apply(l.forward(h)));
        self.out.forward(h).reshape([n, 1, 1, 2])
    }
}

/// Point → features: `layers` hidden layers of `width`, each followed by the activation.
#[derive(Module, Debug)]
pub struct PlaneBody<B: Backend> {
    pub(crate) hidden: Vec<Linear<B>>,
    #[module(skip)]
    pub(crate) act: Act,
}

impl<B: Backend> PlaneBody<B> {
    pub fn new(layers: usize, width: usize, act: Act, device: &B::Device) -> Self {
        PlaneBody { hidden: stack(2, layers, width, device), act }
    }

    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let [n, ..] = x.dims();
        self.hidden.iter().fold(x.reshape([n, 2]), |h, l| self.act.apply(l.forward(h)))
    }

    /// The features and `d features_j / d x` folded with the row `w` (`[1, F]`, the score head's
    /// weights): the score's gradient with respect to the input point, `[n, 2]`.
    pub fn forward_with_input_grad(&self, x: Tensor<B, 4>, w: Tensor<B, 2>) -> (Tensor<B, 2>, Tensor<B, 2>) {
        let [n, ..] = x.dims();
        let mut pre = Vec::with_capacity(self.hidden.len());
        let mut h = x.reshape([n, 2]);
        for l in &self.hidden {
            let p = l.forward(h);
            h = self.act.apply(p.clone());
            pre.push(p);
        }
        let mut g: Option<Tensor<B, 2>> = None;
        for (l, p) in self.hidden.iter().zip(pre).rev() {
            let d = self.act.derivative(p);
            let g_pre = match g {
                None => d * w.clone(),
                Some(g) => g * d,
            };
            g = Some(g_pre.matmul(l.weight.val().transpose()));
        }
        (h, g.expect("at least one hidden layer"))
    }
}

/// EBGAN's decoder for points: bottleneck codes → `width` → point (linear output).
#[derive(Module, Debug)]
pub struct PlaneDecoder<B: Backend> {
    l1: Linear<B>,
    out: Linear<B>,
    #[module(skip)]
    act: Act,
}

impl<B: Backend> PlaneDecoder<B> {
    pub fn new(width: usize, act: Act, device: &B::Device) -> Self {
        PlaneDecoder { l1: LinearConfig::new(AE_CODE, width).init(device), out: LinearConfig::new(width, 2).init(device), act }
    }

    pub fn forward(&self, codes: Tensor<B, 2>) -> Tensor<B, 4> {
        let [n, _] = codes.dims();
        self.out.forward(self.act.apply(self.l1.forward(codes))).reshape([n, 1, 1, 2])
    }
}
