//! The discriminator side: a body (MLP or DCGAN) with a scalar score head, plus the heads some
//! objectives add: InfoGAN's recognition head Q, EBGAN's decoder, MEG's statistics network T(x, z).

use burn::module::Module;
use burn::nn::{LeakyRelu, LeakyReluConfig, Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::tensor::{backend::AutodiffBackend, backend::Backend, Tensor};

use super::{dcgan, mlp, Arch, DSpec, AE_CODE, LEAKY_SLOPE};
use crate::data::PIXELS;
use crate::dense::{layer, Activation};
use super::plane::{Act, PlaneBody, PlaneDecoder};

/// Image → features.
#[derive(Module, Debug)]
pub enum Body<B: Backend> {
    Mlp(mlp::MlpBody<B>),
    Dcgan(dcgan::DcganBody<B>),
    Plane(PlaneBody<B>),
}

impl<B: Backend> Body<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        match self {
            Body::Mlp(b) => b.forward(x),
            Body::Dcgan(b) => b.forward(x),
            Body::Plane(b) => b.forward(x),
        }
    }
}

/// Features → image (EBGAN's autoencoder half).
#[derive(Module, Debug)]
pub enum Decoder<B: Backend> {
    Mlp(mlp::MlpDecoder<B>),
    Dcgan(dcgan::DcganDecoder<B>),
    Plane(PlaneDecoder<B>),
}

/// EBGAN's autoencoder after the shared body: a linear bottleneck, then the decoder.
#[derive(Module, Debug)]
pub struct Autoencoder<B: Backend> {
    embed: Linear<B>,
    decoder: Decoder<B>,
}

/// InfoGAN's recognition head: features → 128 → code predictions.
#[derive(Module, Debug)]
pub struct QHead<B: Backend> {
    hidden: Linear<B>,
    out: Linear<B>,
    act: LeakyRelu,
}

/// MEG's statistics network: `(x, z)` → scalar, 784 + |z| → 256 → 256 → 1 (2 + |z| → width → width → 1 in 2-D).
#[derive(Module, Debug)]
pub struct StatsNet<B: Backend> {
    l1: Linear<B>,
    l2: Linear<B>,
    out: Linear<B>,
    act: LeakyRelu,
}

fn leaky() -> LeakyRelu {
    LeakyReluConfig::new().with_negative_slope(LEAKY_SLOPE).init()
}

/// Everything trained against the generator: body, score head and optional heads.
#[derive(Module, Debug)]
pub struct Discriminator<B: Backend> {
    pub(super) body: Body<B>,
    /// Features → one raw score (logit, critic value or energy).
    pub(super) score: Linear<B>,
    q: Option<QHead<B>>,
    autoencoder: Option<Autoencoder<B>>,
    stats: Option<StatsNet<B>>,
}

impl<B: Backend> Discriminator<B> {
    /// `g_input` is the generator's input width (latent plus codes), needed by the statistics network.
    pub fn new(arch: Arch, spec: DSpec, g_input: usize, device: &B::Device) -> Self {
        let (body, features) = match arch {
            Arch::Mlp => (Body::Mlp(mlp::MlpBody::new(device)), mlp::FEATURES),
            Arch::Dcgan => (Body::Dcgan(dcgan::DcganBody::new(spec.batchnorm, device)), dcgan::FEATURES),
        };
        let decoder = || match arch {
            Arch::Mlp => Decoder::Mlp(mlp::MlpDecoder::new(device)),
            Arch::Dcgan => Decoder::Dcgan(dcgan::DcganDecoder::new(spec.batchnorm, device)),
        };
        Self::assemble(body, features, decoder, spec, PIXELS + g_input, 256, device)
    }

    /// The 2-D mode's discriminator: an MLP body of `layers` × `width` on points `[n, 1, 1, 2]`, and
    /// heads sized to it (the statistics network is `width` wide).
    pub fn plane(spec: DSpec, layers: usize, width: usize, act: Act, g_input: usize, device: &B::Device) -> Self {
        let body = Body::Plane(PlaneBody::new(layers, width, act, device));
        let decoder = || Decoder::Plane(PlaneDecoder::new(width, act, device));
        Self::assemble(body, width, decoder, spec, 2 + g_input, width, device)
    }

    fn assemble(
        body: Body<B>,
        features: usize,
        decoder: impl FnOnce() -> Decoder<B>,
        spec: DSpec,
        stats_input: usize,
        stats_width: usize,
        device: &B::Device,
    ) -> Self {
        let q = (spec.q_outputs > 0).then(|| QHead {
            hidden: LinearConfig::new(features, 128).init(device),
            out: LinearConfig::new(128, spec.q_outputs).init(device),
            act: leaky(),
        });
        let autoencoder = spec.decoder.then(|| Autoencoder { embed: LinearConfig::new(features, AE_CODE).init(device), decoder: decoder() });
        let stats = spec.stats.then(|| StatsNet {
            l1: LinearConfig::new(stats_input, stats_width).init(device),
            l2: LinearConfig::new(stats_width, stats_width).init(device),
            out: LinearConfig::new(stats_width, 1).init(device),
            act: leaky(),
        });
        Discriminator { body, score: LinearConfig::new(features, 1).init(device), q, autoencoder, stats }
    }

    /// The same discriminator (sharing its parameters and running statistics) whose BatchNorm layers
    /// do not update their running statistics in training-mode passes: the lane scores the generator's
    /// step with it, so the statistics describe only the batches D trains on (real and fake alike).
    pub fn with_frozen_stats(&self) -> Self {
        let mut d = self.clone();
        if let Body::Dcgan(body) = &mut d.body {
            body.set_update_stats(false);
        }
        if let Some(Autoencoder { decoder: Decoder::Dcgan(dec), .. }) = &mut d.autoencoder {
            dec.set_update_stats(false);
        }
        d
    }

    /// A copy that shares its parameters' tensors with `self` but no mutable state (BatchNorm's
    /// running statistics; see `BatchNorm2d::unshared`): training one leaves the other as it was.
    pub fn unshared(&self) -> Self {
        let mut d = self.clone();
        if let Body::Dcgan(body) = &mut d.body {
            *body = body.unshared();
        }
        if let Some(Autoencoder { decoder: Decoder::Dcgan(dec), .. }) = &mut d.autoencoder {
            *dec = dec.unshared();
        }
        d
    }

    /// `with_frozen_stats` whose parameters, except the statistics network's when `train_stats`, take no
    /// gradient: the generator's step reads only G's (and MEG's T's) gradients, so the backward pass
    /// skips D's weight gradients (one matmul or convolution, one bias reduction per layer) and G's
    /// gradients are unchanged.
    pub fn for_g_step(&self, train_stats: bool) -> Self {
        let mut d = self.with_frozen_stats();
        d.body = d.body.no_grad();
        d.score = d.score.no_grad();
        d.q = d.q.map(Module::no_grad);
        d.autoencoder = d.autoencoder.map(Module::no_grad);
        if !train_stats {
            d.stats = d.stats.map(Module::no_grad);
        }
        d
    }

    /// The body's features, `[n, F]`.
    pub fn features(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.body.forward(x)
    }

    /// Score of already computed features, `[n, 1]`.
    pub fn score(&self, features: Tensor<B, 2>) -> Tensor<B, 2> {
        layer(&self.score, features, Activation::None)
    }

    /// One raw score per image, `[n, 1]`.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        self.score(self.features(x))
    }

    /// The recognition head's outputs on features. Panics if the objective did not ask for it.
    pub fn q(&self, features: Tensor<B, 2>) -> Tensor<B, 2> {
        let q = self.q.as_ref().expect("this discriminator has no Q head");
        let h = layer(&q.hidden, features, Activation::Leaky(q.act.negative_slope));
        layer(&q.out, h, Activation::None)
    }

    /// Autoencoder pass: the reconstruction `[n, 1, 28, 28]` and the bottleneck codes `[n, AE_CODE]`.
    pub fn reconstruct(&self, x: Tensor<B, 4>) -> (Tensor<B, 4>, Tensor<B, 2>) {
        let ae = self.autoencoder.as_ref().expect("this discriminator has no decoder");
        let codes = layer(&ae.embed, self.features(x), Activation::None);
        let recon = match &ae.decoder {
            Decoder::Mlp(d) => d.forward(codes.clone()),
            Decoder::Dcgan(d) => d.forward(codes.clone()),
            Decoder::Plane(d) => d.forward(codes.clone()),
        };
        (recon, codes)
    }

    /// The statistics network `T(x, z)`, `[n, 1]`.
    pub fn stats(&self, x: Tensor<B, 4>, z: Tensor<B, 2>) -> Tensor<B, 2> {
        let t = self.stats.as_ref().expect("this discriminator has no statistics network");
        let [n, ..] = x.dims();
        let h = Tensor::cat(vec![x.reshape([n as i32, -1]), z], 1);
        let leaky = Activation::Leaky(t.act.negative_slope);
        let h = layer(&t.l1, h, leaky);
        layer(&t.out, layer(&t.l2, h, leaky), Activation::None)
    }
}

impl<B: AutodiffBackend> Discriminator<B> {
    /// The gradients of the statistics network's parameters only (none if it has none), taken out of
    /// `grads`: MEG updates T in the generator's step, from the same backward pass as G.
    pub fn stats_grads(&self, grads: &mut B::Gradients) -> GradientsParams {
        match &self.stats {
            Some(t) => GradientsParams::from_module(grads, t),
            None => GradientsParams::new(),
        }
    }
}
