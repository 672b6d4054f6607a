//! A 2-D lane's training state as one value — G, D, both optimizer states, the three random streams
//! (data, latents, loss noise) and the step — which is also its snapshot (a clone shares every tensor
//! and no mutable state, so rollback is an assignment) and what a `.gan2d` checkpoint encodes and
//! decodes. The image lanes' `LaneState` (`snapshot.rs`) differs in its data stream (a batch order of
//! images and an evaluation stream); the networks' part is the same code (`snapshot::Layout`, `split`,
//! `NetValues`, `restore_nets`).
//!
//! Checkpoint meta: `{"mode": "2d", "config": {...}, "step", "g": n, "d": n, "opts": [[null | [time,
//! n], ...] ×2], "data_rng", "noise", "loss_noise", "curves"?}`; tensors: G's, D's, then the optimizer
//! states' in order.

use burn::tensor::{backend::AutodiffBackend, Tensor};
use serde_json::{json, Value};

use crate::model::{Discriminator, Generator};
use crate::opt::Opt;
use crate::rng::LaneRng;
use crate::snapshot::{self, check_curves, HostTensors, Layout, NetValues, Nets};
use crate::weights::Weights;

/// Everything a 2-D training step changes. A new random stream or counter is one more field here,
/// in `Clone`, `encode` and `decode`.
pub struct PlaneState<B: AutodiffBackend> {
    pub g: Generator<B>,
    pub d: Discriminator<B>,
    pub opt_g: Opt<Generator<B>, B>,
    pub opt_d: Opt<Discriminator<B>, B>,
    /// Real points: each batch is sampled afresh from the data set.
    pub data_rng: LaneRng,
    /// Latent vectors and codes.
    pub noise: LaneRng,
    /// Noise the objective's losses draw.
    pub loss_noise: LaneRng,
    /// Generator steps completed.
    pub step: usize,
}

/// A copy to keep: it shares the tensors (never changed in place). The 2-D MLPs have no BatchNorm,
/// whose running statistics burn's modules would share between clones; `unshared` copies them anyway,
/// so the snapshot stays a snapshot if a network ever gets one.
impl<B: AutodiffBackend> Clone for PlaneState<B> {
    fn clone(&self) -> Self {
        PlaneState {
            g: self.g.unshared(),
            d: self.d.unshared(),
            opt_g: self.opt_g.clone(),
            opt_d: self.opt_d.clone(),
            data_rng: self.data_rng.clone(),
            noise: self.noise.clone(),
            loss_noise: self.loss_noise.clone(),
            step: self.step,
        }
    }
}

impl<B: AutodiffBackend> PlaneState<B> {
    /// The state as checkpoint bytes (kind `gan-plane-checkpoint`) with `config` (validated JSON) and
    /// `curves` (see `snapshot::check_curves`) in the header. Reads the tensors back synchronously
    /// (the 2-D mode runs on the CPU backend). Refuses a state holding NaN or infinity.
    pub fn encode(&self, config: Value, curves: Option<&Value>) -> Result<Vec<u8>, String> {
        let curves = check_curves(curves)?;
        let layout = Layout::of(&self.g, &self.d, &self.opt_g, &self.opt_d);
        let values = super::read(Tensor::cat(layout.parts, 0));
        if values.iter().any(|v| !v.is_finite()) {
            return Err("this lane's weights are not finite numbers (it diverged), so it cannot be saved".into());
        }
        let tensors = snapshot::split(&values, layout.shapes);
        let mut meta = json!({
            "mode": "2d", "config": config, "step": self.step, "g": layout.g, "d": layout.d, "opts": layout.opts,
            "data_rng": crate::rng::to_json(&self.data_rng), "noise": crate::rng::to_json(&self.noise),
            "loss_noise": crate::rng::to_json(&self.loss_noise),
        });
        if let Some(c) = curves {
            meta["curves"] = c.clone();
        }
        Ok(Weights { kind: super::PLANE_CHECKPOINT_KIND.into(), meta, tensors }.encode())
    }

    /// This state (a fresh one, built from the checkpoint's config) with everything a checkpoint's
    /// header (`meta`) and `tensors` hold: every tensor must fit the networks, each optimizer state
    /// its parameters, and the random streams must be streams.
    pub fn decode(self, meta: &Value, tensors: HostTensors, device: &B::Device) -> Result<Self, String> {
        let step = meta.get("step").and_then(Value::as_u64).map(|n| n as usize).ok_or("checkpoint: missing step")?;
        let values = NetValues::read(meta, tensors, &[2])?;
        let rng = |key: &str| {
            let v = meta.get(key).ok_or_else(|| format!("checkpoint: missing {key}"))?;
            crate::rng::from_json(v).map_err(|e| format!("checkpoint {key}: {e}"))
        };
        let (data_rng, noise, loss_noise) = (rng("data_rng")?, rng("noise")?, rng("loss_noise")?);
        let nets = snapshot::restore_nets(Nets { g: self.g, d: self.d, opt_g: self.opt_g, opt_d: self.opt_d }, values, device)?;
        Ok(PlaneState { g: nets.g, d: nets.d, opt_g: nets.opt_g, opt_d: nets.opt_d, data_rng, noise, loss_noise, step })
    }
}
