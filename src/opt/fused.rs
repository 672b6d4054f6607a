//! Adam or RMSprop over all of a network's parameters in one kernel on the GPU backend (`launch.rs`),
//! in place of burn's one fused kernel per parameter tensor (and WGAN's clamp after it): the same
//! update, read from and written back to the same per-parameter optimizer state, so checkpoints,
//! snapshots and the CPU path are unchanged.
//!
//! The step lays the parameters, their gradients and moments out in one flat buffer each and hands
//! every new value back as a view into the new buffers. The next step finds the module's parameters
//! and the state's moments still those views (by tensor id) and reads the buffers whole; only the
//! gradients are gathered (a kernel per six tensors). After a checkpoint is loaded or anything else
//! replaced a tensor, everything is gathered once.

#[cfg(feature = "gpu")]
use burn::{
    backend::{Autodiff, Wgpu},
    module::{AutodiffModule, ModuleMapper, ModuleVisitor, Param, ParamId},
    optim::{adaptor::OptimizerAdaptor, record::AdaptorRecord, GradientsParams, Optimizer},
    tensor::{backend::AutodiffBackend, ops::FloatTensor, Tensor, TensorPrimitive},
};
#[cfg(feature = "gpu")]
use burn_ir::TensorId;

#[cfg(feature = "gpu")]
use super::{
    launch::{self, Operand, Scalars},
    StateCodec,
};
#[cfg(feature = "gpu")]
use crate::backend::same;

#[cfg(feature = "gpu")]
type Prim = FloatTensor<Wgpu>;

/// The optimizer's rule and what the last fused step left (the flat buffers and the ids of the
/// tensors it handed out), for one network. Without the `gpu` feature (the CPU-only wasm `threads`
/// build) only the rule.
#[derive(Clone)]
pub struct Fused {
    pub(super) rule: Rule,
    #[cfg(feature = "gpu")]
    last: Option<Last>,
}

/// The update the fused step applies.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "gpu"), allow(dead_code))] // only the fused GPU step reads the constants
pub(super) enum Rule {
    Adam { beta_1: f32, beta_2: f32 },
    /// Without momentum, not centred.
    RmsProp { alpha: f32 },
}

#[cfg(feature = "gpu")]
#[derive(Clone)]
struct Last {
    /// Each parameter's tensor id, then its moments', in visiting order.
    ids: Vec<Vec<TensorId>>,
    flat: Vec<Prim>,
}

impl Fused {
    pub(super) fn new(rule: Rule) -> Self {
        Fused {
            rule,
            #[cfg(feature = "gpu")]
            last: None,
        }
    }

    /// The same rule, nothing laid out (after the state was replaced).
    pub(super) fn reset(&self) -> Self {
        Fused::new(self.rule)
    }
}

/// One parameter with a gradient: what the step reads.
#[cfg(feature = "gpu")]
struct Part {
    id: ParamId,
    dims: Vec<usize>,
    param: Prim,
    grad: Prim,
    /// The step count and the moments, if the parameter has had a step.
    state: Option<(usize, Vec<Prim>)>,
    /// The parameter's tensor id, then its moments'.
    ids: Vec<TensorId>,
}

#[cfg(feature = "gpu")]
fn flat<const D: usize>(t: Tensor<Wgpu, D>) -> Prim {
    let n = t.shape().num_elements();
    t.reshape([n]).into_primitive().tensor()
}

#[cfg(feature = "gpu")]
fn id_of<const D: usize>(t: &Tensor<Wgpu, D>) -> TensorId {
    t.clone().into_primitive().tensor().id
}

/// The optimizer's step of `module` on the GPU backend, the whole network at once, each new value
/// clamped to `[-c, c]` with `clip`; `Err` with the module and gradients untouched on another backend,
/// where the parameters' step counts differ, or where a clip would miss a parameter without gradient.
#[cfg(feature = "gpu")]
pub(super) fn step<O: StateCodec<B::InnerBackend>, M: AutodiffModule<B>, B: AutodiffBackend>(
    adaptor: &mut OptimizerAdaptor<O, M, B>,
    fused: &mut Fused,
    lr: f64,
    module: M,
    grads: GradientsParams,
    clip: Option<f64>,
) -> Result<M, (M, GradientsParams)> {
    if std::any::TypeId::of::<B>() != std::any::TypeId::of::<Autodiff<Wgpu>>() {
        return Err((module, grads));
    }
    struct Collect<'a, O: StateCodec<B::InnerBackend>, B: AutodiffBackend, R> {
        grads: &'a GradientsParams,
        records: &'a R,
        get: fn(&R, &ParamId) -> Option<AdaptorRecord<O, B>>,
        parts: Vec<Part>,
        foreign: bool,
        /// Trainable parameters without a gradient (a clip would have to clamp them too).
        untouched: bool,
    }
    impl<O: StateCodec<B::InnerBackend>, B: AutodiffBackend, R> ModuleVisitor<B> for Collect<'_, O, B, R> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let Some(grad) = self.grads.get::<B::InnerBackend, D>(param.id) else {
                self.untouched |= param.val().is_require_grad();
                return;
            };
            let (Ok(grad), Ok(value)) = (same::<_, Tensor<Wgpu, D>>(grad), same::<_, Tensor<Autodiff<Wgpu>, D>>(param.val())) else {
                self.foreign = true;
                return;
            };
            let value = value.inner();
            let state = (self.get)(self.records, &param.id).map(|r| O::encode(r.into_state::<D>()));
            let state = state.map(|(time, moments)| (time, moments.into_iter().map(|m| same::<_, Tensor<Wgpu, D>>(m).ok().expect("GPU state")).collect::<Vec<_>>()));
            let mut ids = vec![id_of(&value)];
            ids.extend(state.iter().flat_map(|(_, moments)| moments.iter().map(id_of)));
            let dims = value.dims().to_vec();
            let state = state.map(|(time, moments)| (time, moments.into_iter().map(flat).collect()));
            self.parts.push(Part { id: param.id, dims, param: flat(value), grad: flat(grad), state, ids });
        }
    }
    let records = adaptor.to_record();
    let mut collect = Collect::<O, B, _> { grads: &grads, records: &records, get: |r, id| r.get(id).cloned(), parts: Vec::new(), foreign: false, untouched: false };
    module.visit(&mut collect);
    let parts = collect.parts;
    let times: Vec<Option<usize>> = parts.iter().map(|p| p.state.as_ref().map(|s| s.0)).collect();
    if collect.foreign || parts.is_empty() || times.iter().any(|t| *t != times[0]) || (clip.is_some() && collect.untouched) {
        return Err((module, grads));
    }
    let time = times[0].unwrap_or(0) + 1;
    let clip = clip.map(|c| c as f32);
    let scalars = match fused.rule {
        Rule::Adam { beta_1, beta_2 } => {
            let c2 = (1.0 - beta_2.powi(time as i32)).sqrt();
            let factor = c2 / (1.0 - beta_1.powi(time as i32));
            Scalars { adam: true, lr: lr as f32, beta_1, beta_2, factor, epsilon: super::EPSILON * c2, clip }
        }
        Rule::RmsProp { alpha } => Scalars { adam: false, lr: lr as f32, beta_1: 0.0, beta_2: alpha, factor: 1.0, epsilon: super::EPSILON, clip },
    };
    // RMSprop keeps no step count (0 before and after).
    let time = if matches!(fused.rule, Rule::Adam { .. }) { time } else { 0 };

    // The previous step's flat buffers stand for the tensors when these are still its views.
    let laid_out = fused.last.as_ref().filter(|last| last.ids.len() == parts.len() && last.ids.iter().zip(&parts).all(|(ids, p)| *ids == p.ids));
    let grads_flat = parts.iter().map(|p| p.grad.clone()).collect();
    let (params, moments) = match (laid_out, times[0]) {
        (Some(last), Some(_)) => (Operand::Flat(last.flat[0].clone()), last.flat[1..].iter().cloned().map(Operand::Flat).collect()),
        (_, state) => {
            let moments = match state {
                Some(_) => (0..O::TENSORS).map(|i| Operand::Each(parts.iter().map(|p| p.state.as_ref().expect("state").1[i].clone()).collect())).collect(),
                None => Vec::new(),
            };
            (Operand::Each(parts.iter().map(|p| p.param.clone()).collect()), moments)
        }
    };
    let out = launch::step(grads_flat, params, moments, scalars);

    // The new values into the module, the new moments into the records.
    struct Replace<'a, O: StateCodec<B::InnerBackend>, B: AutodiffBackend, R> {
        parts: &'a [Part],
        values: std::vec::IntoIter<Vec<Prim>>,
        records: R,
        insert: fn(&mut R, ParamId, AdaptorRecord<O, B>),
        time: usize,
        index: usize,
        ids: Vec<Vec<TensorId>>,
    }
    impl<O: StateCodec<B::InnerBackend>, B: AutodiffBackend, R> ModuleMapper<B> for Replace<'_, O, B, R> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
            let (id, tensor, mapper) = param.consume();
            let Some(part) = self.parts.get(self.index).filter(|p| p.id == id) else {
                return Param::from_mapped_value(id, tensor, mapper);
            };
            self.index += 1;
            let dims: [usize; D] = part.dims.clone().try_into().expect("the parameter's rank");
            let shaped = |t: Prim| Tensor::<Wgpu, 1>::from_primitive(TensorPrimitive::Float(t)).reshape(dims);
            let values: Vec<_> = self.values.next().expect("new values").into_iter().map(shaped).collect();
            self.ids.push(values.iter().map(id_of).collect());
            let inner = |t: Tensor<Wgpu, D>| same::<_, Tensor<B::InnerBackend, D>>(t).ok().expect("the GPU backend");
            let mut values = values.into_iter().map(inner);
            let p = values.next().expect("the new value");
            (self.insert)(&mut self.records, id, AdaptorRecord::from_state(O::decode::<D>(self.time, values.collect())));
            let mut value = Tensor::<B, D>::from_inner(p);
            if tensor.is_require_grad() {
                value = value.require_grad();
            }
            Param::from_mapped_value(id, value, mapper)
        }
    }
    let insert = |r: &mut <OptimizerAdaptor<O, M, B> as Optimizer<M, B>>::Record, id, record| {
        r.insert(id, record);
    };
    let mut replace = Replace::<O, B, _> { parts: &parts, values: out.each.into_iter(), records, insert, time, index: 0, ids: Vec::new() };
    let module = module.map(&mut replace);
    *adaptor = adaptor.clone().load_record(replace.records);
    fused.last = Some(Last { ids: replace.ids, flat: out.flat });
    Ok(module)
}
