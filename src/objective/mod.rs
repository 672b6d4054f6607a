//! GAN objectives: the `Objective` trait, shared loss maths, and the registry of every objective by id.

use burn::tensor::{activation, backend::AutodiffBackend, backend::Backend, Distribution, Tensor, TensorData};
use rand::Rng;
use rand_distr::StandardNormal;

pub use crate::params::{FieldError, ParamSpec, ParamValues, Params};
use crate::rng::LaneRng;
use crate::model::{DSpec, Discriminator, GSpec};

mod ebgan;
mod infogan;
pub mod losses;
mod lsgan;
mod meg;
mod minimax;
mod nonsaturating;
mod wgan;
mod wgan_gp;

pub use ebgan::{ebgan_d_loss, pull_away};
pub use infogan::{info_loss, CATEGORIES, CONTINUOUS};
pub use lsgan::half_mse;
pub use meg::jsd_mi;
pub use wgan::clip_fraction;
pub use wgan_gp::gradient_penalty;

/// What the registry knows about an objective without building it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ObjectiveInfo {
    pub id: &'static str,
    pub name: &'static str,
    /// A few letters for tight places (lane titles): the names of Lucic et al. (2018), "MM-GAN", "NS-GAN".
    pub short: &'static str,
    /// Loss formulas in one line each.
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    /// Names of the diagnostics `d_loss` reports, in order.
    pub d_diagnostics: &'static [&'static str],
    /// Names of the diagnostics `g_loss` reports, in order.
    pub g_diagnostics: &'static [&'static str],
    /// Learning rate used for both nets unless the config sets one.
    pub lr_default: f64,
    /// Named settings of the parameters the UI offers as one-click buttons.
    pub presets: &'static [Preset],
    /// What `Objective::d_score` reports per image (the evaluation histogram's axis).
    pub d_score: ScoreSpec,
    /// One line under the evaluation histograms: which statistics D scores them with.
    pub score_caption: &'static str,
}

/// `score_caption` of objectives whose DCGAN discriminator has BatchNorm. Its running statistics are
/// updated only by D's own steps, on real and fake batches alike (`Lane::g_update` freezes them).
pub const CAPTION_BATCHNORM: &str = "Scored by D in inference mode. With the DCGAN body, D's BatchNorm uses running statistics that only D's own steps update, from real and fake batches in equal parts (G's step leaves them alone); the MLP body has no BatchNorm.";

/// `score_caption` of objectives whose discriminator never has BatchNorm.
pub const CAPTION_NO_BATCHNORM: &str = "Scored by D in inference mode. This D has no BatchNorm, so each image's score depends on that image alone.";

/// The meaning and range of the discriminator's per-image score; `None` (null in JSON) = unbounded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScoreSpec {
    pub label: &'static str,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// The default score: the discriminator's probability that an image is real.
pub const P_REAL: ScoreSpec = ScoreSpec { label: "P(real) = sigmoid(D(x))", lo: Some(0.0), hi: Some(1.0) };

/// An unbounded score (a critic value, a raw output, an energy).
pub const fn unbounded(label: &'static str) -> ScoreSpec {
    ScoreSpec { label, lo: None, hi: None }
}

/// The discriminator's raw scalar output per image, `[n]` (a critic value, LSGAN's output, an energy).
pub fn raw_score<B: Backend>(d: &Discriminator<B>, images: Tensor<B, 4>) -> Tensor<B, 1> {
    let [n, ..] = images.dims();
    d.forward(images).reshape([n])
}

/// Goodfellow et al. (2014), Algorithm 1: `k` discriminator updates per generator update; shared by
/// every objective that has no critic-step count of its own.
pub const K_PARAM: ParamSpec = ParamSpec {
    key: "k",
    label: "D steps per G step k",
    default: 1.0,
    min: 1.0,
    max: 10.0,
    toggle: false,
    integer: true,
    help: "Discriminator updates per generator step (k in Goodfellow et al. 2014, Algorithm 1).",
};

/// The `k` of `K_PARAM`.
pub fn k_of(p: &Params) -> usize {
    p.count(K_PARAM.key)
}

/// A named set of parameter values (e.g. LSGAN's χ² and 0-1 targets).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Preset {
    pub name: &'static str,
    pub values: &'static [(&'static str, f64)],
}

/// Which optimizer trains both nets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerKind {
    /// Adam with the given β₁, β₂.
    Adam { beta_1: f32, beta_2: f32 },
    /// RMSprop without momentum (α = 0.99).
    RmsProp,
}

/// Adam with β = (0.5, 0.999), the DCGAN setting most objectives use.
pub const ADAM: OptimizerKind = OptimizerKind::Adam { beta_1: 0.5, beta_2: 0.999 };

/// Where training is when a loss is computed, and the lane's own random stream for any noise a
/// loss draws (so a seed reproduces a run).
pub struct StepContext<'a> {
    /// Number of generator steps completed before this one.
    pub g_step: usize,
    pub rng: &'a mut LaneRng,
}

impl StepContext<'_> {
    /// A tensor of independent draws from `dist` (uniform, normal or Bernoulli) of the given shape.
    pub fn sample<B: Backend, const D: usize>(&mut self, shape: [usize; D], dist: Distribution, device: &B::Device) -> Tensor<B, D> {
        let n = shape.iter().product::<usize>();
        let v: Vec<f32> = (0..n)
            .map(|_| match dist {
                Distribution::Uniform(lo, hi) => self.rng.random_range(lo..hi) as f32,
                Distribution::Normal(mean, std) => (mean + std * self.rng.sample::<f64, _>(StandardNormal)) as f32,
                Distribution::Bernoulli(p) => f32::from(u8::from(self.rng.random_bool(p.clamp(0.0, 1.0)))),
                Distribution::Default => self.rng.random::<f32>(),
            })
            .collect();
        Tensor::from_data(TensorData::new(v, shape), device)
    }

    /// A random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        rand::seq::SliceRandom::shuffle(p.as_mut_slice(), self.rng);
        p
    }
}

/// A generated batch: the images and the generator input that made them (`z` followed by any codes).
pub struct Fake<B: Backend> {
    pub images: Tensor<B, 4>,
    pub z: Tensor<B, 2>,
}

/// A loss to minimise plus named scalar diagnostics (all still on the device, read back later).
pub struct Loss<B: AutodiffBackend> {
    pub value: Tensor<B, 1>,
    /// `(name, value)`: the names are those the objective's `ObjectiveInfo` lists (a test checks that
    /// every objective reports exactly those).
    pub diagnostics: Vec<(&'static str, Tensor<B, 1>)>,
}

impl<B: AutodiffBackend> Loss<B> {
    /// The diagnostic called `name`, if the loss reports it.
    pub fn diagnostic(&self, name: &str) -> Option<Tensor<B, 1>> {
        self.diagnostics.iter().find(|(n, _)| *n == name).map(|(_, t)| t.clone())
    }

    /// The diagnostics' values in the order of `names` (an `ObjectiveInfo` list). A name the loss does
    /// not report is an objective's bug, caught by `tests/training.rs`: it panics with both names.
    pub fn diagnostics_in(&self, names: &[&str], objective: &str) -> Vec<Tensor<B, 1>> {
        names
            .iter()
            .map(|name| self.diagnostic(name).unwrap_or_else(|| panic!("objective {objective} does not report its diagnostic {name}")))
            .collect()
    }
}

/// A GAN objective: how the discriminator and the generator are scored.
///
/// `d_loss` receives a fake batch already detached from the generator; `g_loss` receives one
/// that is not. Each reports the diagnostics its `ObjectiveInfo::{d,g}_diagnostics` name, by name.
pub trait Objective<B: AutodiffBackend>: Send {
    fn info(&self) -> &'static ObjectiveInfo;
    fn d_loss(&self, d: &Discriminator<B>, real: Tensor<B, 4>, fake: Fake<B>, ctx: &mut StepContext) -> Loss<B>;
    fn g_loss(&self, d: &Discriminator<B>, fake: Fake<B>, ctx: &mut StepContext) -> Loss<B>;

    /// Heads and normalisation the discriminator side needs.
    fn d_spec(&self) -> DSpec {
        DSpec::default()
    }

    /// Codes and dropout the generator needs.
    fn g_spec(&self) -> GSpec {
        GSpec::default()
    }

    /// Discriminator updates before the generator step that follows `g_step` completed ones.
    fn d_steps(&self, _g_step: usize) -> usize {
        1
    }

    fn optimizer(&self) -> OptimizerKind {
        ADAM
    }

    /// The discriminator's score of each image, `[n]`, as `ObjectiveInfo::d_score` describes it; by
    /// default `P(real) = σ(l(x))`. Evaluations call it on the discriminator in inference mode
    /// (`valid()`: BatchNorm's running statistics, no autodiff), so scoring never changes the lane.
    fn d_score(&self, d: &Discriminator<B::InnerBackend>, images: Tensor<B::InnerBackend, 4>) -> Tensor<B::InnerBackend, 1> {
        let [n, ..] = images.dims();
        activation::sigmoid(d.forward(images)).reshape([n])
    }

    /// The bound `c` every trainable discriminator parameter is clamped to, `[-c, c]`, after each of
    /// its updates (WGAN's weight clipping); the optimizer applies it (`Opt::step_clipped`).
    fn d_weight_clip(&self) -> Option<f64> {
        None
    }

    /// Whether the generator's step also updates the discriminator side's statistics network T (and
    /// nothing else of it) on `g_loss`, with the discriminator's optimizer and learning rate: MEG's
    /// schedule (Kumar et al. 2019, Algorithm 1), where T and G take one step together per iteration.
    fn g_step_trains_stats(&self) -> bool {
        false
    }
}

/// Implemented by each objective file: its static description and how to build it from values.
pub trait Registered: Sized {
    const INFO: ObjectiveInfo;
    /// `params` reads each declared parameter's value or its spec's default.
    fn from_params(params: &Params) -> Self;
}

macro_rules! registry {
    ($($ty:path),* $(,)?) => {
        /// Every objective, in the order the UI lists them.
        pub fn all() -> Vec<&'static ObjectiveInfo> {
            vec![$(&<$ty as Registered>::INFO),*]
        }

        /// Builds the objective `id` with already-validated parameters.
        pub fn build<B: AutodiffBackend>(
            id: &str,
            params: &ParamValues,
        ) -> Result<Box<dyn Objective<B>>, FieldError> {
            $(
                if id == <$ty as Registered>::INFO.id {
                    return Ok(Box::new(<$ty as Registered>::from_params(&Params::new(params, <$ty as Registered>::INFO.params))));
                }
            )*
            Err(unknown(id))
        }
    };
}

registry! {
    nonsaturating::NonSaturating,
    minimax::Minimax,
    lsgan::Lsgan,
    wgan::Wgan,
    wgan_gp::WganGp,
    ebgan::Ebgan,
    infogan::InfoGan,
    meg::Meg,
}

/// Looks up an objective's description by id.
pub fn info(id: &str) -> Result<&'static ObjectiveInfo, FieldError> {
    all().into_iter().find(|i| i.id == id).ok_or_else(|| unknown(id))
}

fn unknown(id: &str) -> FieldError {
    let ids: Vec<&str> = all().iter().map(|i| i.id).collect();
    FieldError::new(
        "objective",
        format!("unknown objective {:?}; available: {}", crate::params::shorten(id), ids.join(", ")),
    )
}
