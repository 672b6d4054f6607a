//! The fused Adam step as one custom operation in burn's fusion stream: the layout of a network's
//! parameters in one flat buffer, the gathering of what is not laid out yet, the update kernel, and
//! each parameter's new value and moments handed back as views into the new flat buffers.
//!
//! Every tensor starts at a multiple of the device's binding alignment, so each view binds as it is
//! (no copy) and the next step reads the three flat buffers whole. The padding is zero: gathered as
//! zero, and Adam leaves a zero gradient with zero moments at zero.

use burn::backend::wgpu::{CubeTensor, WgpuRuntime};
use burn::backend::Wgpu;
use burn::tensor::ops::FloatTensor;
use burn::tensor::Shape;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_fusion::stream::Operation;
use burn_ir::CustomOpIr;
use cubecl::prelude::*;

use super::kernels::{adam_kernel, gather_kernel, GROUP};
use crate::gpu::{self, grid, placeholder, Handles, Inner, Runtime};

type Prim = FloatTensor<Wgpu>;

/// Invocations per workgroup.
const BLOCK: u32 = 64;

/// Adam's scalars for one step, as burn's `Adam` computes them (f32).
#[derive(Debug, Clone, Copy)]
pub(super) struct Scalars {
    pub lr: f32,
    pub beta_1: f32,
    pub beta_2: f32,
    /// `√(1 − β₂ᵗ) / (1 − β₁ᵗ)`.
    pub factor: f32,
    /// `ε·√(1 − β₂ᵗ)`.
    pub epsilon: f32,
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

/// A step's results: the three flat buffers (parameters, first and second moments), then each
/// parameter's new value and moments, flat (`[len]`), as views into them.
pub(super) struct Stepped {
    pub flat: [Prim; 3],
    pub params: Vec<Prim>,
    pub moment_1: Vec<Prim>,
    pub moment_2: Vec<Prim>,
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
struct AdamOp {
    desc: CustomOpIr,
    lens: Vec<usize>,
    /// The binding alignment, in values.
    align: usize,
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
        let mut slots: Vec<_> = group.iter().cloned().collect();
        while slots.len() < GROUP {
            slots.push(placeholder(first));
        }
        let mut at = at.into_iter().map(|a| a as u32).chain(std::iter::repeat(0));
        let mut a = || at.next().expect("repeats");
        let mut x = slots.into_iter().map(CubeTensor::into_tensor_arg);
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

impl Operation<Runtime> for AdamOp {
    fn execute(&self, handles: &mut Handles) {
        let mut inputs = self.desc.inputs.iter().map(|t| into_contiguous(handles.get_float_tensor::<Inner>(t)));
        let mut take = |n: usize| (0..n).map(|_| inputs.next().expect("an operand")).collect::<Vec<_>>();
        let k = self.lens.len();
        let grads = take(k);
        let first = grads[0].clone();
        let (starts, total) = layout(&self.lens, self.align);
        // One operand where there are several parameters is the previous step's flat buffer.
        let flat = |tensors: Vec<CubeTensor<WgpuRuntime>>| match tensors.len() == k {
            true => gather(tensors, &starts, total),
            false => tensors.into_iter().next().expect("one flat buffer"),
        };
        let g = flat(grads);
        let p = flat(take(self.counts[0]));
        let fresh = self.counts[1] == 0;
        let (m, v) = match fresh {
            true => (placeholder(&first), placeholder(&first)),
            false => (flat(take(self.counts[1])), flat(take(self.counts[1]))),
        };
        let empty = || empty_device_dtype(first.client.clone(), first.device.clone(), Shape::new([total]), first.dtype);
        let (p_out, m_out, v_out) = (empty(), empty(), empty());
        let s = self.scalars;
        let args = (p.into_tensor_arg(), g.into_tensor_arg(), m.into_tensor_arg(), v.into_tensor_arg());
        let outs = (p_out.clone().into_tensor_arg(), m_out.clone().into_tensor_arg(), v_out.clone().into_tensor_arg());
        #[rustfmt::skip]
        adam_kernel::launch::<WgpuRuntime>(&first.client, grid(total, BLOCK), CubeDim::new_1d(BLOCK), args.0, args.1, args.2, args.3, outs.0, outs.1, outs.2, s.lr, s.beta_1, s.beta_2, s.factor, s.epsilon, fresh, first.dtype.into());
        let views = |buffer: &CubeTensor<WgpuRuntime>| starts.iter().zip(&self.lens).map(|(&at, &n)| view(buffer, at, n, total)).collect::<Vec<_>>();
        let results = [p_out.clone(), m_out.clone(), v_out.clone()].into_iter().chain(views(&p_out)).chain(views(&m_out)).chain(views(&v_out));
        for (ir, tensor) in self.desc.outputs.iter().zip(results) {
            handles.register_float_tensor::<Inner>(&ir.id, tensor);
        }
    }
}

/// One Adam step of the parameters with (flat) gradients `grads`, from `params` and, after the first
/// step, the moments (each laid out like the parameters, or the previous step's flat buffers).
pub(super) fn step(grads: Vec<Prim>, params: Operand, moments: Option<(Operand, Operand)>, scalars: Scalars) -> Stepped {
    let lens: Vec<usize> = grads.iter().map(|g| g.shape.num_elements()).collect();
    let k = lens.len();
    let align = alignment(&grads[0]);
    let (_, total) = layout(&lens, align);
    let counts = [params.count(), moments.as_ref().map_or(0, |(m, _)| m.count())];
    let mut inputs = grads;
    inputs.extend(params.into_vec());
    if let Some((m, v)) = moments {
        inputs.extend(m.into_vec());
        inputs.extend(v.into_vec());
    }
    let shapes = vec![Shape::new([total]); 3].into_iter().chain(lens.iter().cycle().take(3 * k).map(|&n| Shape::new([n]))).collect();
    let mut outs = gpu::register("gan_adam", inputs, shapes, |desc| AdamOp { desc, lens: lens.clone(), align, counts, scalars }).into_iter();
    let mut next = |n: usize| (0..n).map(|_| outs.next().expect("an output")).collect::<Vec<_>>();
    let flat: [Prim; 3] = next(3).try_into().ok().expect("three flat buffers");
    Stepped { flat, params: next(k), moment_1: next(k), moment_2: next(k) }
}
