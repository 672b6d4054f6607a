//! All-convolutional DCGAN for 28×28 images: transposed convolutions in G, strided convolutions in D,
//! BatchNorm (eps 1e-5) everywhere except D's first and G's last layer, LeakyReLU(0.2) in D, tanh out.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, LeakyRelu, LeakyReluConfig, PaddingConfig2d, Relu};
use burn::tensor::{backend::Backend, Tensor};

/// Channels of the widest feature map; the other is half of it.
pub const WIDTH: usize = 64;
/// BatchNorm epsilon (not the 0.8 that some reference code passes by mistake).
pub const BN_EPS: f64 = 1e-5;

fn bn<B: Backend>(channels: usize, device: &B::Device) -> BatchNorm<B> {
    BatchNormConfig::new(channels).with_epsilon(BN_EPS).init(device)
}

#[derive(Module, Debug)]
pub struct DcganGenerator<B: Backend> {
    /// 1×1 → 7×7.
    up0: ConvTranspose2d<B>,
    bn0: BatchNorm<B>,
    /// 7×7 → 14×14.
    up1: ConvTranspose2d<B>,
    bn1: BatchNorm<B>,
    /// 14×14 → 28×28, one channel.
    up2: ConvTranspose2d<B>,
    act: Relu,
}

impl<B: Backend> DcganGenerator<B> {
    pub fn new(latent: usize, device: &B::Device) -> Self {
        DcganGenerator {
            up0: ConvTranspose2dConfig::new([latent, WIDTH], [7, 7]).init(device),
            bn0: bn(WIDTH, device),
            up1: ConvTranspose2dConfig::new([WIDTH, WIDTH / 2], [4, 4])
                .with_stride([2, 2])
                .with_padding([1, 1])
                .init(device),
            bn1: bn(WIDTH / 2, device),
            up2: ConvTranspose2dConfig::new([WIDTH / 2, 1], [4, 4])
                .with_stride([2, 2])
                .with_padding([1, 1])
                .init(device),
            act: Relu::new(),
        }
    }

    pub fn forward(&self, z: Tensor<B, 2>) -> Tensor<B, 4> {
        let [n, latent] = z.dims();
        let h = self.act.forward(self.bn0.forward(self.up0.forward(z.reshape([n, latent, 1, 1]))));
        let h = self.act.forward(self.bn1.forward(self.up1.forward(h)));
        self.up2.forward(h).tanh()
    }
}

#[derive(Module, Debug)]
pub struct DcganDiscriminator<B: Backend> {
    /// 28×28 → 14×14 (no BatchNorm on the first layer).
    down0: Conv2d<B>,
    /// 14×14 → 7×7.
    down1: Conv2d<B>,
    bn1: BatchNorm<B>,
    /// 7×7 → 1×1 logit.
    out: Conv2d<B>,
    act: LeakyRelu,
}

impl<B: Backend> DcganDiscriminator<B> {
    pub fn new(device: &B::Device) -> Self {
        let down = |cin, cout| {
            Conv2dConfig::new([cin, cout], [4, 4])
                .with_stride([2, 2])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device)
        };
        DcganDiscriminator {
            down0: down(1, WIDTH / 2),
            down1: down(WIDTH / 2, WIDTH),
            bn1: bn(WIDTH, device),
            out: Conv2dConfig::new([WIDTH, 1], [7, 7]).init(device),
            act: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }

    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 2> {
        let h = self.act.forward(self.down0.forward(x));
        let h = self.act.forward(self.bn1.forward(self.down1.forward(h)));
        let [n, ..] = h.dims();
        self.out.forward(h).reshape([n, 1])
    }
}
