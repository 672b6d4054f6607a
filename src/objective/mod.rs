//! GAN objectives: the `Objective` trait, shared loss maths, and the registry of every objective by id.

use burn::tensor::{backend::AutodiffBackend, Tensor};

use crate::config::{FieldError, ParamValues};
use crate::model::Discriminator;

pub mod losses;
mod lsgan;
mod minimax;
mod nonsaturating;
mod wgan;

pub use lsgan::half_mse;
pub use wgan::clip_fraction;

/// One tunable hyper-parameter of an objective, as the UI and the validator see it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ParamSpec {
    /// Identifier used in configs and URLs (e.g. `label_smoothing`).
    pub key: &'static str,
    /// Human label for the control.
    pub label: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    /// `true` for a 0/1 toggle.
    pub toggle: bool,
    /// One sentence of help.
    pub help: &'static str,
}

/// What the registry knows about an objective without building it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ObjectiveInfo {
    pub id: &'static str,
    pub name: &'static str,
    /// Loss formulas in one line each.
    pub summary: &'static str,
    pub params: &'static [ParamSpec],
    /// Names of the diagnostics `d_loss` reports, in order.
    pub d_diagnostics: &'static [&'static str],
    /// Names of the diagnostics `g_loss` reports, in order.
    pub g_diagnostics: &'static [&'static str],
    /// Learning rate used for both nets unless the config sets one.
    pub lr_default: f64,
}

/// Which optimizer trains both nets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerKind {
    /// Adam with β = (0.5, 0.999).
    Adam,
    /// RMSprop without momentum (α = 0.99).
    RmsProp,
}

/// Where training is when a loss is computed.
#[derive(Debug, Clone, Copy)]
pub struct StepContext {
    /// Number of generator steps completed before this one.
    pub g_step: usize,
}

/// A loss to minimise plus named scalar diagnostics (all still on the device, read back later).
pub struct Loss<B: AutodiffBackend> {
    pub value: Tensor<B, 1>,
    pub diagnostics: Vec<Tensor<B, 1>>,
}

/// A GAN objective: how the discriminator and the generator are scored.
///
/// `d_loss` receives a fake batch already detached from the generator; `g_loss` receives one
/// that is not. Diagnostics come in the order of `ObjectiveInfo::{d,g}_diagnostics`.
pub trait Objective<B: AutodiffBackend>: Send {
    fn info(&self) -> &'static ObjectiveInfo;
    fn d_loss(
        &self,
        d: &Discriminator<B>,
        real: Tensor<B, 4>,
        fake: Tensor<B, 4>,
        ctx: StepContext,
    ) -> Loss<B>;
    fn g_loss(&self, d: &Discriminator<B>, fake: Tensor<B, 4>, ctx: StepContext) -> Loss<B>;

    /// Discriminator updates before the generator step that follows `g_step` completed ones.
    fn d_steps(&self, _g_step: usize) -> usize {
        1
    }

    fn optimizer(&self) -> OptimizerKind {
        OptimizerKind::Adam
    }

    /// Applied to the discriminator after each of its updates (e.g. weight clipping).
    fn after_d_step(&self, d: Discriminator<B>) -> Discriminator<B> {
        d
    }
}

/// Implemented by each objective file: its static description and how to build it from values.
pub trait Registered: Sized {
    const INFO: ObjectiveInfo;
    fn from_params(params: &ParamValues) -> Self;
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
                    return Ok(Box::new(<$ty as Registered>::from_params(params)));
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
}

/// Looks up an objective's description by id.
pub fn info(id: &str) -> Result<&'static ObjectiveInfo, FieldError> {
    all().into_iter().find(|i| i.id == id).ok_or_else(|| unknown(id))
}

fn unknown(id: &str) -> FieldError {
    let ids: Vec<&str> = all().iter().map(|i| i.id).collect();
    FieldError::new(
        "objective",
        format!("unknown objective {:?}; available: {}", crate::config::shorten(id), ids.join(", ")),
    )
}
