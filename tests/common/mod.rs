//! Helpers shared by the integration tests: the bundled data file and small configs.
#![allow(dead_code)]

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{backend::Backend, Tensor};
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::config::TrainConfig;
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::{Lane, StepStats};

/// The MNIST data file the build writes (`make data`).
pub fn digits() -> Digits {
    dataset("mnist")
}

/// A data file the build writes (`make data`): `mnist` or `fashion`.
pub fn dataset(name: &str) -> Digits {
    let path = format!("{}/www/data/{name}.bin", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run `make data` first)"));
    Digits::parse(&bytes).expect("bundled data parses")
}

pub fn config(json: &str) -> TrainConfig {
    TrainConfig::from_json(json).unwrap_or_else(|e| panic!("config {json} rejected: {e:?}"))
}

/// The first 512 training images: enough for a few steps, quick to upload.
pub fn small_train() -> Digits {
    let (train, _) = digits().split();
    Digits { images: train.images[..512 * PIXELS].to_vec(), labels: train.labels[..512].to_vec() }
}

/// A CPU lane from a config given as JSON.
pub fn lane(json: &str, data: &Digits) -> Lane<Cpu> {
    Lane::<Cpu>::new(config(json), data, &cpu_device()).unwrap()
}

/// `n` generator steps of `lane`, their statistics read back.
pub fn train(lane: &mut Lane<Cpu>, n: usize) -> Vec<StepStats> {
    pollster::block_on(lane.train(n)).unwrap()
}

/// Every value a step reported, bit for bit.
pub fn bits(stats: &[StepStats]) -> Vec<(usize, Vec<Option<u32>>)> {
    stats
        .iter()
        .map(|s| (s.step, [s.d_loss, s.g_loss].into_iter().chain(s.diagnostics.iter().map(|d| d.1)).map(|v| v.map(f32::to_bits)).collect()))
        .collect()
}

/// Initialises burn's wgpu backend on the default adapter (Mesa's lavapipe in CI). `None` when this
/// machine has no adapter, which fails the test instead when GAN_REQUIRE_WGPU=1 (as `make test` sets).
pub fn wgpu_setup() -> Option<burn::backend::wgpu::WgpuSetup> {
    let device = gan_playground::backend::gpu_device();
    std::panic::set_hook(Box::new(|_| {}));
    let setup = std::panic::catch_unwind(|| {
        burn::backend::wgpu::init_setup::<burn::backend::wgpu::graphics::AutoGraphicsApi>(&device, Default::default())
    });
    let _ = std::panic::take_hook();
    if setup.is_err() {
        assert!(std::env::var("GAN_REQUIRE_WGPU").as_deref() != Ok("1"), "no wgpu adapter, but GAN_REQUIRE_WGPU=1");
        eprintln!("skipped: no wgpu adapter on this machine");
    }
    setup.ok()
}

/// Every float tensor of a module (BatchNorm statistics included) with its path in the module tree,
/// e.g. `body.Dcgan.bn1.running_var`, and its values.
pub fn paths<B: Backend, M: Module<B>>(m: &M) -> Vec<(String, Vec<f32>)> {
    struct Paths {
        stack: Vec<String>,
        found: Vec<(String, Vec<f32>)>,
    }
    impl<B: Backend> ModuleVisitor<B> for Paths {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.stack.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.stack.pop();
        }
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<B, D>>) {
            let v = p.val().into_data().convert::<f32>().to_vec::<f32>().unwrap();
            self.found.push((self.stack.join("."), v));
        }
    }
    // Fold pending BatchNorm running-statistics updates in first (a clone shares them): visiting
    // reads the last synchronised value, one update behind.
    let _ = m.clone().into_record();
    let mut p = Paths { stack: Vec::new(), found: Vec::new() };
    m.visit(&mut p);
    p.found
}

/// All of a module's float values in visiting order.
pub fn flat<B: Backend, M: Module<B>>(m: &M) -> Vec<f32> {
    paths(m).into_iter().flat_map(|(_, v)| v).collect()
}
