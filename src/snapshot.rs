//! A lane's training state as one value — G, D (BatchNorm statistics included), their optimizer
//! states, the random streams, the batch order and the step — which is also its snapshot (a clone
//! shares every tensor and no mutable state, so rollback is an assignment), and what a checkpoint
//! file (GANWTS01, kind `gan-lane-checkpoint`) encodes and decodes.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{backend::AutodiffBackend, backend::Backend, Tensor, TensorData};
use serde_json::{json, Value};

use crate::data::BatchOrder;
use crate::model::{Discriminator, Generator};
use crate::opt::{Opt, ParamState};
use crate::readback::read_f32;
use crate::rng::LaneRng;
use crate::weights::Weights;

/// `kind` of a checkpoint file.
pub const CHECKPOINT_KIND: &str = "gan-lane-checkpoint";

/// Everything a training step changes. A new random stream or counter is one more field here, in
/// `encode` and in `decode`.
pub struct LaneState<B: AutodiffBackend> {
    pub g: Generator<B>,
    /// Everything on the discriminator side (MEG's statistics network included).
    pub d: Discriminator<B>,
    pub opt_g: Opt<Generator<B>, B>,
    pub opt_d: Opt<Discriminator<B>, B>,
    pub order: BatchOrder,
    /// Latent vectors and codes.
    pub noise: LaneRng,
    /// Noise the objective's losses draw (interpolation weights, label flips, instance noise...).
    pub loss_noise: LaneRng,
    /// Latent vectors and real-image picks of evaluations, never used by training.
    pub eval_rng: LaneRng,
    /// Generator steps completed.
    pub step: usize,
}

/// A copy to keep: it shares the tensors (they are never changed in place, so nothing is copied on
/// the device) but not BatchNorm's running statistics, which burn's modules share between clones.
impl<B: AutodiffBackend> Clone for LaneState<B> {
    fn clone(&self) -> Self {
        LaneState {
            g: self.g.unshared(),
            d: self.d.unshared(),
            opt_g: self.opt_g.clone(),
            opt_d: self.opt_d.clone(),
            order: self.order.clone(),
            noise: self.noise.clone(),
            loss_noise: self.loss_noise.clone(),
            eval_rng: self.eval_rng.clone(),
            step: self.step,
        }
    }
}

/// A module's float parameters (BatchNorm running statistics included) in visiting order, flattened.
fn values<B: AutodiffBackend, M: Module<B>>(module: &M) -> Vec<(Vec<usize>, Tensor<B::InnerBackend, 1>)> {
    let _ = module.clone().into_record(); // folds pending BatchNorm statistics in (a clone shares them)
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
    c.0
}

/// `module` with the host `values` (same structure, checked by the caller) on `device`; parameters
/// keep their ids (which key the optimizer state) and whether they are trained.
pub fn with_values<B: AutodiffBackend, M: Module<B>>(module: M, values: Vec<(Vec<usize>, Vec<f32>)>, device: &B::Device) -> M {
    let _ = module.clone().into_record(); // a pending statistics update would overwrite the values
    struct Put<'a, B: Backend>(std::vec::IntoIter<(Vec<usize>, Vec<f32>)>, &'a B::Device);
    impl<B: AutodiffBackend> ModuleMapper<B> for Put<'_, B> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
            let (id, old, mapper) = param.consume();
            let (shape, value) = self.0.next().expect("values of the same module");
            let dims: [usize; D] = shape.as_slice().try_into().expect("same rank");
            let t = Tensor::<B::InnerBackend, D>::from_data(TensorData::new(value, dims), self.1);
            let t = Tensor::<B, D>::from_inner(t);
            let t = if old.is_require_grad() { t.require_grad() } else { t };
            Param::from_mapped_value(id, t, mapper)
        }
    }
    module.map(&mut Put::<B>(values.into_iter(), device))
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

/// What a checkpoint stores of G, D and their optimizers, in file order: G's values, D's, then each
/// optimizer state's tensors (`parts`, flattened, still on the device, with their `shapes`), and the
/// header's `opts` entries (`[step count, tensor count]`, or null for a parameter without state).
pub struct Layout<B: AutodiffBackend> {
    pub shapes: Vec<Vec<usize>>,
    pub parts: Vec<Tensor<B::InnerBackend, 1>>,
    pub opts: Vec<Vec<Value>>,
    /// How many of the tensors are G's and D's values.
    pub g: usize,
    pub d: usize,
}

impl<B: AutodiffBackend> Layout<B> {
    /// The layout of these networks and optimizer states (image lanes and 2-D lanes alike).
    pub fn of(g: &Generator<B>, d: &Discriminator<B>, opt_g: &Opt<Generator<B>, B>, opt_d: &Opt<Discriminator<B>, B>) -> Self {
        let (g_values, d_values) = (values(g), values(d));
        let (n_g, n_d) = (g_values.len(), d_values.len());
        let (mut shapes, mut parts): (Vec<_>, Vec<_>) = g_values.into_iter().chain(d_values).unzip();
        let opts = [opt_g.export(g), opt_d.export(d)]
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
        Layout { shapes, parts, opts, g: n_g, d: n_d }
    }
}

/// `host` (the layout's parts read back and concatenated) cut into one tensor per shape.
pub fn split(host: &[f32], shapes: Vec<Vec<usize>>) -> Vec<(Vec<usize>, Vec<f32>)> {
    let mut rest = host;
    shapes
        .into_iter()
        .map(|shape| {
            let (head, tail) = rest.split_at(shape.iter().product());
            rest = tail;
            (shape, head.to_vec())
        })
        .collect()
}

impl<B: AutodiffBackend> LaneState<B> {
    /// Encodes the state with the lane's config (as validated JSON), reading every tensor back in
    /// one asynchronous transfer (safe on WebGPU in the browser). `curves` (see `check_curves`) goes
    /// into the header, and `dataset` (e.g. `"fashion"`) as `meta.dataset` (see `weights::vet`).
    /// Refuses a state holding NaN or infinity.
    pub async fn encode(&self, config: Value, curves: Option<&Value>, dataset: Option<&str>) -> Result<Vec<u8>, String> {
        Ok(self.contents(config, curves, dataset, true).await?.encode())
    }

    /// A compact checkpoint, to ship with the site: G's and D's values rounded to half precision
    /// (weights format 3, relative error at most 2^-11) and no optimizer state (every `opts` entry
    /// null, so a resumed lane's optimizers start afresh: Adam's moments from zero), `meta.compact`
    /// true. The batch order, random streams and step are kept exactly. About a sixth of `encode`'s
    /// size with Adam.
    pub async fn encode_compact(&self, config: Value, curves: Option<&Value>, dataset: Option<&str>) -> Result<Vec<u8>, String> {
        self.contents(config, curves, dataset, false).await?.encode_f16().map_err(|e| format!("checkpoint: {e}"))
    }

    /// What a checkpoint holds, with or without the optimizer states.
    async fn contents(&self, config: Value, curves: Option<&Value>, dataset: Option<&str>, with_opts: bool) -> Result<Weights, String> {
        let curves = check_curves(curves)?;
        let mut layout = Layout::of(&self.g, &self.d, &self.opt_g, &self.opt_d);
        if !with_opts {
            let kept = layout.g + layout.d;
            layout.parts.truncate(kept);
            layout.shapes.truncate(kept);
            layout.opts = layout.opts.iter().map(|entries| vec![Value::Null; entries.len()]).collect();
        }
        let host = read_f32(Tensor::cat(layout.parts, 0), "checkpoint").await?;
        let tensors = split(&host, layout.shapes);
        if let Some(i) = tensors.iter().position(|(_, v)| v.iter().any(|x| !x.is_finite())) {
            return Err(format!("checkpoint: tensor {i} holds a non-finite value"));
        }
        let mut meta = json!({
            "config": config, "step": self.step, "g": layout.g, "d": layout.d, "opts": layout.opts,
            "order": self.order.to_json(), "noise": crate::rng::to_json(&self.noise),
            "loss_noise": crate::rng::to_json(&self.loss_noise), "eval_rng": crate::rng::to_json(&self.eval_rng),
        });
        if !with_opts {
            meta["compact"] = json!(true);
        }
        if let Some(c) = curves {
            meta["curves"] = c.clone();
        }
        if let Some(name) = dataset {
            meta["dataset"] = json!(name);
        }
        Ok(Weights { kind: CHECKPOINT_KIND.into(), meta, tensors })
    }

    /// This state (a fresh one, built from the checkpoint's config) with everything the checkpoint
    /// holds: every tensor must fit the networks, the optimizer states their parameters, and the
    /// batch order a data set of `train_len` images. A checkpoint without `eval_rng` keeps this
    /// state's (the stream then starts from the seed).
    pub fn decode(self, ck: Checkpoint, train_len: usize, device: &B::Device) -> Result<Self, String> {
        let [og, od] = ck.opts;
        let nets = restore_nets(Nets { g: self.g, d: self.d, opt_g: self.opt_g, opt_d: self.opt_d }, NetValues { g: ck.g, d: ck.d, opts: vec![og, od] }, device)?;
        Ok(LaneState {
            g: nets.g,
            d: nets.d,
            opt_g: nets.opt_g,
            opt_d: nets.opt_d,
            order: BatchOrder::from_json(&ck.order, train_len)?,
            noise: crate::rng::from_json(&ck.noise)?,
            loss_noise: crate::rng::from_json(&ck.loss_noise)?,
            eval_rng: match &ck.eval_rng {
                Some(v) => crate::rng::from_json(v)?,
                None => self.eval_rng,
            },
            step: ck.step,
        })
    }
}

/// Host tensors: shape and values.
pub type HostTensors = Vec<(Vec<usize>, Vec<f32>)>;

/// What a checkpoint holds of G, D and their optimizers, read back to the host (in file order: see `Layout`).
pub struct NetValues {
    pub g: HostTensors,
    pub d: HostTensors,
    /// One list per optimizer, an entry per parameter (`None`: no state).
    pub opts: Vec<Vec<Option<ParamState<Vec<f32>>>>>,
}

impl NetValues {
    /// Cuts a checkpoint's `tensors` by its header (`meta`'s `g` and `d` counts and `opts` entries,
    /// `[step count, tensor count]` or null); `opt_lists` are the numbers of optimizer lists accepted.
    /// Every tensor must be accounted for.
    pub fn read(meta: &Value, tensors: HostTensors, opt_lists: &[usize]) -> Result<NetValues, String> {
        let count = |key: &str| meta.get(key).and_then(Value::as_u64).map(|n| n as usize).ok_or(format!("checkpoint: missing {key}"));
        let (n_g, n_d) = (count("g")?, count("d")?);
        let mut tensors = tensors.into_iter();
        let mut take = |n: usize| -> Result<HostTensors, String> {
            let v: Vec<_> = tensors.by_ref().take(n).collect();
            if v.len() == n { Ok(v) } else { Err("checkpoint: fewer tensors than announced".into()) }
        };
        let (g, d) = (take(n_g)?, take(n_d)?);
        let opt_meta = meta.get("opts").and_then(Value::as_array).filter(|a| opt_lists.contains(&a.len())).ok_or("checkpoint: missing optimizer states")?;
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
        Ok(NetValues { g, d, opts })
    }
}

/// G, D and their optimizers: the part of a lane's state that `Layout` writes and `restore_nets` reads.
pub struct Nets<B: AutodiffBackend> {
    pub g: Generator<B>,
    pub d: Discriminator<B>,
    pub opt_g: Opt<Generator<B>, B>,
    pub opt_d: Opt<Discriminator<B>, B>,
}

/// `nets` (freshly built from the checkpoint's config) with `values`: every tensor must fit the
/// networks and each optimizer state (the first two lists) its parameters.
pub fn restore_nets<B: AutodiffBackend>(nets: Nets<B>, values: NetValues, device: &B::Device) -> Result<Nets<B>, String> {
    let fits = |name: &str, want: Vec<Vec<usize>>, got: &[(Vec<usize>, Vec<f32>)]| {
        if want.iter().eq(got.iter().map(|(s, _)| s)) {
            Ok(())
        } else {
            Err(format!("checkpoint: the {name}'s tensors do not fit the network its config builds"))
        }
    };
    fits("generator", crate::weights::shapes(&nets.g), &values.g)?;
    fits("discriminator", crate::weights::shapes(&nets.d), &values.d)?;
    let g = with_values(nets.g, values.g, device);
    let d = with_values(nets.d, values.d, device);
    let mut opts = values.opts.into_iter();
    let (og, od) = (opts.next().ok_or("checkpoint: missing optimizer states")?, opts.next().ok_or("checkpoint: missing optimizer states")?);
    Ok(Nets {
        opt_g: nets.opt_g.import(&g, og, device).map_err(|e| format!("checkpoint: generator {e}"))?,
        opt_d: nets.opt_d.import(&d, od, device).map_err(|e| format!("checkpoint: discriminator {e}"))?,
        g,
        d,
    })
}

impl Checkpoint {
    /// Parses and checks the file's structure (not yet that it fits a lane: `Lane::from_checkpoint`).
    pub fn parse(bytes: &[u8]) -> Result<Checkpoint, String> {
        let w = Weights::parse(bytes).map_err(|e| e.to_string())?;
        if w.kind != CHECKPOINT_KIND {
            return Err(format!("not a lane checkpoint (kind {:?})", w.kind));
        }
        let meta = w.meta;
        let step = meta.get("step").and_then(Value::as_u64).map(|n| n as usize).ok_or("checkpoint: missing step")?;
        let NetValues { g, d, mut opts } = NetValues::read(&meta, w.tensors, &[2, 4])?;
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
