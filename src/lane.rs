//! One training lane: a generator, a discriminator, their optimizers, an objective and a data stream,
//! advanced one generator step at a time; statistics and samples are read back asynchronously.

use burn::module::{AutodiffModule, Module, ModuleVisitor, Param};
use burn::optim::{adaptor::OptimizerAdaptor, Adam, AdamConfig, GradientsParams, Optimizer, RmsProp, RmsPropConfig};
use burn::tensor::{backend::AutodiffBackend, Int, Tensor, TensorData};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use crate::config::TrainConfig;
use crate::data::{BatchOrder, Digits, PIXELS, SIDE};
use crate::model::{Discriminator, GSpec, Generator};
use crate::objective::{self, Fake, Objective, OptimizerKind, StepContext};

/// Size of the fixed evaluation batch shown as the sample grid.
pub const GRID: usize = 64;
/// Diagnostic every lane reports after the objective's own: the L2 norm of the generator's gradient
/// (it collapses towards 0 when the minimax cost saturates).
pub const G_GRAD_NORM: &str = "g_grad_norm";

static INIT_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Statistics of one generator step, read back from the device.
#[derive(Debug, Clone, Serialize)]
pub struct StepStats {
    /// Generator steps completed, this one included.
    pub step: usize,
    pub d_loss: f32,
    pub g_loss: f32,
    /// The objective's diagnostics, named as in its `ObjectiveInfo`.
    pub diagnostics: Vec<(String, f32)>,
    /// False if any loss or diagnostic is NaN or infinite.
    pub finite: bool,
}

/// Everything a generator step produced, still on the device.
pub struct PendingStats<B: AutodiffBackend> {
    step: usize,
    /// `[d_loss, g_loss, d diagnostics..., g diagnostics...]`.
    values: Tensor<B::InnerBackend, 1>,
    names: Vec<&'static str>,
}

impl<B: AutodiffBackend> PendingStats<B> {
    /// Reads the values back (asynchronously; required on WebGPU in the browser).
    pub async fn read(self) -> Result<StepStats, String> {
        Ok(Self::read_many(vec![self]).await?.remove(0))
    }

    /// Reads several steps' values back in a single device transfer.
    pub async fn read_many(pending: Vec<Self>) -> Result<Vec<StepStats>, String> {
        let Some(first) = pending.first() else { return Ok(Vec::new()) };
        let width = first.names.len() + 2;
        let all = Tensor::cat(pending.iter().map(|p| p.values.clone()).collect(), 0);
        let v = read_f32(all, "statistics").await?;
        Ok(pending
            .iter()
            .zip(v.chunks_exact(width))
            .map(|(p, v)| StepStats {
                step: p.step,
                d_loss: v[0],
                g_loss: v[1],
                diagnostics: p.names.iter().zip(&v[2..]).map(|(n, x)| (n.to_string(), *x)).collect(),
                finite: v.iter().all(|x| x.is_finite()),
            })
            .collect())
    }
}

/// The optimizer an objective asked for, for one network.
enum Opt<M: AutodiffModule<B>, B: AutodiffBackend> {
    Adam(OptimizerAdaptor<Adam, M, B>),
    RmsProp(OptimizerAdaptor<RmsProp, M, B>),
}

impl<M: AutodiffModule<B>, B: AutodiffBackend> Opt<M, B> {
    fn new(kind: OptimizerKind) -> Self {
        match kind {
            OptimizerKind::Adam { beta_1, beta_2 } => {
                Opt::Adam(AdamConfig::new().with_beta_1(beta_1).with_beta_2(beta_2).init())
            }
            OptimizerKind::RmsProp => Opt::RmsProp(RmsPropConfig::new().with_alpha(0.99).with_momentum(0.0).init()),
        }
    }

    fn step(&mut self, lr: f64, module: M, grads: GradientsParams) -> M {
        match self {
            Opt::Adam(o) => o.step(lr, module, grads),
            Opt::RmsProp(o) => o.step(lr, module, grads),
        }
    }
}

/// A GAN being trained.
pub struct Lane<B: AutodiffBackend> {
    config: TrainConfig,
    device: B::Device,
    objective: Box<dyn Objective<B>>,
    g: Generator<B>,
    d: Discriminator<B>,
    opt_g: Opt<Generator<B>, B>,
    /// Optimizers of the objective's joint loss (used only by objectives that have one).
    opt_joint: (Opt<Generator<B>, B>, Opt<Discriminator<B>, B>),
    opt_d: Opt<Discriminator<B>, B>,
    /// The training images on the device, `[n, 784]` in [-1, 1].
    images: Tensor<B, 2>,
    order: BatchOrder,
    /// Latent vectors and codes.
    noise: StdRng,
    /// Noise the objective's losses draw (interpolation weights, label flips, instance noise...).
    loss_noise: StdRng,
    /// Generator inputs of the sample grid (latent plus codes), on the device and on the host.
    fixed_z: Tensor<B::InnerBackend, 2>,
    fixed_host: Vec<f32>,
    g_steps: usize,
}

impl<B: AutodiffBackend> Lane<B> {
    /// Builds a lane from a validated config; the same config and data give the same run.
    pub fn new(config: TrainConfig, train: &Digits, device: &B::Device) -> Result<Self, String> {
        let objective = objective::build::<B>(&config.objective, &config.params).map_err(|e| e.to_string())?;
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
        let mut noise = StdRng::seed_from_u64(config.seed);
        let g_spec = objective.g_spec();
        // Kept on the host too (the code explorer builds on it): reading it back synchronously is
        // impossible on WebGPU in the browser.
        let fixed_host = latent_values(&mut noise, GRID, config.latent, g_spec);
        let fixed_z = Tensor::from_data(TensorData::new(fixed_host.clone(), [GRID, config.latent + g_spec.codes()]), device);
        Ok(Lane {
            order: BatchOrder::new(train.len(), config.seed),
            noise,
            loss_noise: StdRng::seed_from_u64(config.seed ^ 0x9E37_79B9_7F4A_7C15),
            fixed_host,
            fixed_z,
            objective,
            g,
            d,
            opt_g: Opt::new(kind),
            opt_joint: (Opt::new(kind), Opt::new(kind)),
            opt_d: Opt::new(kind),
            images,
            device: device.clone(),
            config,
            g_steps: 0,
        })
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn generator(&self) -> &Generator<B> {
        &self.g
    }

    pub fn discriminator(&self) -> &Discriminator<B> {
        &self.d
    }

    /// The generator's code layout (InfoGAN's categorical and continuous codes; zero if none).
    pub fn g_spec(&self) -> GSpec {
        self.objective.g_spec()
    }

    /// Generator steps completed.
    pub fn steps(&self) -> usize {
        self.g_steps
    }

    fn real_batch(&mut self) -> Tensor<B, 4> {
        let n = self.config.batch;
        let idx: Vec<i64> = self.order.next(n).into_iter().map(|i| i as i64).collect();
        let idx = Tensor::<B, 1, Int>::from_data(TensorData::new(idx, [n]), &self.device);
        self.images.clone().select(0, idx).reshape([n, 1, SIDE, SIDE])
    }

    fn z(&mut self) -> Tensor<B, 2> {
        let (n, k) = (self.config.batch, self.config.latent);
        Tensor::from_inner(latent_batch(&mut self.noise, n, k, self.objective.g_spec(), &self.device))
    }

    /// The objective's discriminator updates, then one generator update. Returns the step's statistics unread.
    pub fn train_step(&mut self) -> PendingStats<B> {
        let g_step = self.g_steps;
        let mut d_out = None;
        for _ in 0..self.objective.d_steps(g_step).max(1) {
            let real = self.real_batch();
            let z = self.z();
            let fake = Fake { images: self.g.forward(z.clone()).detach(), z };
            let mut ctx = StepContext { g_step, rng: &mut self.loss_noise };
            let out = self.objective.d_loss(&self.d, real, fake, &mut ctx);
            let grads = GradientsParams::from_grads(out.value.backward(), &self.d);
            let d = self.opt_d.step(self.config.lr_d, self.d.clone(), grads);
            self.d = self.objective.after_d_step(d);
            d_out = Some(out);
        }
        // The statistics of the last discriminator update of this generator step are reported.
        let d_out = d_out.expect("at least one discriminator step");

        let z = self.z();
        let fake = Fake { images: self.g.forward(z.clone()), z };
        let mut ctx = StepContext { g_step, rng: &mut self.loss_noise };
        let g_out = self.objective.g_loss(&self.d, fake, &mut ctx);
        let grads = GradientsParams::from_grads(g_out.value.backward(), &self.g);
        let g_grad_norm = grad_norm(&self.g, &grads);
        self.g = self.opt_g.step(self.config.lr_g, self.g.clone(), grads);
        let joint = self.joint_step(g_step);
        self.g_steps += 1;

        let info = self.objective.info();
        let mut parts = vec![d_out.value.inner(), g_out.value.inner()];
        parts.extend(d_out.diagnostics.into_iter().map(|t| t.inner()));
        parts.extend(g_out.diagnostics.into_iter().map(|t| t.inner()));
        parts.extend(joint.into_iter().flat_map(|l| l.diagnostics).map(|t| t.inner()));
        parts.push(g_grad_norm);
        PendingStats {
            step: self.g_steps,
            values: Tensor::cat(parts, 0),
            names: info.d_diagnostics.iter().chain(info.g_diagnostics).chain(&[G_GRAD_NORM]).copied().collect(),
        }
    }

    /// The objective's joint loss, if it has one: one update of both networks on a fresh fake batch
    /// (generated only when the objective asks for it).
    fn joint_step(&mut self, g_step: usize) -> Option<objective::Loss<B>> {
        let (g, noise, config, device, spec) = (&self.g, &mut self.noise, &self.config, &self.device, self.objective.g_spec());
        let mut fake = || {
            let z: Tensor<B, 2> = Tensor::from_inner(latent_batch(noise, config.batch, config.latent, spec, device));
            Fake { images: g.forward(z.clone()), z }
        };
        let mut ctx = StepContext { g_step, rng: &mut self.loss_noise };
        let out = self.objective.joint_loss(&self.d, &mut fake, &mut ctx)?;
        let mut grads = out.value.backward();
        let (g_grads, d_grads) = (GradientsParams::from_module(&mut grads, &self.g), GradientsParams::from_module(&mut grads, &self.d));
        self.g = self.opt_joint.0.step(self.config.lr_g, self.g.clone(), g_grads);
        self.d = self.opt_joint.1.step(self.config.lr_d, self.d.clone(), d_grads);
        Some(out)
    }

    /// The generator's output on the fixed evaluation batch, `GRID × 784` bytes (0 = background).
    pub async fn samples(&self) -> Result<Vec<u8>, String> {
        let images = self.g.valid().forward(self.fixed_z.clone());
        Ok(crate::render::to_bytes(&read_f32(images, "samples").await?))
    }
}

/// Forces burn's lazily initialised parameters to be drawn now.
fn materialize<B: AutodiffBackend, M: Module<B>>(module: &M) {
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
                self.parts.push(g.powi_scalar(2).sum());
            }
        }
    }
    let mut visitor = SumSquares::<B> { grads, parts: Vec::new() };
    module.visit(&mut visitor);
    Tensor::cat(visitor.parts, 0).sum().sqrt()
}

/// Reads a tensor back to the host as `f32` (asynchronously; required on WebGPU in the browser).
async fn read_f32<B: burn::tensor::backend::Backend, const D: usize>(t: Tensor<B, D>, what: &str) -> Result<Vec<f32>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading {what}: {e:?}"))?;
    data.convert::<f32>().to_vec().map_err(|e| format!("reading {what}: {e:?}"))
}

/// `n` generator inputs on the device (see `latent_values`).
fn latent_batch<B: burn::tensor::backend::Backend>(rng: &mut StdRng, n: usize, k: usize, spec: GSpec, device: &B::Device) -> Tensor<B, 2> {
    Tensor::from_data(TensorData::new(latent_values(rng, n, k, spec), [n, k + spec.codes()]), device)
}

/// `n` generator inputs, row-major: `k` standard-normal latents, then a uniformly drawn one-hot
/// categorical code and continuous codes `~ U(-1, 1)` if the objective asks for them.
fn latent_values(rng: &mut StdRng, n: usize, k: usize, spec: GSpec) -> Vec<f32> {
    let mut v = Vec::with_capacity(n * (k + spec.codes()));
    for _ in 0..n {
        v.extend((0..k).map(|_| -> f32 { StandardNormal.sample(rng) }));
        if spec.categorical > 0 {
            let hot = rng.random_range(0..spec.categorical);
            v.extend((0..spec.categorical).map(|c| f32::from(u8::from(c == hot))));
        }
        v.extend((0..spec.continuous).map(|_| rng.random_range(-1.0f32..1.0)));
    }
    v
}

impl<B: AutodiffBackend> Lane<B> {
    /// `k` samples from fresh latent vectors (drawn from the lane's noise stream), `k × 784` bytes.
    pub async fn fresh_samples(&mut self, k: usize) -> Result<Vec<u8>, String> {
        let g = self.g.valid();
        let mut out = Vec::with_capacity(k * PIXELS);
        for start in (0..k).step_by(GRID) {
            let n = GRID.min(k - start);
            let z = latent_batch(&mut self.noise, n, self.config.latent, self.objective.g_spec(), &self.device);
            out.extend(crate::render::to_bytes(&read_f32(g.forward(z), "samples").await?));
        }
        Ok(out)
    }
}

impl<B: AutodiffBackend> Lane<B> {
    /// Code explorer: the fixed latent vector `z_index` of the sample grid with every categorical value
    /// (rows) and continuous code `sweep` running from -1 to 1 over `cols` columns, the other continuous
    /// codes set to `other`. `categorical × cols × 784` bytes, row-major.
    pub async fn code_grid(&self, z_index: usize, sweep: usize, other: f32, cols: usize) -> Result<Vec<u8>, String> {
        let spec = self.objective.g_spec();
        if spec.categorical == 0 || spec.continuous == 0 {
            return Err(format!("objective {} has no latent codes to explore", self.config.objective));
        }
        if z_index >= GRID || sweep >= spec.continuous || !(2..=16).contains(&cols) || !other.is_finite() {
            return Err(format!(
                "code grid: z index must be below {GRID}, sweep below {}, columns 2 to 16 and the other code finite",
                spec.continuous
            ));
        }
        let (latent, width) = (self.config.latent, self.config.latent + spec.codes());
        let z = &self.fixed_host[z_index * width..z_index * width + latent];
        let mut v = Vec::with_capacity(spec.categorical * cols * width);
        for c in 0..spec.categorical {
            for j in 0..cols {
                v.extend_from_slice(z);
                v.extend((0..spec.categorical).map(|k| f32::from(u8::from(k == c))));
                let t = -1.0 + 2.0 * j as f32 / (cols - 1) as f32;
                v.extend((0..spec.continuous).map(|k| if k == sweep { t } else { other }));
            }
        }
        let n = spec.categorical * cols;
        let input = Tensor::from_data(TensorData::new(v, [n, width]), &self.device);
        Ok(crate::render::to_bytes(&read_f32(self.g.valid().forward(input), "code grid").await?))
    }
}
