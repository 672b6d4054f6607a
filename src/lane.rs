//! One training lane: a generator, a discriminator, their optimizers, an objective and a data stream,
//! advanced one generator step at a time; statistics and samples are read back asynchronously.

use burn::module::{AutodiffModule, Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{backend::AutodiffBackend, Int, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

use crate::config::TrainConfig;
use crate::data::{BatchOrder, Digits, PIXELS, SIDE};
use crate::model::{Discriminator, GSpec, Generator};
use crate::objective::{self, Fake, Objective, StepContext};
use crate::opt::Opt;
use crate::rng::LaneRng;
use crate::readback::read_f32;
use crate::recovery::Recovery;
use crate::snapshot::LaneState;

mod eval;
mod explore;
mod recovery;
mod stats;
#[cfg(feature = "gpu")]
mod sums_kernel;

pub use eval::{slerp, Evaluation, FRAMES, MAX_EVAL};
pub use stats::{sum_all, PendingStats, Phase, StepStats};
use stats::{pack, Slots};

/// Size of the fixed evaluation batch shown as the sample grid.
pub const GRID: usize = 64;
/// Diagnostic every lane reports after the objective's own: the L2 norm of the generator's gradient
/// (it collapses towards 0 when the minimax cost saturates).
pub const G_GRAD_NORM: &str = "g_grad_norm";

/// Mixed into the seed for the evaluation stream, independent of the training streams.
const EVAL_STREAM: u64 = 0xD1B5_4A32_D192_ED03;

/// The evaluation stream a lane with this seed starts with: the same in every lane with the same
/// seed (and latent size), so their evaluations are comparable.
pub(crate) fn eval_rng(seed: u64) -> LaneRng {
    LaneRng::seed_from_u64(seed ^ EVAL_STREAM)
}

pub(crate) static INIT_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A GAN being trained.
pub struct Lane<B: AutodiffBackend> {
    config: TrainConfig,
    device: B::Device,
    objective: Box<dyn Objective<B>>,
    /// What a step changes; also what a snapshot and a checkpoint hold.
    state: LaneState<B>,
    /// The training images on the device, `[n, 784]` in [-1, 1].
    images: Tensor<B, 2>,
    /// Generator inputs of the sample grid (latent plus codes), on the device and on the host.
    fixed_z: Tensor<B::InnerBackend, 2>,
    fixed_host: Vec<f32>,
    /// Learning rates in use: the config's, unless a test replaced them (`set_learning_rates_unchecked`).
    lr: (f64, f64),
    /// The last healthy snapshot and the divergence mark (see `lane/recovery.rs`).
    recovery: Recovery<LaneState<B>>,
    /// Slot indices on the device that `pack` places a step's statistics with.
    slots: Slots<B::InnerBackend>,
}

impl<B: AutodiffBackend> Lane<B> {
    /// Builds a lane from a validated config; the same config and data give the same run.
    pub fn new(config: TrainConfig, train: &Digits, device: &B::Device) -> Result<Self, String> {
        let objective = objective::build::<B>(&config.objective, &config.params).map_err(|e| e.to_string())?;
        Ok(Self::with_objective(config, objective, train, device))
    }

    /// `new` with `objective` in place of the one the config names (whose id and parameters then only
    /// go into checkpoints): lets a test train two lanes that differ in nothing but their losses.
    #[doc(hidden)]
    pub fn with_objective(config: TrainConfig, objective: Box<dyn Objective<B>>, train: &Digits, device: &B::Device) -> Self {
        // burn's parameter initialisers draw from one global RNG per backend: seeding and initialising
        // must not interleave with another lane's, or the same seed would give different weights.
        let (g, d) = {
            let _guard = INIT_LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            B::seed(device, config.seed);
            let g = Generator::new(config.arch, config.latent, objective.g_spec(), device);
            let d = Discriminator::new(config.arch, objective.d_spec(), config.latent + objective.g_spec().codes(), device);
            // Parameters are initialised lazily; draw them now, while the seed is ours.
            materialize(&g);
            materialize(&d);
            (g, d)
        };
        let kind = objective.optimizer();
        let images = Tensor::from_data(TensorData::new(train.scaled(), [train.len(), PIXELS]), device);
        let mut noise = LaneRng::seed_from_u64(config.seed);
        let g_spec = objective.g_spec();
        // Kept on the host too (the code explorer builds on it): reading it back synchronously is
        // impossible on WebGPU in the browser.
        let fixed_host = latent_values(&mut noise, GRID, config.latent, g_spec);
        let fixed_z = Tensor::from_data(TensorData::new(fixed_host.clone(), [GRID, config.latent + g_spec.codes()]), device);
        let state = LaneState {
            g,
            d,
            opt_g: Opt::new(kind),
            opt_d: Opt::new(kind),
            order: BatchOrder::new(train.len(), config.seed),
            noise,
            loss_noise: LaneRng::seed_from_u64(config.seed ^ 0x9E37_79B9_7F4A_7C15),
            eval_rng: eval_rng(config.seed),
            step: 0,
        };
        Lane {
            recovery: Recovery::new(&state),
            state,
            fixed_host,
            fixed_z,
            objective,
            images,
            device: device.clone(),
            lr: (config.lr_g, config.lr_d),
            config,
            slots: Slots::default(),
        }
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn generator(&self) -> &Generator<B> {
        &self.state.g
    }

    pub fn discriminator(&self) -> &Discriminator<B> {
        &self.state.d
    }

    /// The generator's code layout (InfoGAN's categorical and continuous codes; zero if none).
    pub fn g_spec(&self) -> GSpec {
        self.objective.g_spec()
    }

    /// Generator steps completed.
    pub fn steps(&self) -> usize {
        self.state.step
    }

    fn real_batch(&mut self) -> Tensor<B, 4> {
        let n = self.config.batch;
        let idx: Vec<i64> = self.state.order.next(n).into_iter().map(|i| i as i64).collect();
        let idx = Tensor::<B, 1, Int>::from_data(TensorData::new(idx, [n]), &self.device);
        self.images.clone().select(0, idx).reshape([n, 1, SIDE, SIDE])
    }

    fn z(&mut self) -> Tensor<B, 2> {
        let (n, k) = (self.config.batch, self.config.latent);
        Tensor::from_inner(latent_batch(&mut self.state.noise, n, k, self.objective.g_spec(), &self.device))
    }

    /// The objective's discriminator updates, then one generator update. Returns the step's statistics unread.
    pub fn train_step(&mut self) -> PendingStats<B> {
        self.train_step_phase(Phase::Both)
    }

    /// One step of `phase` (see `Phase`); the values it does not compute are reported absent.
    pub fn train_step_phase(&mut self, phase: Phase) -> PendingStats<B> {
        let g_step = self.state.step;
        let d_out = phase.trains_d().then(|| self.d_updates(g_step));
        let g_out = phase.trains_g().then(|| self.g_update(g_step));
        if g_out.is_some() {
            self.state.step += 1;
        }
        let info = self.objective.info();
        let (has_d, has_g) = (d_out.is_some(), g_out.is_some());
        let mut present = vec![has_d, has_g];
        present.extend(std::iter::repeat_n(has_d, info.d_diagnostics.len()));
        present.extend(std::iter::repeat_n(has_g, info.g_diagnostics.len() + 1));
        let mut parts = Vec::new();
        // Diagnostics by name, in the order of the objective's lists (the order of `names` below).
        let d_diagnostics = d_out.map(|d| {
            parts.push(d.value.clone().inner());
            d.diagnostics_in(info.d_diagnostics, info.id)
        });
        let g_rest = g_out.map(|(g, norm)| {
            parts.push(g.value.clone().inner());
            (g.diagnostics_in(info.g_diagnostics, info.id), norm)
        });
        parts.extend(d_diagnostics.into_iter().flatten().map(|t| t.inner()));
        if let Some((diagnostics, norm)) = g_rest {
            parts.extend(diagnostics.into_iter().map(|t| t.inner()));
            parts.push(norm);
        }
        // Divergence check on the weights themselves: NaN or infinity anywhere makes the sum non-finite.
        let mut params = flat_params(&self.state.g);
        params.extend(flat_params(&self.state.d));
        parts.push(sum_all(params, false));
        let slots = self.slots.get(parts.len(), &self.device);
        PendingStats {
            step: self.state.step,
            phase,
            values: pack(parts, slots),
            names: info.d_diagnostics.iter().chain(info.g_diagnostics).chain(&[G_GRAD_NORM]).copied().collect(),
            present,
        }
    }

    /// The objective's discriminator updates before generator step `g_step`; the loss of the last one.
    fn d_updates(&mut self, g_step: usize) -> objective::Loss<B> {
        let mut d_out = None;
        for _ in 0..self.objective.d_steps(g_step).max(1) {
            let real = self.real_batch();
            let z = self.z();
            let fake = Fake { images: self.state.g.forward(z.clone()).detach(), z };
            let mut ctx = StepContext { g_step, rng: &mut self.state.loss_noise };
            let out = self.objective.d_loss(&self.state.d, real, fake, &mut ctx);
            let grads = GradientsParams::from_grads(out.value.backward(), &self.state.d);
            let clip = self.objective.d_weight_clip();
            self.state.d = self.state.opt_d.step_clipped(self.lr.1, self.state.d.clone(), grads, clip);
            d_out = Some(out);
        }
        // The statistics of the last discriminator update of this generator step are reported.
        d_out.expect("at least one discriminator step")
    }

    /// One generator update (with MEG's statistics network, if the objective asks): (G's loss, G's
    /// gradient norm). D is scored with its BatchNorm running statistics frozen, so that they follow
    /// only D's own steps (PyTorch reference code would also fold in this fake batch's statistics).
    fn g_update(&mut self, g_step: usize) -> (objective::Loss<B>, Tensor<B::InnerBackend, 1>) {
        let z = self.z();
        let fake = Fake { images: self.state.g.forward(z.clone()), z };
        let mut ctx = StepContext { g_step, rng: &mut self.state.loss_noise };
        let d = self.state.d.for_g_step(self.objective.g_step_trains_stats());
        let g_out = self.objective.g_loss(&d, fake, &mut ctx);
        let mut grads = g_out.value.backward();
        let g_grads = GradientsParams::from_module(&mut grads, &self.state.g);
        let g_grad_norm = grad_norm(&self.state.g, &g_grads);
        self.state.g = self.state.opt_g.step(self.lr.0, self.state.g.clone(), g_grads);
        if self.objective.g_step_trains_stats() {
            // Only T's gradients: the energy's own parameters have gradients in this pass too, but
            // the energy is trained in its own steps.
            let t_grads = d.stats_grads(&mut grads);
            self.state.d = self.state.opt_d.step(self.lr.1, self.state.d.clone(), t_grads);
        }
        (g_out, g_grad_norm)
    }

    /// The generator's output on the fixed evaluation batch, `GRID × 784` bytes (0 = background).
    pub async fn samples(&self) -> Result<Vec<u8>, String> {
        let images = self.state.g.valid().forward(self.fixed_z.clone());
        Ok(crate::render::to_bytes(&read_f32(images, "samples").await?))
    }
}

/// Forces burn's lazily initialised parameters to be drawn now.
pub(crate) fn materialize<B: AutodiffBackend, M: Module<B>>(module: &M) {
    struct Touch;
    impl<B: AutodiffBackend> ModuleVisitor<B> for Touch {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let _ = param.val();
        }
    }
    module.visit(&mut Touch);
}

/// L2 norm over all of a module's parameter gradients, left on the device.
fn grad_norm<B: AutodiffBackend, M: Module<B>>(module: &M, grads: &GradientsParams) -> Tensor<B::InnerBackend, 1> {
    struct SumSquares<'a, B: AutodiffBackend> {
        grads: &'a GradientsParams,
        parts: Vec<Tensor<B::InnerBackend, 1>>,
    }
    impl<B: AutodiffBackend> ModuleVisitor<B> for SumSquares<'_, B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            if let Some(g) = self.grads.get::<B::InnerBackend, D>(param.id) {
                let n = g.shape().num_elements();
                self.parts.push(g.reshape([n]));
            }
        }
    }
    let mut visitor = SumSquares::<B> { grads, parts: Vec::new() };
    module.visit(&mut visitor);
    sum_all(visitor.parts, true).sqrt()
}

/// All of a module's float parameters (BatchNorm statistics included), flattened, on the device.
pub(crate) fn flat_params<B: AutodiffBackend, M: Module<B>>(module: &M) -> Vec<Tensor<B::InnerBackend, 1>> {
    struct Sum<B: AutodiffBackend>(Vec<Tensor<B::InnerBackend, 1>>);
    impl<B: AutodiffBackend> ModuleVisitor<B> for Sum<B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let p = param.val().inner();
            let n = p.shape().num_elements();
            self.0.push(p.reshape([n]));
        }
    }
    let mut visitor = Sum::<B>(Vec::new());
    module.visit(&mut visitor);
    visitor.0
}

/// `n` generator inputs on the device (see `latent_values`).
pub(crate) fn latent_batch<B: burn::tensor::backend::Backend>(rng: &mut LaneRng, n: usize, k: usize, spec: GSpec, device: &B::Device) -> Tensor<B, 2> {
    Tensor::from_data(TensorData::new(latent_values(rng, n, k, spec), [n, k + spec.codes()]), device)
}

/// `n` generator inputs, row-major: `k` standard-normal latents, then a uniformly drawn one-hot
/// categorical code and continuous codes `~ U(-1, 1)` if the objective asks for them.
fn latent_values(rng: &mut LaneRng, n: usize, k: usize, spec: GSpec) -> Vec<f32> {
    latent_values_with(rng, n, k, spec, |rng| StandardNormal.sample(rng))
}

/// `n` generator inputs, row-major: `k` latents from `draw`, then the codes as in `latent_values`.
pub(crate) fn latent_values_with(rng: &mut LaneRng, n: usize, k: usize, spec: GSpec, mut draw: impl FnMut(&mut LaneRng) -> f32) -> Vec<f32> {
    let mut v = Vec::with_capacity(n * (k + spec.codes()));
    for _ in 0..n {
        v.extend((0..k).map(|_| draw(rng)));
        if spec.categorical > 0 {
            let hot = rng.random_range(0..spec.categorical);
            v.extend((0..spec.categorical).map(|c| f32::from(u8::from(c == hot))));
        }
        v.extend((0..spec.continuous).map(|_| rng.random_range(-1.0f32..1.0)));
    }
    v
}
