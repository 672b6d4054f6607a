//! Step statistics: which phase ran, the values it computed (absent ones are `None`), and their read-back.

#[cfg(feature = "gpu")]
use burn::backend::Wgpu;
use burn::tensor::{backend::AutodiffBackend, backend::Backend, Tensor, TensorData};
use serde::Serialize;

#[cfg(feature = "gpu")]
use crate::backend::same;
use crate::readback::read_f32;

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
    /// The one JSON shape of a step's statistics — the worker's replies, a checkpoint's curves and
    /// the CLI's `metrics.jsonl` line: `{step, phase, d_loss, g_loss, diagnostics: {name: value},
    /// weights_finite, finite}`. JSON has no NaN or infinity: non-finite values travel as null, like
    /// values the phase did not compute (`finite: false` says which of the two a value was).
    pub fn to_json(&self) -> serde_json::Value {
        let number = |v: Option<f32>| v.filter(|x| x.is_finite()).map_or(serde_json::Value::Null, |x| serde_json::json!(x));
        let diagnostics: serde_json::Map<String, serde_json::Value> = self.diagnostics.iter().map(|(k, v)| (k.clone(), number(*v))).collect();
        serde_json::json!({
            "step": self.step, "phase": self.phase, "d_loss": number(self.d_loss), "g_loss": number(self.g_loss),
            "diagnostics": diagnostics, "weights_finite": self.weights_finite, "finite": self.finite,
        })
    }

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
        // One step's values need no concatenation (a kernel per part on the GPU).
        let all = match pending.as_slice() {
            [one] => one.values.clone(),
            many => Tensor::cat(many.iter().map(|p| p.values.clone()).collect(), 0),
        };
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

/// `0, 1, …, k − 1` on the device for each width `k` a lane has packed, uploaded once.
pub(super) struct Slots<B: Backend>(Vec<Option<Tensor<B, 1>>>);

impl<B: Backend> Default for Slots<B> {
    fn default() -> Self {
        Slots(Vec::new())
    }
}

impl<B: Backend> Slots<B> {
    pub(super) fn get(&mut self, k: usize, device: &B::Device) -> Tensor<B, 1> {
        if self.0.len() <= k {
            self.0.resize(k + 1, None);
        }
        self.0[k]
            .get_or_insert_with(|| Tensor::from_data(TensorData::new((0..k).map(|i| i as f32).collect::<Vec<f32>>(), [k]), device))
            .clone()
    }
}

/// `[1]`-shaped `parts` side by side in one `[k]` tensor (`slots` from `Slots::get(k)`), exactly as
/// `Tensor::cat` would give them. `cat` costs one GPU kernel per part (a slice assignment); choosing
/// each part for its slot with `mask_where` is element-wise, which burn's fusion merges into one or
/// a few kernels. Selection, not arithmetic: a NaN in one part stays in its slot.
pub(super) fn pack<B: Backend>(parts: Vec<Tensor<B, 1>>, slots: Tensor<B, 1>) -> Tensor<B, 1> {
    let mut out = slots.zeros_like();
    for (i, part) in parts.into_iter().enumerate() {
        out = out.mask_where(slots.clone().equal_elem(i as f32), part);
    }
    out
}

/// The sum of `[1]`-shaped `parts`, as a chain of element-wise additions that burn's fusion merges
/// (one kernel for several parts) rather than `cat` (one kernel per part) followed by a reduction.
pub(super) fn total<B: Backend>(parts: Vec<Tensor<B, 1>>) -> Tensor<B, 1> {
    parts.into_iter().reduce(|sum, part| sum.add(part)).expect("at least one value")
}

/// The sum of every element of `tensors` (flattened), or of their squares when `square`, as a `[1]`
/// tensor. On the GPU backend a few kernels of our own (`sums_kernel`); elsewhere `sum_by_length`.
/// The same sum up to rounding; non-finite exactly when a plain sum is (NaN or ±∞ in any element, or
/// an overflow).
pub fn sum_all<B: Backend>(tensors: Vec<Tensor<B, 1>>, square: bool) -> Tensor<B, 1> {
    #[cfg(feature = "gpu")]
    let tensors = match same::<_, Vec<Tensor<Wgpu, 1>>>(tensors) {
        Ok(on_gpu) => return same(super::sums_kernel::sum_all(on_gpu, square)).ok().expect("the same backend"),
        Err(tensors) => tensors,
    };
    match square {
        true => sum_by_length(tensors.into_iter().map(|t| t.powi_scalar(2)).collect()),
        false => sum_by_length(tensors),
    }
}

/// The sum of every element of `tensors` (flattened), with one reduction per distinct length rather
/// than one per tensor: tensors of the same length are first added element-wise (fused), then reduced.
/// The groups are formed in first-seen order, so the result is deterministic.
fn sum_by_length<B: Backend>(tensors: Vec<Tensor<B, 1>>) -> Tensor<B, 1> {
    let mut groups: Vec<(usize, Tensor<B, 1>)> = Vec::new();
    for t in tensors {
        let n = t.dims()[0];
        match groups.iter_mut().find(|(len, _)| *len == n) {
            Some((_, sum)) => *sum = sum.clone().add(t),
            None => groups.push((n, t)),
        }
    }
    total(groups.into_iter().map(|(_, t)| t.sum()).collect())
}
