//! 2-D lane checkpoints: a GANWTS01 weights file (`weights.rs`) of kind `gan-plane-checkpoint` holding
//! the lane's `PlaneState` (`state.rs`: weights, optimizer states, random streams, step) plus its
//! config (validated again on loading) and, if the page gives them, its curves. Loading it and
//! training on repeats the same steps, bit for bit on the same backend. Refusals in plain words come
//! from the image lanes' pieces (`weights::vet`, `snapshot::check_curves`).

use burn::tensor::backend::AutodiffBackend;
use serde_json::Value;

use super::PlaneLane;
use crate::plane::PlaneConfig;
use crate::snapshot::{check_curves, CHECKPOINT_KIND};
use crate::weights::{self, Refused, Weights};

/// `kind` of a 2-D lane checkpoint file.
pub const PLANE_CHECKPOINT_KIND: &str = "gan-plane-checkpoint";

fn refused(code: &'static str, message: String, detail: String) -> Refused {
    Refused { code, message, detail, file_dataset: None, page_dataset: None }
}

impl<B: AutodiffBackend> PlaneLane<B> {
    /// The lane now (the last healthy snapshot instead while it is diverged) as checkpoint bytes, with
    /// `curves` (a JSON object, see `snapshot::check_curves`) in the header.
    pub fn save(&self, curves: Option<&Value>) -> Result<Vec<u8>, String> {
        self.saved_state().encode(self.config_value(), curves)
    }

    /// The last healthy snapshot as checkpoint bytes, without curves.
    pub fn checkpoint(&self) -> Result<Vec<u8>, String> {
        self.recovery.snapshot().encode(self.config_value(), None)
    }

    fn config_value(&self) -> Value {
        serde_json::from_str(&self.config.to_json()).expect("the config is JSON")
    }

    /// Rebuilds a lane from `save`'s bytes on `device`: the file is checked (structure, checksum, kind),
    /// its config validated again, every tensor and optimizer state must fit the networks that config
    /// builds. The restored state is the lane's first snapshot. Returns the lane and the curves the
    /// file carries. Refusals say why in plain words (`Refused::message`) with a stable `code`:
    /// `not-a-checkpoint`, `too-large`, `damaged`, `other-version`, `image-checkpoint` (an image-mode
    /// lane's file) or `incompatible`.
    pub fn from_checkpoint(bytes: &[u8], device: &B::Device) -> Result<(Self, Option<Value>), Refused> {
        let summary = weights::inspect(bytes).map_err(|e| Refused::from_weights(&e))?;
        if summary.kind == CHECKPOINT_KIND {
            return Err(refused(
                "image-checkpoint",
                "this is a checkpoint of an image-mode lane (MNIST or Fashion-MNIST): load it in the image mode, not in the 2-D mode".into(),
                format!("kind: file holds {CHECKPOINT_KIND:?}, expected {PLANE_CHECKPOINT_KIND:?}"),
            ));
        }
        let summary = weights::vet(bytes, PLANE_CHECKPOINT_KIND, None)?;
        let w = Weights::parse(bytes).map_err(|e| Refused::from_weights(&e))?;
        debug_assert_eq!(summary.tensors, w.tensors.len());
        // Unlike `Refused::incompatible`, the whole reason (our own words, user values already shortened).
        let unfit = |detail: String| refused("incompatible", format!("this checkpoint does not fit the 2-D mode ({detail})"), detail);
        let meta = w.meta;
        let config = meta.get("config").ok_or_else(|| unfit("checkpoint: missing config".into()))?;
        let config = PlaneConfig::from_json(&config.to_string()).map_err(|errs| {
            unfit(format!("checkpoint config: {}", crate::params::describe(&errs, "; ")))
        })?;
        let curves = check_curves(meta.get("curves")).map_err(unfit)?.cloned();
        let mut lane = PlaneLane::new(config, device).map_err(unfit)?;
        lane.state = lane.state.clone().decode(&meta, w.tensors, device).map_err(unfit)?;
        lane.recovery.keep(lane.state.clone());
        Ok((lane, curves))
    }
}
