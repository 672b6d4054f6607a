//! Lane snapshots: everything a generator step changes (weights, BatchNorm statistics, optimizer
//! state, random streams, batch order, step), kept on the device for rollback, and as bytes — a
//! GANWTS01 file of kind `gan-lane-checkpoint` — that outlive a worker or a lost GPU device.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{backend::AutodiffBackend, backend::Backend, Tensor, TensorData};
use serde_json::{json, Value};

use crate::data::BatchOrder;
use crate::model::{Discriminator, Generator};
use crate::opt::{Opt, ParamState};
use crate::rng::LaneRng;
use crate::weights::Weights;

/// Generator steps between snapshots unless the lane is told otherwise.
pub const DEFAULT_SNAPSHOT_EVERY: usize = 200;
/// `kind` of a checkpoint file.
pub const CHECKPOINT_KIND: &str = "gan-lane-checkpoint";

/// A module's float parameters (BatchNorm running statistics included) in visiting order,
/// flattened, on the device. Tensors are never changed in place, so these stay as captured.
pub struct Values<B: Backend>(pub Vec<(Vec<usize>, Tensor<B, 1>)>);

/// Captures `module`'s current values (folding in pending BatchNorm statistics first).
pub fn capture<B: AutodiffBackend, M: Module<B>>(module: &M) -> Values<B::InnerBackend> {
    let _ = module.clone().into_record(); // syncs running states (a clone shares them)
    struct Collect<B: AutodiffBackend>(Vec<(Vec<usize>, Tensor<B::InnerBackend, 1>)>);
    impl<B: AutodiffBackend> ModuleVisitor<B> for Collect<B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let t = param.val().inner();
            let dims = t.dims().to_vec();
            let n = dims.iter().product::<usize>();
            self.0.push((dims, t.reshape([n])));
        }
    }
    let mut c = Collect::<B>(Vec::new());
    module.visit(&mut c);
    Values(c.0)
}

/// Puts `values` (same module structure) back into `module`; parameters keep their ids (so the
/// optimizer state still matches) and whether they are trained.
pub fn restore<B: AutodiffBackend, M: Module<B>>(module: M, values: &Values<B::InnerBackend>) -> M {
    let _ = module.clone().into_record(); // a pending running-state update would overwrite the restored one
    struct Put<'a, B: Backend>(std::slice::Iter<'a, (Vec<usize>, Tensor<B, 1>)>);
    impl<B: AutodiffBackend> ModuleMapper<B> for Put<'_, B::InnerBackend> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
            let (id, old, mapper) = param.consume();
            let (shape, value) = self.0.next().expect("snapshot of the same module");
            let dims: [usize; D] = shape.as_slice().try_into().expect("same rank");
            let t = Tensor::<B, D>::from_inner(value.clone().reshape(dims));
            let t = if old.is_require_grad() { t.require_grad() } else { t };
            Param::from_mapped_value(id, t, mapper)
        }
    }
    module.map(&mut Put::<B::InnerBackend>(values.0.iter()))
}

/// Host values (from a checkpoint) on the device.
pub fn upload<B: Backend>(host: Vec<(Vec<usize>, Vec<f32>)>, device: &B::Device) -> Values<B> {
    Values(host.into_iter().map(|(shape, v)| {
        let n = v.len();
        (shape, Tensor::from_data(TensorData::new(v, [n]), device))
    }).collect())
}

/// A lane's complete training state at one step.
pub struct Snapshot<B: AutodiffBackend> {
    pub step: usize,
    pub g: Values<B::InnerBackend>,
    pub d: Values<B::InnerBackend>,
    pub opt_g: Opt<Generator<B>, B>,
    pub opt_d: Opt<Discriminator<B>, B>,
    pub order: BatchOrder,
    pub noise: LaneRng,
    pub loss_noise: LaneRng,
    pub eval_rng: LaneRng,
}

/// Largest `curves` entry accepted in a checkpoint, as JSON text (8 MB).
pub const MAX_CURVES_BYTES: usize = 8 << 20;

/// A checkpoint read back from bytes: host values, not yet tied to a lane.
pub struct Checkpoint {
    pub config: Value,
    pub step: usize,
    pub g: Vec<(Vec<usize>, Vec<f32>)>,
    pub d: Vec<(Vec<usize>, Vec<f32>)>,
    /// States of `opt_g` and `opt_d`. Files written while InfoGAN had optimizers of its own for the
    /// information loss carry two more; they are read and dropped.
    pub opts: [Vec<Option<ParamState<Vec<f32>>>>; 2],
    pub order: Value,
    pub noise: Value,
    pub loss_noise: Value,
    /// Absent in checkpoints written before evaluations had a stream of their own.
    pub eval_rng: Option<Value>,
    /// The page's curves (`{"version": 1, "stats": [...], "quality": [...]}`), if saved with them.
    pub curves: Option<Value>,
}

/// Checks a `curves` entry: a JSON object of at most `MAX_CURVES_BYTES` of text (null counts as none).
pub fn check_curves(curves: Option<&Value>) -> Result<Option<&Value>, String> {
    match curves {
        None | Some(Value::Null) => Ok(None),
        Some(c @ Value::Object(_)) => {
            let len = c.to_string().len();
            if len > MAX_CURVES_BYTES {
                return Err(format!("checkpoint: curves are {len} bytes of JSON; at most {MAX_CURVES_BYTES} accepted"));
            }
            Ok(Some(c))
        }
        Some(_) => Err("checkpoint: curves must be a JSON object like {\"version\": 1, \"stats\": [...]}".into()),
    }
}

impl<B: AutodiffBackend> Snapshot<B> {
    /// Encodes the snapshot with the lane's config (as validated JSON), reading every tensor back in
    /// one asynchronous transfer (safe on WebGPU in the browser). `g`, `d`: the lane's live modules,
    /// whose parameter ids key the optimizer state. `curves` (see `check_curves`) goes into the header.
    /// Refuses a state holding NaN or infinity.
    pub async fn encode(&self, config: Value, curves: Option<&Value>, g: &Generator<B>, d: &Discriminator<B>) -> Result<Vec<u8>, String> {
        self.encode_for(config, curves, None, g, d).await
    }

    /// `encode`, also recording the data set the lane trains on (`dataset`, e.g. `"fashion"`, as
    /// `meta.dataset`; see `weights::vet`).
    pub async fn encode_for(&self, config: Value, curves: Option<&Value>, dataset: Option<&str>, g: &Generator<B>, d: &Discriminator<B>) -> Result<Vec<u8>, String> {
        let curves = check_curves(curves)?;
        let opts = [self.opt_g.export(g), self.opt_d.export(d)];
        let mut shapes = Vec::new();
        let mut parts = Vec::new();
        for (shape, t) in self.g.0.iter().chain(&self.d.0) {
            shapes.push(shape.clone());
            parts.push(t.clone());
        }
        let opt_meta: Vec<Vec<Value>> = opts
            .into_iter()
            .map(|states| {
                states
                    .into_iter()
                    .map(|s| match s {
                        None => Value::Null,
                        Some(s) => {
                            let n = s.tensors.len();
                            for (shape, t) in s.tensors {
                                shapes.push(shape);
                                parts.push(t);
                            }
                            json!([s.time, n])
                        }
                    })
                    .collect()
            })
            .collect();
        let values = crate::lane::read_f32(Tensor::cat(parts, 0), "checkpoint").await?;
        let mut rest = values.as_slice();
        let tensors = shapes
            .into_iter()
            .map(|shape| {
                let (head, tail) = rest.split_at(shape.iter().product());
                rest = tail;
                (shape, head.to_vec())
            })
            .collect::<Vec<_>>();
        if let Some(i) = tensors.iter().position(|(_, v)| v.iter().any(|x| !x.is_finite())) {
            return Err(format!("checkpoint: tensor {i} holds a non-finite value"));
        }
        let mut meta = json!({
            "config": config, "step": self.step, "g": self.g.0.len(), "d": self.d.0.len(), "opts": opt_meta,
            "order": self.order.to_json(), "noise": crate::rng::to_json(&self.noise),
            "loss_noise": crate::rng::to_json(&self.loss_noise), "eval_rng": crate::rng::to_json(&self.eval_rng),
        });
        if let Some(c) = curves {
            meta["curves"] = c.clone();
        }
        if let Some(name) = dataset {
            meta["dataset"] = json!(name);
        }
        Ok(Weights { kind: CHECKPOINT_KIND.into(), meta, tensors }.encode())
    }
}

impl Checkpoint {
    /// Parses and checks the file's structure (not yet that it fits a lane: `Lane::from_checkpoint`).
    pub fn parse(bytes: &[u8]) -> Result<Checkpoint, String> {
        let w = Weights::parse(bytes).map_err(|e| e.to_string())?;
        if w.kind != CHECKPOINT_KIND {
            return Err(format!("not a lane checkpoint (kind {:?})", w.kind));
        }
        let meta = w.meta;
        let count = |key: &str| meta.get(key).and_then(Value::as_u64).map(|n| n as usize).ok_or(format!("checkpoint: missing {key}"));
        let (step, n_g, n_d) = (count("step")?, count("g")?, count("d")?);
        let mut tensors = w.tensors.into_iter();
        let mut take = |n: usize| -> Result<Vec<(Vec<usize>, Vec<f32>)>, String> {
            let v: Vec<_> = tensors.by_ref().take(n).collect();
            if v.len() == n { Ok(v) } else { Err("checkpoint: fewer tensors than announced".into()) }
        };
        let (g, d) = (take(n_g)?, take(n_d)?);
        let opt_meta = meta.get("opts").and_then(Value::as_array).filter(|a| a.len() == 2 || a.len() == 4).ok_or("checkpoint: missing optimizer states")?;
        let mut opts: Vec<Vec<Option<ParamState<Vec<f32>>>>> = opt_meta.iter().map(|_| Vec::new()).collect();
        for (slot, entries) in opts.iter_mut().zip(opt_meta) {
            for e in entries.as_array().ok_or("checkpoint: bad optimizer state")? {
                slot.push(match e {
                    Value::Null => None,
                    v => {
                        // `[step count, tensors]`; the lane's optimizer checks the count and shapes.
                        let pair = v.as_array().filter(|a| a.len() == 2).and_then(|a| Some((a[0].as_u64()?, a[1].as_u64()?)));
                        let (time, n) = pair.filter(|&(_, n)| n <= 4).ok_or("checkpoint: bad optimizer state entry")?;
                        Some(ParamState { time: time as usize, tensors: take(n as usize)? })
                    }
                });
            }
        }
        if tensors.next().is_some() {
            return Err("checkpoint: more tensors than announced".into());
        }
        opts.truncate(2);
        let opts: [_; 2] = opts.try_into().map_err(|_| "checkpoint: missing optimizer states")?;
        let field = |key: &str| meta.get(key).cloned().ok_or(format!("checkpoint: missing {key}"));
        Ok(Checkpoint {
            config: field("config")?,
            step,
            g,
            d,
            opts,
            order: field("order")?,
            noise: field("noise")?,
            loss_noise: field("loss_noise")?,
            eval_rng: meta.get("eval_rng").cloned(),
            curves: check_curves(meta.get("curves"))?.cloned(),
        })
    }
}
