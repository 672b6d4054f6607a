//! A 2-D training lane: the objective's D and G steps on points, and the views of its state.

use std::collections::BTreeMap;

use burn::module::{AutodiffModule, Module};
use burn::optim::GradientsParams;
use burn::tensor::{backend::AutodiffBackend, backend::Backend, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use serde::Serialize;

use super::data::EXTENT;
use super::metrics::{self, BANDWIDTH, DENSITY_CELLS};
use crate::model::plane::PlaneGenerator;
use super::{LatentDist, PlaneConfig};
use crate::lane::Phase;
use crate::model::{Discriminator, GSpec, Generator};
use crate::objective::{self, Fake, Objective, StepContext};
use crate::opt::Opt;
use crate::recovery::Recovery;
use crate::rng::LaneRng;

mod checkpoint;
mod recovery;
mod state;
pub use checkpoint::PLANE_CHECKPOINT_KIND;
pub use state::PlaneState;

/// Real and fake points the view shows (fixed latents and a fixed real sample, so points move smoothly).
pub const VIEW_POINTS: usize = 512;
/// Cells per side of D's heatmap.
pub const HEAT_CELLS: usize = 64;
/// Latent grid points per side of the manifold mesh (2-D latent; a 1-D latent gives one row of `MESH_LINE`).
pub const MESH: usize = 17;
pub const MESH_LINE: usize = 65;

/// One step's statistics, read back.
#[derive(Debug, Clone, Serialize)]
pub struct PlaneStats {
    pub step: usize,
    pub phase: Phase,
    pub d_loss: Option<f32>,
    pub g_loss: Option<f32>,
    pub diagnostics: BTreeMap<String, Option<f32>>,
    /// Losses, diagnostics and every weight finite.
    pub finite: bool,
}

/// Everything the plane view draws, on the host. Points are `[x0, y0, x1, y1, …]`.
#[derive(Debug, Clone)]
pub struct PlaneView {
    pub step: usize,
    pub real: Vec<f32>,
    pub fake: Vec<f32>,
    /// InfoGAN: the categorical code of each fake (empty without one).
    pub categories: Vec<u8>,
    /// Minus G's loss gradient at each fake, `[dx0, dy0, …]` (the way the next G step pushes it), per point (not averaged).
    pub arrows: Vec<f32>,
    /// D's score (`d_score`) at the centres of `HEAT_CELLS²` cells, rows from y = -EXTENT up.
    pub heat: Vec<f32>,
    /// G applied to a latent grid: `mesh_rows × mesh_cols` points.
    pub manifold: Vec<f32>,
    pub mesh_rows: usize,
    pub mesh_cols: usize,
    /// KL(real ‖ fake), JS and SWD of the view's points; NaN when the view was asked without them.
    pub kl: f64,
    pub js: f64,
    pub swd: f64,
}

/// A GAN on 2-D points.
pub struct PlaneLane<B: AutodiffBackend> {
    config: PlaneConfig,
    device: B::Device,
    objective: Box<dyn Objective<B>>,
    /// What a step changes; also what a snapshot and a checkpoint hold.
    state: PlaneState<B>,
    /// The last healthy snapshot and the divergence mark (see `lane/recovery.rs`).
    recovery: Recovery<PlaneState<B>>,
    /// Learning rates in use: the config's, unless a test replaced them (`set_learning_rates_unchecked`).
    lr: (f64, f64),
    fixed_z: Vec<f32>,
    real_view: Vec<f32>,
}

fn read<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data().convert::<f32>().to_vec().expect("f32 tensor data")
}

impl<B: AutodiffBackend> PlaneLane<B> {
    pub fn new(config: PlaneConfig, device: &B::Device) -> Result<Self, String> {
        let t = &config.train;
        let objective = objective::build::<B>(&t.objective, &t.params).map_err(|e| e.to_string())?;
        let spec = objective.g_spec();
        let input = t.latent + spec.codes();
        let (g, d) = {
            let _guard = crate::lane::INIT_LOCK.lock().unwrap_or_else(|p| p.into_inner());
            B::seed(device, t.seed);
            let g = Generator::Plane(PlaneGenerator::new(input, config.g_layers, config.g_neurons, config.act, device));
            let d = Discriminator::plane(objective.d_spec(), config.d_layers, config.d_neurons, config.act, input, device);
            crate::lane::materialize(&g);
            crate::lane::materialize(&d);
            (g, d)
        };
        let kind = objective.optimizer();
        let mut view_rng = LaneRng::seed_from_u64(t.seed ^ 0x5EED_0F_7EA1);
        let real_view = config.source.sample(&mut view_rng, VIEW_POINTS);
        let fixed_z = latents(&mut view_rng, VIEW_POINTS, t.latent, config.latent_dist, spec);
        let state = PlaneState {
            g,
            d,
            opt_g: Opt::new(kind),
            opt_d: Opt::new(kind),
            data_rng: LaneRng::seed_from_u64(t.seed ^ 0xDA7A),
            noise: LaneRng::seed_from_u64(t.seed),
            loss_noise: LaneRng::seed_from_u64(t.seed ^ 0x9E37_79B9_7F4A_7C15),
            step: 0,
        };
        Ok(PlaneLane {
            recovery: Recovery::new(&state),
            state,
            lr: (t.lr_g, t.lr_d),
            fixed_z,
            real_view,
            objective,
            device: device.clone(),
            config,
        })
    }

    pub fn config(&self) -> &PlaneConfig {
        &self.config
    }

    /// Generator steps completed.
    pub fn steps(&self) -> usize {
        self.state.step
    }

    /// The training state now (G, D, optimizer states, random streams, step).
    pub fn state(&self) -> &PlaneState<B> {
        &self.state
    }

    fn input_width(&self) -> usize {
        self.config.train.latent + self.objective.g_spec().codes()
    }

    fn z(&mut self, n: usize) -> Tensor<B, 2> {
        let v = latents(&mut self.state.noise, n, self.config.train.latent, self.config.latent_dist, self.objective.g_spec());
        Tensor::from_data(TensorData::new(v, [n, self.input_width()]), &self.device)
    }

    fn points(&self, v: Vec<f32>) -> Tensor<B, 4> {
        let n = v.len() / 2;
        Tensor::from_data(TensorData::new(v, [n, 1, 1, 2]), &self.device)
    }

    /// One step of `phase`, unchecked (`train` checks it and keeps the snapshots); its statistics.
    fn step_unchecked(&mut self, phase: Phase) -> PlaneStats {
        let g_step = self.state.step;
        let n = self.config.train.batch;
        let (lr_g, lr_d) = self.lr;
        let mut d_out = None;
        if phase.trains_d() {
            for _ in 0..self.objective.d_steps(g_step).max(1) {
                let batch = self.config.source.sample(&mut self.state.data_rng, n);
                let real = self.points(batch);
                let z = self.z(n);
                let fake = Fake { images: self.state.g.forward(z.clone()).detach(), z };
                let mut ctx = StepContext { g_step, rng: &mut self.state.loss_noise };
                let out = self.objective.d_loss(&self.state.d, real, fake, &mut ctx);
                let grads = GradientsParams::from_grads(out.value.backward(), &self.state.d);
                let clip = self.objective.d_weight_clip();
                self.state.d = self.state.opt_d.step_clipped(lr_d, self.state.d.clone(), grads, clip);
                d_out = Some(out);
            }
        }
        let mut g_out = None;
        if phase.trains_g() {
            let z = self.z(n);
            let fake = Fake { images: self.state.g.forward(z.clone()), z };
            let mut ctx = StepContext { g_step, rng: &mut self.state.loss_noise };
            let d = self.state.d.with_frozen_stats();
            let out = self.objective.g_loss(&d, fake, &mut ctx);
            let mut grads = out.value.backward();
            let g_grads = GradientsParams::from_module(&mut grads, &self.state.g);
            self.state.g = self.state.opt_g.step(lr_g, self.state.g.clone(), g_grads);
            if self.objective.g_step_trains_stats() {
                let t_grads = d.stats_grads(&mut grads);
                self.state.d = self.state.opt_d.step(lr_d, self.state.d.clone(), t_grads);
            }
            self.state.step += 1;
            g_out = Some(out);
        }
        let mut diagnostics = BTreeMap::new();
        let mut finite = true;
        let scalar = |t: Tensor<B, 1>| -> f32 { read(t.inner())[0] };
        let d_loss = d_out.map(|out| {
            for (name, t) in out.diagnostics {
                diagnostics.insert(name.to_string(), Some(scalar(t)));
            }
            scalar(out.value)
        });
        let g_loss = g_out.map(|out| {
            for (name, t) in out.diagnostics {
                diagnostics.insert(name.to_string(), Some(scalar(t)));
            }
            scalar(out.value)
        });
        finite &= d_loss.is_none_or(f32::is_finite) && g_loss.is_none_or(f32::is_finite);
        finite &= diagnostics.values().flatten().all(|v| v.is_finite());
        finite &= self.weights_finite();
        PlaneStats { step: self.state.step, phase, d_loss, g_loss, diagnostics, finite }
    }

    fn weights_finite(&self) -> bool {
        let mut params = crate::lane::flat_params(&self.state.g);
        params.extend(crate::lane::flat_params(&self.state.d));
        read(Tensor::cat(params, 0).sum())[0].is_finite()
    }

    /// G's output on the fixed latents.
    pub fn fakes(&self) -> Vec<f32> {
        self.generate(self.fixed_z.clone())
    }

    /// G's output (x, y per row) on generator inputs laid out row by row, without autodiff.
    fn generate(&self, z: Vec<f32>) -> Vec<f32> {
        let rows = z.len() / self.input_width();
        let z = Tensor::<B::InnerBackend, 2>::from_data(TensorData::new(z, [rows, self.input_width()]), &self.device);
        read(self.state.g.valid().forward(z))
    }

    /// D's score at the heatmap's cell centres.
    pub fn heatmap(&self) -> Vec<f32> {
        let mut v = Vec::with_capacity(2 * HEAT_CELLS * HEAT_CELLS);
        let c = |i: usize| -EXTENT + (i as f32 + 0.5) * 2.0 * EXTENT / HEAT_CELLS as f32;
        for j in 0..HEAT_CELLS {
            for i in 0..HEAT_CELLS {
                v.push(c(i));
                v.push(c(j));
            }
        }
        let x = Tensor::<B::InnerBackend, 4>::from_data(TensorData::new(v, [HEAT_CELLS * HEAT_CELLS, 1, 1, 2]), &self.device);
        read(self.objective.d_score(&self.state.d.valid(), x))
    }

    /// Everything the plane view draws; the distances (a few milliseconds) only if `metrics`.
    pub fn view(&self, metrics: bool) -> PlaneView {
        let spec = self.objective.g_spec();
        let width = self.input_width();
        // The fakes and the manifold in one pass of G.
        let (mesh_z, mesh_rows, mesh_cols) = self.manifold_latents();
        let mut fake = self.generate([self.fixed_z.as_slice(), &mesh_z].concat());
        let manifold = fake.split_off(2 * VIEW_POINTS);
        // G's loss gradient at each fake point, with the loss's noise from a stream of the view's own;
        // D's parameters untracked, so the backward pass computes only the gradient at the points.
        let x = self.points(fake.clone()).require_grad();
        let z = Tensor::<B, 2>::from_data(TensorData::new(self.fixed_z.clone(), [VIEW_POINTS, width]), &self.device);
        let mut rng = LaneRng::seed_from_u64(0xA770);
        let mut ctx = StepContext { g_step: self.state.step, rng: &mut rng };
        let loss = self.objective.g_loss(&self.state.d.with_frozen_stats().no_grad(), Fake { images: x.clone(), z }, &mut ctx);
        let grads = loss.value.backward();
        let arrows = x.grad(&grads).map(|g| read(g.mul_scalar(-(VIEW_POINTS as f64)))).unwrap_or_else(|| vec![0.0; 2 * VIEW_POINTS]);
        let categories = if spec.categorical > 0 {
            self.fixed_z
                .chunks_exact(width)
                .map(|row| {
                    let code = &row[self.config.train.latent..self.config.train.latent + spec.categorical];
                    code.iter().position(|&c| c > 0.5).unwrap_or(0) as u8
                })
                .collect()
        } else {
            Vec::new()
        };
        let (kl, js, swd) = if metrics {
            let (p, q) = (metrics::kde(&self.real_view, DENSITY_CELLS, BANDWIDTH), metrics::kde(&fake, DENSITY_CELLS, BANDWIDTH));
            (metrics::kl(&p, &q), metrics::js(&p, &q), metrics::sliced_wasserstein(&self.real_view, &fake))
        } else {
            (f64::NAN, f64::NAN, f64::NAN)
        };
        PlaneView {
            step: self.state.step,
            real: self.real_view.clone(),
            kl,
            js,
            swd,
            fake,
            categories,
            arrows,
            heat: self.heatmap(),
            manifold,
            mesh_rows,
            mesh_cols,
        }
    }

    /// The manifold's generator inputs, a grid over the latent square (or segment) with the codes fixed
    /// to the first category and 0; its rows and columns.
    fn manifold_latents(&self) -> (Vec<f32>, usize, usize) {
        let spec = self.objective.g_spec();
        let k = self.config.train.latent;
        let half = match self.config.latent_dist {
            LatentDist::Uniform => 1.0,
            LatentDist::Gaussian => 2.0,
        };
        let (rows, cols) = if k == 2 { (MESH, MESH) } else { (1, MESH_LINE) };
        let at = |i: usize, m: usize| -half + 2.0 * half * i as f32 / (m - 1) as f32;
        let mut v = Vec::new();
        for r in 0..rows {
            for c in 0..cols {
                v.push(at(c, cols));
                if k == 2 {
                    v.push(at(r, rows));
                }
                v.extend((0..spec.categorical).map(|i| if i == 0 { 1.0 } else { 0.0 }));
                v.extend((0..spec.continuous).map(|_| 0.0));
            }
        }
        (v, rows, cols)
    }
}

/// `n` generator inputs: `k` latents from `dist`, then InfoGAN's one-hot category and continuous codes.
fn latents(rng: &mut LaneRng, n: usize, k: usize, dist: LatentDist, spec: GSpec) -> Vec<f32> {
    crate::lane::latent_values_with(rng, n, k, spec, |rng| match dist {
        LatentDist::Uniform => rng.random_range(-1.0f32..1.0),
        LatentDist::Gaussian => rng.sample::<f32, _>(StandardNormal),
    })
}
