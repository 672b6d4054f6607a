//! Adam over all of a network's parameters in one kernel on the GPU backend (`launch.rs`), in place of
//! burn's one fused kernel per parameter tensor: the same update, read from and written back to the
//! same per-parameter optimizer state, so checkpoints, snapshots and the CPU path are unchanged.
//!
//! The step lays the parameters, their gradients and moments out in one flat buffer each and hands
//! every new value back as a view into the new buffers. The next step finds the module's parameters
//! and the state's moments still those views (by tensor id) and reads the buffers whole; only the
//! gradients are gathered (a kernel per six tensors). After a checkpoint is loaded or anything else
//! replaced a tensor, everything is gathered once.

use burn::backend::{Autodiff, Wgpu};
use burn::module::{AutodiffModule, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::record::AdaptorRecord;
use burn::optim::{Adam, AdamState, AdaptiveMomentumState, GradientsParams, Optimizer};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{Tensor, TensorPrimitive};
use burn_ir::TensorId;

use super::launch::{self, Operand, Scalars};
use crate::backend::same;

type Prim = FloatTensor<Wgpu>;

/// Adam's settings and what the last fused step left (the flat buffers and the ids of the tensors
/// it handed out), for one network.
#[derive(Clone)]
pub struct Fused {
    pub(super) betas: (f32, f32),
    last: Option<Last>,
}

#[derive(Clone)]
struct Last {
    /// Parameter, first-moment and second-moment tensor ids, in visiting order.
    ids: Vec<[TensorId; 3]>,
    flat: [Prim; 3],
}

impl Fused {
    pub(super) fn new(beta_1: f32, beta_2: f32) -> Self {
        Fused { betas: (beta_1, beta_2), last: None }
    }
}

/// One parameter with a gradient: what the step reads.
struct Part {
    id: ParamId,
    dims: Vec<usize>,
    param: Prim,
    grad: Prim,
    /// The step count and both moments, if the parameter has had a step.
    state: Option<(usize, Prim, Prim)>,
    ids: [Option<TensorId>; 3],
}

fn flat<const D: usize>(t: Tensor<Wgpu, D>) -> Prim {
    let n = t.shape().num_elements();
    t.reshape([n]).into_primitive().tensor()
}

fn id_of<const D: usize>(t: &Tensor<Wgpu, D>) -> TensorId {
    t.clone().into_primitive().tensor().id
}

/// Adam's step of `module` on the GPU backend, the whole network at once; `Err` with the module and
/// gradients untouched on another backend, or where the parameters' step counts differ.
pub(super) fn step<M: AutodiffModule<B>, B: AutodiffBackend>(
    adaptor: &mut OptimizerAdaptor<Adam, M, B>,
    fused: &mut Fused,
    lr: f64,
    module: M,
    grads: GradientsParams,
) -> Result<M, (M, GradientsParams)> {
    if std::any::TypeId::of::<B>() != std::any::TypeId::of::<Autodiff<Wgpu>>() {
        return Err((module, grads));
    }
    struct Collect<'a, B: AutodiffBackend, R> {
        grads: &'a GradientsParams,
        records: &'a R,
        get: fn(&R, &ParamId) -> Option<AdaptorRecord<Adam, B>>,
        parts: Vec<Part>,
        foreign: bool,
    }
    impl<B: AutodiffBackend, R> ModuleVisitor<B> for Collect<'_, B, R> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let Some(grad) = self.grads.get::<B::InnerBackend, D>(param.id) else { return };
            let (Ok(grad), Ok(value)) = (same::<_, Tensor<Wgpu, D>>(grad), same::<_, Tensor<Autodiff<Wgpu>, D>>(param.val())) else {
                self.foreign = true;
                return;
            };
            let value = value.inner();
            let state = (self.get)(self.records, &param.id).map(|r| r.into_state::<D>().momentum);
            let state = state.map(|s| (s.time, same::<_, Tensor<Wgpu, D>>(s.moment_1).ok().expect("GPU state"), same::<_, Tensor<Wgpu, D>>(s.moment_2).ok().expect("GPU state")));
            let ids = [Some(id_of(&value)), state.as_ref().map(|s| id_of(&s.1)), state.as_ref().map(|s| id_of(&s.2))];
            let dims = value.dims().to_vec();
            let state = state.map(|(time, m, v)| (time, flat(m), flat(v)));
            self.parts.push(Part { id: param.id, dims, param: flat(value), grad: flat(grad), state, ids });
        }
    }
    let records = adaptor.to_record();
    let mut collect = Collect::<B, _> { grads: &grads, records: &records, get: |r, id| r.get(id).cloned(), parts: Vec::new(), foreign: false };
    module.visit(&mut collect);
    let parts = collect.parts;
    let times: Vec<Option<usize>> = parts.iter().map(|p| p.state.as_ref().map(|s| s.0)).collect();
    if collect.foreign || parts.is_empty() || times.iter().any(|t| *t != times[0]) {
        return Err((module, grads));
    }
    let time = times[0].unwrap_or(0) + 1;
    let (beta_1, beta_2) = fused.betas;
    let c2 = (1.0 - beta_2.powi(time as i32)).sqrt();
    let scalars = Scalars { lr: lr as f32, beta_1, beta_2, factor: c2 / (1.0 - beta_1.powi(time as i32)), epsilon: super::EPSILON * c2 };

    // The previous step's flat buffers stand for the tensors when these are still its views.
    let laid_out = fused.last.as_ref().filter(|last| last.ids.len() == parts.len() && last.ids.iter().zip(&parts).all(|(ids, p)| ids.map(Some) == p.ids));
    let grads_flat = parts.iter().map(|p| p.grad.clone()).collect();
    let (params, moments) = match (laid_out, times[0]) {
        (Some(last), Some(_)) => (Operand::Flat(last.flat[0].clone()), Some((Operand::Flat(last.flat[1].clone()), Operand::Flat(last.flat[2].clone())))),
        (_, fresh_or_not) => {
            let each = |pick: fn(&Part) -> Prim| Operand::Each(parts.iter().map(pick).collect());
            let moments = fresh_or_not.map(|_| (each(|p| p.state.as_ref().expect("state").1.clone()), each(|p| p.state.as_ref().expect("state").2.clone())));
            (each(|p| p.param.clone()), moments)
        }
    };
    let out = launch::step(grads_flat, params, moments, scalars);

    // The new values into the module, the new moments into the records.
    struct Replace<'a, B: AutodiffBackend, R> {
        parts: &'a [Part],
        values: std::vec::IntoIter<[Prim; 3]>,
        records: R,
        insert: fn(&mut R, ParamId, AdaptorRecord<Adam, B>),
        time: usize,
        index: usize,
        ids: Vec<[TensorId; 3]>,
    }
    impl<B: AutodiffBackend, R> ModuleMapper<B> for Replace<'_, B, R> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
            let (id, tensor, mapper) = param.consume();
            let Some(part) = self.parts.get(self.index).filter(|p| p.id == id) else {
                return Param::from_mapped_value(id, tensor, mapper);
            };
            self.index += 1;
            let dims: [usize; D] = part.dims.clone().try_into().expect("the parameter's rank");
            let shaped = |t: Prim| Tensor::<Wgpu, 1>::from_primitive(TensorPrimitive::Float(t)).reshape(dims);
            let [p, m, v] = self.values.next().expect("new values").map(shaped);
            self.ids.push([id_of(&p), id_of(&m), id_of(&v)]);
            let inner = |t: Tensor<Wgpu, D>| same::<_, Tensor<B::InnerBackend, D>>(t).ok().expect("the GPU backend");
            let state = AdamState::new(AdaptiveMomentumState::new(self.time, inner(m), inner(v)));
            (self.insert)(&mut self.records, id, AdaptorRecord::from_state(state));
            let mut value = Tensor::<B, D>::from_inner(inner(p));
            if tensor.is_require_grad() {
                value = value.require_grad();
            }
            Param::from_mapped_value(id, value, mapper)
        }
    }
    let values: Vec<[Prim; 3]> = out.params.into_iter().zip(out.moment_1).zip(out.moment_2).map(|((p, m), v)| [p, m, v]).collect();
    let insert = |r: &mut <OptimizerAdaptor<Adam, M, B> as Optimizer<M, B>>::Record, id, record| {
        r.insert(id, record);
    };
    let mut replace = Replace::<B, _> { parts: &parts, values: values.into_iter(), records, insert, time, index: 0, ids: Vec::new() };
    let module = module.map(&mut replace);
    *adaptor = adaptor.clone().load_record(replace.records);
    fused.last = Some(Last { ids: replace.ids, flat: out.flat });
    Ok(module)
}
