//! 2-D lane checkpoints: a GANWTS01 weights file (`weights.rs`) of kind `gan-plane-checkpoint` with
//! everything a step changes — G's and D's weights, both optimizers' state, the three random streams
//! (data, latents, loss noise), the step — plus the config (validated again on loading) and, if the
//! page gives them, its curves. Loading it and training on repeats the same steps, bit for bit on the
//! same backend. The pieces are the image lanes' (`snapshot::Layout`, `split`, `with_values`,
//! `Opt::export`/`import`, `rng::to_json`/`from_json`, `weights::vet`, `snapshot::check_curves`).
//!
//! Meta: `{"mode": "2d", "config": {...}, "step", "g": n, "d": n, "opts": [[null | [time, n], ...] ×2],
//! "data_rng", "noise", "loss_noise", "curves"?}`; tensors: G's, D's, then the optimizer states' in order.

use burn::tensor::{backend::AutodiffBackend, Tensor};
use serde_json::{json, Value};

use super::PlaneLane;
use crate::opt::ParamState;
use crate::plane::PlaneConfig;
use crate::snapshot::{self, check_curves, Layout, CHECKPOINT_KIND};
use crate::weights::{self, Refused, Weights};

/// `kind` of a 2-D lane checkpoint file.
pub const PLANE_CHECKPOINT_KIND: &str = "gan-plane-checkpoint";

type Host = Vec<(Vec<usize>, Vec<f32>)>;

fn refused(code: &'static str, message: String, detail: String) -> Refused {
    Refused { code, message, detail, file_dataset: None, page_dataset: None }
}

impl<B: AutodiffBackend> PlaneLane<B> {
    /// The lane now as checkpoint bytes, with `curves` (a JSON object, see `snapshot::check_curves`) in
    /// the header. Reads the tensors back synchronously (the 2-D mode runs on the CPU backend). Refuses a
    /// state holding NaN or infinity (a diverged lane).
    pub fn save(&self, curves: Option<&Value>) -> Result<Vec<u8>, String> {
        let curves = check_curves(curves)?;
        let layout = Layout::of(&self.g, &self.d, &self.opt_g, &self.opt_d);
        let values = super::read(Tensor::cat(layout.parts, 0));
        if values.iter().any(|v| !v.is_finite()) {
            return Err("this lane's weights are not finite numbers (it diverged), so it cannot be saved".into());
        }
        let tensors = snapshot::split(&values, layout.shapes);
        let config: Value = serde_json::from_str(&self.config.to_json()).expect("the config is JSON");
        let mut meta = json!({
            "mode": "2d", "config": config, "step": self.g_steps, "g": layout.g, "d": layout.d, "opts": layout.opts,
            "data_rng": crate::rng::to_json(&self.data_rng), "noise": crate::rng::to_json(&self.noise),
            "loss_noise": crate::rng::to_json(&self.loss_noise),
        });
        if let Some(c) = curves {
            meta["curves"] = c.clone();
        }
        Ok(Weights { kind: PLANE_CHECKPOINT_KIND.into(), meta, tensors }.encode())
    }

    /// Rebuilds a lane from `save`'s bytes on `device`: the file is checked (structure, checksum, kind),
    /// its config validated again, every tensor and optimizer state must fit the networks that config
    /// builds. Returns the lane and the curves the file carries. Refusals say why in plain words
    /// (`Refused::message`) with a stable `code`: `not-a-checkpoint`, `too-large`, `damaged`,
    /// `other-version`, `image-checkpoint` (an image-mode lane's file) or `incompatible`.
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
        let count = |key: &str| meta.get(key).and_then(Value::as_u64).map(|n| n as usize).ok_or_else(|| unfit(format!("checkpoint: missing {key}")));
        let (step, n_g, n_d) = (count("step")?, count("g")?, count("d")?);
        let mut tensors = w.tensors.into_iter();
        let mut take = |n: usize| -> Result<Host, Refused> {
            let v: Host = tensors.by_ref().take(n).collect();
            if v.len() == n { Ok(v) } else { Err(unfit("checkpoint: fewer tensors than announced".into())) }
        };
        let (g, d) = (take(n_g)?, take(n_d)?);
        let opt_meta = meta.get("opts").and_then(Value::as_array).filter(|a| a.len() == 2).ok_or_else(|| unfit("checkpoint: missing optimizer states".into()))?;
        let mut opts: Vec<Vec<Option<ParamState<Vec<f32>>>>> = Vec::new();
        for entries in opt_meta {
            let mut slot = Vec::new();
            for e in entries.as_array().ok_or_else(|| unfit("checkpoint: bad optimizer state".into()))? {
                slot.push(match e {
                    Value::Null => None,
                    v => {
                        let pair = v.as_array().filter(|a| a.len() == 2).and_then(|a| Some((a[0].as_u64()?, a[1].as_u64()?)));
                        let (time, n) = pair.filter(|&(_, n)| n <= 4).ok_or_else(|| unfit("checkpoint: bad optimizer state entry".into()))?;
                        Some(ParamState { time: time as usize, tensors: take(n as usize)? })
                    }
                });
            }
            opts.push(slot);
        }
        if tensors.next().is_some() {
            return Err(unfit("checkpoint: more tensors than announced".into()));
        }
        let rng = |key: &str| {
            let v = meta.get(key).ok_or_else(|| unfit(format!("checkpoint: missing {key}")))?;
            crate::rng::from_json(v).map_err(|e| unfit(format!("checkpoint {key}: {e}")))
        };
        let (data_rng, noise, loss_noise) = (rng("data_rng")?, rng("noise")?, rng("loss_noise")?);
        let curves = check_curves(meta.get("curves")).map_err(unfit)?.cloned();

        let mut lane = PlaneLane::new(config, device).map_err(unfit)?;
        let fits = |name: &str, want: Vec<Vec<usize>>, got: &Host| {
            if want.iter().eq(got.iter().map(|(s, _)| s)) {
                Ok(())
            } else {
                Err(unfit(format!("checkpoint: the {name}'s tensors do not fit the network its config builds")))
            }
        };
        fits("generator", weights::shapes(&lane.g), &g)?;
        fits("discriminator", weights::shapes(&lane.d), &d)?;
        lane.g = snapshot::with_values(lane.g, g, device);
        lane.d = snapshot::with_values(lane.d, d, device);
        let od = opts.pop().expect("two optimizer states");
        let og = opts.pop().expect("two optimizer states");
        lane.opt_g = lane.opt_g.import(&lane.g, og, device).map_err(|e| unfit(format!("checkpoint: generator {e}")))?;
        lane.opt_d = lane.opt_d.import(&lane.d, od, device).map_err(|e| unfit(format!("checkpoint: discriminator {e}")))?;
        lane.data_rng = data_rng;
        lane.noise = noise;
        lane.loss_noise = loss_noise;
        lane.g_steps = step;
        Ok((lane, curves))
    }
}
