//! A lane's optimizers (Adam or RMSprop, as the objective asks) and their per-parameter state as
//! plain tensors in the module's visiting order, so a checkpoint can carry it to another lane.

use burn::module::{AutodiffModule, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::record::AdaptorRecord;
use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, CenteredState, GradientsParams, Optimizer, RmsProp, RmsPropConfig,
    RmsPropState, SimpleOptimizer, SquareAvgState,
};
use burn::tensor::{backend::AutodiffBackend, backend::Backend, Tensor, TensorData};

use crate::objective::OptimizerKind;

mod fused;
#[cfg(feature = "gpu")]
mod kernels;
#[cfg(feature = "gpu")]
mod launch;

use fused::{Fused, Rule};

/// ε of Adam and RMSprop, as in the papers and PyTorch (burn's default is 1e-5). A clipped WGAN
/// critic's first-layer gradients are 4e-5 … 1e-4: with ε = 1e-5, RMSprop's first step on them
/// (√avg = 0.1·|g|) would be cut by 50–70 % and its steady-state step (√avg ≈ |g|) by 9–20 %.
pub const EPSILON: f32 = 1e-8;
/// RMSprop's smoothing constant α (PyTorch's default, as in the WGAN reference code).
const ALPHA: f32 = 0.99;

/// Clamps every trainable float parameter to [-c, c], keeping it a trainable leaf (BatchNorm's running
/// statistics are visited too but are not weights).
struct Clamp {
    c: f64,
}

impl<B: AutodiffBackend> ModuleMapper<B> for Clamp {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let (id, tensor, mapper) = param.consume();
        if !tensor.is_require_grad() {
            return Param::from_mapped_value(id, tensor, mapper);
        }
        let clamped = tensor.clamp(-self.c, self.c).detach().require_grad();
        Param::from_mapped_value(id, clamped, mapper)
    }
}

/// One parameter's optimizer state: a step count and flattened tensors with their shapes.
pub struct ParamState<T> {
    pub time: usize,
    pub tensors: Vec<(Vec<usize>, T)>,
}

/// The optimizer an objective asked for, for one network. Cloning shares no mutable state: the
/// clone is a snapshot (its tensors are never modified in place).
pub enum Opt<M: AutodiffModule<B>, B: AutodiffBackend> {
    /// burn's Adam, with what its fused GPU step (`fused.rs`) keeps between steps.
    Adam(OptimizerAdaptor<Adam, M, B>, Fused),
    /// burn's RMSprop, likewise.
    RmsProp(OptimizerAdaptor<RmsProp, M, B>, Fused),
}

impl<M: AutodiffModule<B>, B: AutodiffBackend> Clone for Opt<M, B> {
    fn clone(&self) -> Self {
        match self {
            Opt::Adam(o, f) => Opt::Adam(o.clone(), f.clone()),
            Opt::RmsProp(o, f) => Opt::RmsProp(o.clone(), f.clone()),
        }
    }
}

impl<M: AutodiffModule<B>, B: AutodiffBackend> Opt<M, B> {
    pub fn new(kind: OptimizerKind) -> Self {
        match kind {
            OptimizerKind::Adam { beta_1, beta_2 } => {
                let adam = AdamConfig::new().with_beta_1(beta_1).with_beta_2(beta_2).with_epsilon(EPSILON).init();
                Opt::Adam(adam, Fused::new(Rule::Adam { beta_1, beta_2 }))
            }
            // Not centred and without momentum: `StateCodec for RmsProp` relies on it.
            OptimizerKind::RmsProp => {
                let rms = RmsPropConfig::new().with_alpha(ALPHA).with_momentum(0.0).with_epsilon(EPSILON).init();
                Opt::RmsProp(rms, Fused::new(Rule::RmsProp { alpha: ALPHA }))
            }
        }
    }

    pub fn step(&mut self, lr: f64, module: M, grads: GradientsParams) -> M {
        self.step_clipped(lr, module, grads, None)
    }

    /// `step`, then every trainable parameter clamped to `[-c, c]` with `clip = Some(c)` (WGAN's weight
    /// clipping). On the GPU backend one kernel updates (and clamps) the whole network; elsewhere
    /// burn's step, then the clamp.
    pub fn step_clipped(&mut self, lr: f64, module: M, grads: GradientsParams, clip: Option<f64>) -> M {
        #[cfg(feature = "gpu")]
        let (module, grads) = {
            let fused = match self {
                Opt::Adam(o, f) => fused::step(o, f, lr, module, grads, clip),
                Opt::RmsProp(o, f) => fused::step(o, f, lr, module, grads, clip),
            };
            match fused {
                Ok(module) => return module,
                Err(operands) => operands,
            }
        };
        let module = match self {
            Opt::Adam(o, _) => o.step(lr, module, grads),
            Opt::RmsProp(o, _) => o.step(lr, module, grads),
        };
        match clip {
            Some(c) => module.map(&mut Clamp { c }),
            None => module,
        }
    }

    /// The state of every float parameter of `module`, in visiting order (`None`: no state yet, e.g.
    /// BatchNorm statistics or a head that has had no gradient). Still on the device.
    pub fn export(&self, module: &M) -> Vec<Option<ParamState<Tensor<B::InnerBackend, 1>>>> {
        match self {
            Opt::Adam(o, _) => export::<Adam, M, B>(o, module),
            Opt::RmsProp(o, _) => export::<RmsProp, M, B>(o, module),
        }
    }

    /// Replaces the state with `states` (from `export`, read back to the host), matched to `module`'s
    /// parameters in visiting order. Counts and shapes are checked.
    pub fn import(self, module: &M, states: Vec<Option<ParamState<Vec<f32>>>>, device: &B::Device) -> Result<Self, String> {
        Ok(match self {
            Opt::Adam(o, f) => Opt::Adam(import::<Adam, M, B>(o, module, states, device)?, f.reset()),
            Opt::RmsProp(o, f) => Opt::RmsProp(import::<RmsProp, M, B>(o, module, states, device)?, f.reset()),
        })
    }
}

/// Converts an optimizer's per-parameter state to and from plain tensors.
pub trait StateCodec<B: Backend>: SimpleOptimizer<B> {
    /// Number of tensors in one parameter's state.
    const TENSORS: usize;
    fn encode<const D: usize>(state: Self::State<D>) -> (usize, Vec<Tensor<B, D>>);
    fn decode<const D: usize>(time: usize, tensors: Vec<Tensor<B, D>>) -> Self::State<D>;
}

impl<B: Backend> StateCodec<B> for Adam {
    const TENSORS: usize = 2;
    fn encode<const D: usize>(state: AdamState<B, D>) -> (usize, Vec<Tensor<B, D>>) {
        let m = state.momentum;
        (m.time, vec![m.moment_1, m.moment_2])
    }
    fn decode<const D: usize>(time: usize, mut t: Vec<Tensor<B, D>>) -> AdamState<B, D> {
        let moment_2 = t.pop().expect("two tensors");
        let moment_1 = t.pop().expect("two tensors");
        AdamState::new(AdaptiveMomentumState::new(time, moment_1, moment_2))
    }
}

impl<B: Backend> StateCodec<B> for RmsProp {
    const TENSORS: usize = 1;
    fn encode<const D: usize>(state: RmsPropState<B, D>) -> (usize, Vec<Tensor<B, D>>) {
        (0, vec![state.square_avg.square_avg])
    }
    fn decode<const D: usize>(_: usize, mut t: Vec<Tensor<B, D>>) -> RmsPropState<B, D> {
        // Not centred, no momentum: the average used is the squared average itself.
        let square_avg = t.pop().expect("one tensor");
        RmsPropState::new(SquareAvgState::new(square_avg.clone()), CenteredState::new(None, square_avg), None)
    }
}

fn export<O, M, B>(opt: &OptimizerAdaptor<O, M, B>, module: &M) -> Vec<Option<ParamState<Tensor<B::InnerBackend, 1>>>>
where
    O: StateCodec<B::InnerBackend>,
    M: AutodiffModule<B>,
    B: AutodiffBackend,
{
    struct Export<'a, O: SimpleOptimizer<B::InnerBackend>, B: AutodiffBackend, R> {
        records: &'a R,
        get: fn(&R, &ParamId) -> Option<AdaptorRecord<O, B>>,
        out: Vec<Option<ParamState<Tensor<B::InnerBackend, 1>>>>,
    }
    impl<O: StateCodec<B::InnerBackend>, B: AutodiffBackend, R> ModuleVisitor<B> for Export<'_, O, B, R> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let state = (self.get)(self.records, &param.id).map(|r| {
                let (time, tensors) = O::encode(r.into_state::<D>());
                let tensors = tensors.into_iter().map(|t| (t.dims().to_vec(), t.flatten::<1>(0, D - 1))).collect();
                ParamState { time, tensors }
            });
            self.out.push(state);
        }
    }
    let records = opt.to_record();
    let mut v = Export::<O, B, _> { records: &records, get: |r, id| r.get(id).cloned(), out: Vec::new() };
    module.visit(&mut v);
    v.out
}

fn import<O, M, B>(
    opt: OptimizerAdaptor<O, M, B>,
    module: &M,
    states: Vec<Option<ParamState<Vec<f32>>>>,
    device: &B::Device,
) -> Result<OptimizerAdaptor<O, M, B>, String>
where
    O: StateCodec<B::InnerBackend>,
    M: AutodiffModule<B>,
    B: AutodiffBackend,
{
    struct Import<'a, O: SimpleOptimizer<B::InnerBackend>, B: AutodiffBackend> {
        states: std::vec::IntoIter<Option<ParamState<Vec<f32>>>>,
        device: &'a B::Device,
        out: Vec<(ParamId, AdaptorRecord<O, B>)>,
        error: Option<String>,
        index: usize,
    }
    impl<O: StateCodec<B::InnerBackend>, B: AutodiffBackend> ModuleVisitor<B> for Import<'_, O, B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let i = self.index;
            self.index += 1;
            let Some(Some(state)) = self.states.next() else { return };
            let dims = param.val().dims();
            if state.tensors.len() != O::TENSORS || state.tensors.iter().any(|(s, v)| s.as_slice() != dims || v.len() != dims.iter().product::<usize>()) {
                self.error.get_or_insert(format!("optimizer state of parameter {i} does not fit its shape {dims:?}"));
                return;
            }
            let tensors = state.tensors.into_iter().map(|(_, v)| Tensor::from_data(TensorData::new(v, dims), self.device)).collect();
            self.out.push((param.id, AdaptorRecord::from_state(O::decode::<D>(state.time, tensors))));
        }
    }
    let count = states.len();
    let mut v = Import::<O, B> { states: states.into_iter(), device, out: Vec::new(), error: None, index: 0 };
    module.visit(&mut v);
    if let Some(e) = v.error {
        return Err(e);
    }
    if v.index != count {
        return Err(format!("optimizer state for {count} parameters, the model has {}", v.index));
    }
    let mut records = opt.to_record();
    records.clear();
    records.extend(v.out);
    Ok(opt.load_record(records))
}
