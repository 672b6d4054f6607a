//! Step statistics: which phase ran, the values it computed (absent ones are `None`), and their read-back.

use burn::tensor::{backend::AutodiffBackend, Tensor};
use serde::Serialize;

use super::read_f32;

/// What one training step updates. `D` and `G` split a generator step for teaching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Only the discriminator's updates of a generator step (the objective's `d_steps`); the
    /// generator and the generator-step counter are untouched.
    D,
    /// Only the generator's update (with MEG's statistics network, which steps together with G).
    G,
    /// Both, as `train` does.
    Both,
}

impl Phase {
    /// Parses `"d"`, `"g"` or `"both"`.
    pub fn parse(s: &str) -> Result<Phase, String> {
        match s {
            "d" => Ok(Phase::D),
            "g" => Ok(Phase::G),
            "both" => Ok(Phase::Both),
            other => Err(format!("unknown phase {:?}; expected \"d\", \"g\" or \"both\"", crate::config::shorten(other))),
        }
    }

    pub fn trains_d(self) -> bool {
        self != Phase::G
    }

    pub fn trains_g(self) -> bool {
        self != Phase::D
    }
}

/// Statistics of one training step, read back from the device.
#[derive(Debug, Clone, Serialize)]
pub struct StepStats {
    /// Generator steps completed, this one included (unchanged by a `Phase::D` step).
    pub step: usize,
    pub phase: Phase,
    /// `None` when the phase did not compute it (the generator's values in a `D` step, and so on).
    pub d_loss: Option<f32>,
    pub g_loss: Option<f32>,
    /// The objective's diagnostics, named as in its `ObjectiveInfo`; `None` where the phase did not compute them.
    pub diagnostics: Vec<(String, Option<f32>)>,
    /// False if the sum of all generator and discriminator parameters after this step's updates is
    /// NaN or infinite (a weight diverged).
    pub weights_finite: bool,
    /// False if any computed loss, diagnostic or the parameter sum is NaN or infinite. Absent values
    /// are not divergence.
    pub finite: bool,
}

impl StepStats {
    /// A diagnostic by name (`None` if unknown or not computed in this phase).
    pub fn diagnostic(&self, name: &str) -> Option<f32> {
        self.diagnostics.iter().find(|d| d.0 == name).and_then(|d| d.1)
    }
}

/// Everything a training step produced, still on the device.
pub struct PendingStats<B: AutodiffBackend> {
    pub(super) step: usize,
    pub(super) phase: Phase,
    /// The computed values in slot order (`d_loss, g_loss, diagnostics...`, absent slots skipped),
    /// then the sum of all G and D parameters.
    pub(super) values: Tensor<B::InnerBackend, 1>,
    /// Diagnostic names, in slot order after the two losses.
    pub(super) names: Vec<&'static str>,
    /// Which slots (`d_loss, g_loss, diagnostics...`) were computed.
    pub(super) present: Vec<bool>,
}

impl<B: AutodiffBackend> PendingStats<B> {
    /// Reads the values back (asynchronously; required on WebGPU in the browser).
    pub async fn read(self) -> Result<StepStats, String> {
        Ok(Self::read_many(vec![self]).await?.remove(0))
    }

    /// Reads several steps' values back in a single device transfer.
    pub async fn read_many(pending: Vec<Self>) -> Result<Vec<StepStats>, String> {
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        let all = Tensor::cat(pending.iter().map(|p| p.values.clone()).collect(), 0);
        let v = read_f32(all, "statistics").await?;
        let mut rest = v.as_slice();
        let mut out = Vec::with_capacity(pending.len());
        for p in &pending {
            let width = p.present.iter().filter(|&&b| b).count() + 1;
            let (mine, tail) = rest.split_at(width.min(rest.len()));
            rest = tail;
            if mine.len() != width {
                return Err("reading statistics: fewer values than expected".into());
            }
            let mut computed = mine[..width - 1].iter().copied();
            let slots: Vec<Option<f32>> = p.present.iter().map(|&here| if here { computed.next() } else { None }).collect();
            let sum = mine[width - 1];
            out.push(StepStats {
                step: p.step,
                phase: p.phase,
                d_loss: slots[0],
                g_loss: slots[1],
                diagnostics: p.names.iter().zip(&slots[2..]).map(|(n, x)| (n.to_string(), *x)).collect(),
                weights_finite: sum.is_finite(),
                finite: mine.iter().all(|x| x.is_finite()),
            });
        }
        Ok(out)
    }
}
