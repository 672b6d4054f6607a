//! The fused optimizer step as one custom operation in burn's fusion stream: the layout of a network's
//! parameters in one flat buffer, the gathering of what is not laid out yet, the update kernel, and
//! each parameter's new value and moments handed back as views into the new flat buffers.
//!
//! Every tensor starts at a multiple of the device's binding alignment, so each view binds as it is
//! (no copy) and the next step reads the three flat buffers whole. The padding is zero: gathered as
//! zero, and an update leaves a zero gradient with zero moments at zero (and a clamp keeps 0).

use burn::backend::wgpu::{CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::Shape;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_fusion::stream::Operation;
use burn_ir::CustomOpIr;
use cubecl::prelude::*;

use super::kernels::{gather_kernel, update_kernel, ADAM, RMSPROP};
use crate::gpu::{self, grid, padded, placeholder, Handles, Inner, Runtime, GROUP};

type Prim = FloatTensor<Wgpu>;

/// Invocations per workgroup.
const BLOCK: u32 = 64;

/// One step's rule and scalars, as burn's `Adam` and `RmsProp` compute them (f32).
#[derive(Debug, Clone, Copy)]
pub(super) struct Scalars {
    /// Adam (both moments) or RMSprop (the squared average only).
    pub adam: bool,
    pub lr: f32,
    /// Adam's β₁ (unused by RMSprop).
    pub beta_1: f32,
    /// Adam's β₂, or RMSprop's α.
    pub beta_2: f32,
    /// Adam's `√(1 − β₂ᵗ) / (1 − β₁ᵗ)` (unused by RMSprop).
    pub factor: f32,
    /// Adam's `ε·√(1 − β₂ᵗ)`, or RMSprop's ε.
    pub epsilon: f32,
    /// The clamp `[-c, c]` of every new value, if any (WGAN).
    pub clip: Option<f32>,
}

impl Scalars {
    /// Moment tensors per parameter: 2 for Adam, 1 for RMSprop.
    fn moments(&self) -> usize {
        if self.adam { 2 } else { 1 }
    }
}

/// Where a quantity (the parameters, or each moment) comes from.
pub(super) enum Operand {
    /// One tensor per parameter, gathered into a flat buffer first.
    Each(Vec<Prim>),
    /// The flat buffer of the previous fused step, laid out as this one.
    Flat(Prim),
}

impl Operand {
    fn count(&self) -> usize {
        match self {
            Operand::Each(v) => v.len(),
            Operand::Flat(_) => 1,
        }
    }

    fn into_vec(self) -> Vec<Prim> {
        match self {
            Operand::Each(v) => v,
            Operand::Flat(t) => vec![t],
        }
    }
}

/// A step's results: the flat buffers (parameters, then each moment), then per parameter its new
/// value followed by its moments, flat (`[len]`), as views into them.
pub(super) struct Stepped {
    pub flat: Vec<Prim>,
    pub each: Vec<Vec<Prim>>,
}

/// Each tensor's start (in values) and the buffer's length, each start a multiple of `align`.
fn layout(lens: &[usize], align: usize) -> (Vec<usize>, usize) {
    let mut at = 0;
    let starts = lens
        .iter()
        .map(|&n| {
            let start = at;
            at += n.div_ceil(align) * align;
            start
        })
        .collect();
    (starts, at)
}

#[derive(Debug)]
struct StepOp {
    desc: CustomOpIr,
    lens: Vec<usize>,
    /// Each tensor's start in the flat buffers and their length (`layout`).
    starts: Vec<usize>,
    total: usize,
    /// Counts of the parameter and moment operands (1 = flat buffer, 0 = no moments yet).
    counts: [usize; 2],
    scalars: Scalars,
}

/// Copies `tensors` (flat) into a new buffer of `total` values at `starts`, zero elsewhere.
fn gather(tensors: Vec<CubeTensor<WgpuRuntime>>, starts: &[usize], total: usize) -> CubeTensor<WgpuRuntime> {
    let first = &tensors[0];
    let (client, dtype) = (first.client.clone(), first.dtype);
    let out = empty_device_dtype(client.clone(), first.device.clone(), Shape::new([total]), dtype);
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain([total]).collect();
    for (g, group) in tensors.chunks(GROUP).enumerate() {
        let at: Vec<usize> = starts[g * GROUP..][..group.len()].to_vec();
        let (from, to) = (at[0], ends[g * GROUP + group.len() - 1]);
        let mut at = at.into_iter().map(|a| a as u32).chain(std::iter::repeat(0));
        let mut a = || at.next().expect("repeats");
        let mut x = padded(group.to_vec()).into_iter().map(CubeTensor::into_tensor_arg);
        let mut x = || x.next().expect("GROUP slots");
        gather_kernel::launch::<WgpuRuntime>(
            &client,
            grid(to - from, BLOCK),
            CubeDim::new_1d(BLOCK),
            x(),
            x(),
            x(),
            x(),
            x(),
            x(),
            out.clone().into_tensor_arg(),
            a(),
            a(),
            a(),
            a(),
            a(),
            a(),
            from as u32,
            (to - from) as u32,
            group.len() as u32,
            dtype.into(),
        );
    }
    out
}

/// The device's storage-binding offset alignment, in f32 values.
fn alignment(like: &Prim) -> usize {
    let client = <WgpuRuntime as cubecl::Runtime>::client(like.client.device());
    (client.properties().memory.alignment as usize / std::mem::size_of::<f32>()).max(1)
}

/// `len` values of `flat` from `start`, sharing its memory.
fn view(flat: &CubeTensor<WgpuRuntime>, start: usize, len: usize, total: usize) -> CubeTensor<WgpuRuntime> {
    let size = flat.dtype.size() as u64;
    let handle = flat.handle.clone().offset_start(start as u64 * size).offset_end((total - start - len) as u64 * size);
    CubeTensor::new_contiguous(flat.client.clone(), flat.device.clone(), Shape::new([len]), handle, flat.dtype)
}

impl Operation<Runtime> for StepOp {
    fn execute(&self, handles: &mut Handles) {
        let mut inputs = self.desc.inputs.iter().map(|t| into_contiguous(handles.get_float_tensor::<Inner>(t)));
        let mut take = |n: usize| (0..n).map(|_| inputs.next().expect("an operand")).collect::<Vec<_>>();
        let k = self.lens.len();
        let grads = take(k);
        let first = grads[0].clone();
        let (starts, total) = (&self.starts, self.total);
        // One operand where there are several parameters is the previous step's flat buffer.
        let flat = |tensors: Vec<CubeTensor<WgpuRuntime>>| match tensors.len() == k {
            true => gather(tensors, starts, total),
            false => tensors.into_iter().next().expect("one flat buffer"),
        };
        let g = flat(grads);
        let p = flat(take(self.counts[0]));
        let (s, fresh) = (self.scalars, self.counts[1] == 0);
        let moments: Vec<_> = (0..if fresh { 0 } else { s.moments() }).map(|_| flat(take(self.counts[1]))).collect();
        let empty = || empty_device_dtype(first.client.clone(), first.device.clone(), Shape::new([total]), first.dtype);
        let outs: Vec<_> = (0..=s.moments()).map(|_| empty()).collect();
        // The kernel's bindings: (m, v) in and out; RMSprop's squared average is its v, its m unused.
        let or_none = |t: Option<&CubeTensor<WgpuRuntime>>| t.cloned().unwrap_or_else(|| placeholder(&first));
        let (m, v, m_out, v_out) = match s.adam {
            true => (or_none(moments.first()), or_none(moments.get(1)), outs[1].clone(), outs[2].clone()),
            false => (placeholder(&first), or_none(moments.first()), placeholder(&first), outs[1].clone()),
        };
        let rule = if s.adam { ADAM } else { RMSPROP };
        let args = (p.into_tensor_arg(), g.into_tensor_arg(), m.into_tensor_arg(), v.into_tensor_arg());
        let results = (outs[0].clone().into_tensor_arg(), m_out.into_tensor_arg(), v_out.into_tensor_arg());
        #[rustfmt::skip]
        update_kernel::launch::<WgpuRuntime>(&first.client, grid(total, BLOCK), CubeDim::new_1d(BLOCK), args.0, args.1, args.2, args.3, results.0, results.1, results.2, s.lr, s.beta_1, s.beta_2, s.factor, s.epsilon, s.clip.unwrap_or(0.0), rule, fresh, s.clip.is_some(), first.dtype.into());
        let views: Vec<_> = (0..k).flat_map(|i| outs.iter().map(move |buffer| (i, buffer))).map(|(i, buffer)| view(buffer, starts[i], self.lens[i], total)).collect();
        for (ir, tensor) in self.desc.outputs.iter().zip(outs.iter().cloned().chain(views)) {
            handles.register_float_tensor::<Inner>(&ir.id, tensor);
        }
    }
}

/// One step of the parameters with (flat) gradients `grads`, from `params` and, after the first step,
/// the moments (each laid out like the parameters, or the previous step's flat buffers).
pub(super) fn step(grads: Vec<Prim>, params: Operand, moments: Vec<Operand>, scalars: Scalars) -> Stepped {
    let lens: Vec<usize> = grads.iter().map(|g| g.shape.num_elements()).collect();
    let k = lens.len();
    let (starts, total) = layout(&lens, alignment(&grads[0]));
    let counts = [params.count(), moments.first().map_or(0, Operand::count)];
    let mut inputs = grads;
    inputs.extend(params.into_vec());
    inputs.extend(moments.into_iter().flat_map(Operand::into_vec));
    let per = scalars.moments() + 1;
    let shapes = vec![Shape::new([total]); per].into_iter().chain(lens.iter().flat_map(|&n| vec![Shape::new([n]); per])).collect();
    let mut outs = gpu::register("gan_optimizer_step", inputs, shapes, |desc| StepOp { desc, lens: lens.clone(), starts: starts.clone(), total, counts, scalars }).into_iter();
    let mut next = |n: usize| (0..n).map(|_| outs.next().expect("an output")).collect::<Vec<_>>();
    let flat = next(per);
    Stepped { flat, each: (0..k).map(|_| next(per)).collect() }
}
