//! The native wgpu backend (Vulkan; Mesa's lavapipe software driver in CI): a couple of training steps.
//! Skipped when no adapter exists, unless GAN_REQUIRE_WGPU=1 (set by `make test`, whose setup installs lavapipe).

mod common;

use gan_playground::backend::{gpu_device, Gpu};
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::Lane;

#[test]
fn training_steps_on_the_wgpu_backend() {
    let device = gpu_device();
    let Some(setup) = common::wgpu_setup() else { return };
    eprintln!("wgpu adapter: {:?}", setup.adapter.get_info().name);
    let (train, _) = common::digits().split();
    let small = Digits { images: train.images[..256 * PIXELS].to_vec(), labels: train.labels[..256].to_vec() };
    for arch in ["mlp", "dcgan"] {
        let cfg = common::config(&format!(r#"{{"arch": "{arch}", "batch": 16}}"#));
        let mut lane = Lane::<Gpu>::new(cfg, &small, &device).unwrap();
        let before = pollster::block_on(lane.samples()).unwrap();
        let pending: Vec<_> = (0..2).map(|_| lane.train_step()).collect();
        let stats = pollster::block_on(gan_playground::lane::PendingStats::read_many(pending)).unwrap();
        assert_eq!(stats.iter().map(|s| s.step).collect::<Vec<_>>(), [1, 2]);
        assert!(stats.iter().all(|s| s.finite), "{arch}: {stats:?}");
        assert_ne!(pollster::block_on(lane.samples()).unwrap(), before, "{arch}: samples unchanged");
    }
    // Every objective's extra machinery (explicit input gradients, Q head, autoencoder, statistics
    // network) runs on the GPU kernels too; WGAN-GP also with the convolutional critic.
    let runs = gan_playground::objective::all().into_iter().map(|i| (i.id, "mlp")).chain([("wgan-gp", "dcgan")]);
    for (objective, arch) in runs {
        let cfg = common::config(&format!(r#"{{"objective": "{objective}", "arch": "{arch}", "batch": 8, "params": {{}}}}"#));
        let mut lane = Lane::<Gpu>::new(cfg, &small, &device).unwrap();
        let s = pollster::block_on(lane.train_step().read()).unwrap();
        assert!(s.finite, "{objective}/{arch} on wgpu: {s:?}");
    }
}
