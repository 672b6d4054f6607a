//! The native wgpu backend (Vulkan; Mesa's lavapipe software driver in CI): a couple of training steps.
//! Skipped when no adapter exists, unless GAN_REQUIRE_WGPU=1 (set by `make test`, whose setup installs lavapipe).

mod common;

use gan_playground::backend::{gpu_device, Gpu};
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::Lane;

/// The adapter's name once burn's wgpu runtime is set up (once per process: both tests use it);
/// `None` when this machine has none (see `common::wgpu_setup`).
fn adapter() -> Option<&'static str> {
    static NAME: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    NAME.get_or_init(|| common::wgpu_setup().map(|s| s.adapter.get_info().name)).as_deref()
}

#[test]
fn training_steps_on_the_wgpu_backend() {
    let device = gpu_device();
    let Some(name) = adapter() else { return };
    eprintln!("wgpu adapter: {name:?}");
    let (train, _) = common::digits().split();
    let small = Digits { images: train.images[..256 * PIXELS].to_vec(), labels: train.labels[..256].to_vec() };
    for arch in ["mlp", "dcgan"] {
        let cfg = common::config(&format!(r#"{{"arch": "{arch}", "batch": 16}}"#));
        let mut lane = Lane::<Gpu>::new(cfg, &small, &device).unwrap();
        let before = pollster::block_on(lane.samples()).unwrap();
        let pending: Vec<_> = (0..2).map(|_| lane.train_step()).collect();
        let stats = pollster::block_on(gan_playground::lane::PendingStats::read_many(pending)).unwrap();
        assert_eq!(stats.iter().map(|s| s.step).collect::<Vec<_>>(), [1, 2]);
        assert!(stats.iter().all(|s| s.finite), "{arch}: {stats:?}");
        assert_ne!(pollster::block_on(lane.samples()).unwrap(), before, "{arch}: samples unchanged");
    }
    // Every objective's extra machinery (explicit input gradients, Q head, autoencoder, statistics
    // network) runs on the GPU kernels too; WGAN-GP also with the convolutional critic.
    let runs = gan_playground::objective::all().into_iter().map(|i| (i.id, "mlp")).chain([("wgan-gp", "dcgan")]);
    for (objective, arch) in runs {
        let cfg = common::config(&format!(r#"{{"objective": "{objective}", "arch": "{arch}", "batch": 8, "params": {{}}}}"#));
        let mut lane = Lane::<Gpu>::new(cfg, &small, &device).unwrap();
        let s = pollster::block_on(lane.train_step().read()).unwrap();
        assert!(s.finite, "{objective}/{arch} on wgpu: {s:?}");
    }
}

/// WGAN-GP's penalty, mean gradient norm and the penalty's gradient for every critic weight, on
/// backend `B`, for a critic holding the weights in `bytes` (a `weights::save` file).
#[allow(clippy::type_complexity)]
fn penalty_on<B: burn::tensor::backend::AutodiffBackend>(
    arch: gan_playground::model::Arch,
    bytes: &[u8],
    inputs: &[Vec<f32>; 3],
    n: usize,
    device: &B::Device,
) -> (f64, f64, Vec<(String, Vec<f64>)>) {
    use burn::module::{Module, ModuleVisitor, Param};
    use burn::tensor::{Tensor, TensorData};
    use gan_playground::model::{DSpec, Discriminator};
    let d = Discriminator::<B>::new(arch, DSpec { batchnorm: false, ..DSpec::default() }, 8, device);
    let (d, _) = gan_playground::weights::load(d, bytes, "critic").unwrap();
    let t = |v: &[f32], shape: [usize; 4]| Tensor::<B, 4>::from_data(TensorData::new(v.to_vec(), shape), device);
    let (real, fake, eps) = (t(&inputs[0], [n, 1, 28, 28]), t(&inputs[1], [n, 1, 28, 28]), t(&inputs[2], [n, 1, 1, 1]));
    let (penalty, norm) = gan_playground::objective::gradient_penalty(&d, real, fake, eps);
    let read = |x: Tensor<B, 1>| x.into_data().convert::<f64>().to_vec::<f64>().unwrap()[0];
    let (p, m) = (read(penalty.clone()), read(norm));
    let grads = penalty.backward();
    struct Grads<'a, B: burn::tensor::backend::AutodiffBackend>(&'a B::Gradients, Vec<(String, Vec<f64>)>, usize);
    impl<B: burn::tensor::backend::AutodiffBackend> ModuleVisitor<B> for Grads<'_, B> {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<B, D>>) {
            let t = p.val();
            let g = t.grad(self.0).map_or_else(|| vec![0.0; t.shape().num_elements()], |g| g.into_data().convert::<f64>().to_vec::<f64>().unwrap());
            self.1.push((format!("parameter {} {:?}", self.2, t.dims()), g));
            self.2 += 1;
        }
    }
    let mut v = Grads::<B>(&grads, Vec::new(), 0);
    d.visit(&mut v);
    (p, m, v.1)
}

#[test]
fn wgan_gp_penalty_and_its_weight_gradient_on_wgpu_match_the_cpu_backend() {
    // On wgpu the penalty's input gradient goes through burn's own (transposed) convolution kernels;
    // on the CPU through ours. Same weights and inputs: the values and every weight's gradient agree.
    use gan_playground::backend::{cpu_device, Cpu};
    use gan_playground::model::{Arch, DSpec, Discriminator};
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let device = gpu_device();
    if adapter().is_none() {
        return;
    }
    let n = 4;
    let mut rng = StdRng::seed_from_u64(5);
    for arch in [Arch::Mlp, Arch::Dcgan] {
        let cpu = Discriminator::<Cpu>::new(arch, DSpec { batchnorm: false, ..DSpec::default() }, 8, &cpu_device());
        let bytes = gan_playground::weights::save(&cpu, "critic", serde_json::json!({})).unwrap();
        let mut draw = |k: usize, lo: f32, hi: f32| (0..k).map(|_| rng.random_range(lo..hi)).collect::<Vec<f32>>();
        let inputs = [draw(n * 784, -1.0, 1.0), draw(n * 784, -1.0, 1.0), draw(n, 0.0, 1.0)];
        let (p_cpu, m_cpu, g_cpu) = penalty_on::<Cpu>(arch, &bytes, &inputs, n, &cpu_device());
        let (p_gpu, m_gpu, g_gpu) = penalty_on::<Gpu>(arch, &bytes, &inputs, n, &device);
        assert!((p_gpu - p_cpu).abs() < 1e-4 * (1.0 + p_cpu.abs()), "{arch:?}: penalty {p_gpu} on wgpu, {p_cpu} on the CPU");
        assert!((m_gpu - m_cpu).abs() < 1e-4 * (1.0 + m_cpu.abs()), "{arch:?}: mean norm {m_gpu} on wgpu, {m_cpu} on the CPU");
        assert_eq!(g_cpu.len(), g_gpu.len());
        for ((name, a), (_, b)) in g_gpu.iter().zip(&g_cpu) {
            let diff = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt();
            let scale = b.iter().map(|y| y * y).sum::<f64>().sqrt();
            assert!(diff <= 1e-3 * scale + 1e-9, "{arch:?}: {name}: gradient differs by {diff} (norm {scale})");
        }
    }
}

/// Each of `gpu`'s value lists (named by `names`) equals `cpu`'s within 1e-4 of the largest magnitude.
fn assert_close(case: &str, names: &[&str], gpu: &[Vec<f64>], cpu: &[Vec<f64>]) {
    assert_eq!(gpu.len(), cpu.len(), "{case}: how many values lists");
    for (what, (a, b)) in names.iter().zip(gpu.iter().zip(cpu)) {
        assert_eq!(a.len(), b.len(), "{case}: {what}");
        let diff = a.iter().zip(b).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
        let scale = b.iter().map(|q| q.abs()).fold(0.0, f64::max);
        assert!(diff <= 1e-4 * (1.0 + scale), "{case}: {what}: wgpu and CPU differ by {diff}");
    }
}

/// `BatchNorm2d` in training mode on backend `B` with γ, β set from `gb`: the output, the gradients of
/// `Σ y·w` with respect to x, γ and β, and the running mean and variance after the pass.
fn batchnorm_on<B: burn::tensor::backend::AutodiffBackend>(x: &[f32], w: &[f32], gb: &[f32], shape: [usize; 4], device: &B::Device) -> [Vec<f64>; 6] {
    use burn::module::Param;
    use burn::tensor::{Tensor, TensorData};
    let c = shape[1];
    let mut bn = gan_playground::model::BatchNorm2d::<B>::new(c, 1e-5, device);
    let vector = |v: &[f32]| Tensor::<B, 1>::from_data(TensorData::new(v.to_vec(), [c]), device).require_grad();
    bn.gamma = Param::from_tensor(vector(&gb[..c]));
    bn.beta = Param::from_tensor(vector(&gb[c..]));
    let x = Tensor::<B, 4>::from_data(TensorData::new(x.to_vec(), shape), device).require_grad();
    let y = bn.forward(x.clone());
    let grads = (y.clone() * Tensor::from_data(TensorData::new(w.to_vec(), shape), device)).sum().backward();
    let read = |t: Tensor<B::InnerBackend, 1>| t.into_data().convert::<f64>().to_vec::<f64>().unwrap();
    let flat = |t: Tensor<B::InnerBackend, 4>| read(t.flatten(0, 3));
    [
        flat(y.inner()),
        flat(x.grad(&grads).unwrap()),
        read(bn.gamma.val().grad(&grads).unwrap()),
        read(bn.beta.val().grad(&grads).unwrap()),
        read(bn.running_mean.value_sync().inner()),
        read(bn.running_var.value_sync().inner()),
    ]
}

#[test]
fn batchnorm_forward_and_backward_on_wgpu_match_the_cpu_backend() {
    // On the CPU, BatchNorm is burn's ops (per-channel factors repeated per sample, the fast path
    // there); on wgpu its own two kernels (`batchnorm_kernel.rs`). Same inputs: the same values and
    // gradients.
    use gan_playground::backend::{cpu_device, Cpu};
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let device = gpu_device();
    if adapter().is_none() {
        return;
    }
    let mut rng = StdRng::seed_from_u64(9);
    // On wgpu each pass is one kernel with a workgroup per channel whose invocations stride over the
    // channel's N·H·W values: fewer values than invocations, and several strides with a remainder.
    for shape in [[6, 4, 5, 5], [9, 3, 11, 7]] {
        let k = shape.iter().product::<usize>();
        let mut draw = |k: usize| (0..k).map(|_| rng.random_range(-2.0f32..2.0)).collect::<Vec<f32>>();
        let (x, w, gb) = (draw(k), draw(k), draw(2 * shape[1]));
        let cpu = batchnorm_on::<Cpu>(&x, &w, &gb, shape, &cpu_device());
        let gpu = batchnorm_on::<Gpu>(&x, &w, &gb, shape, &device);
        let names = ["output", "x gradient", "γ gradient", "β gradient", "running mean", "running variance"];
        assert_close(&format!("{shape:?}"), &names, &gpu, &cpu);
    }
}

/// The 2-D mode's lane (`gan-playground plane --backend wgpu` measures it) on the wgpu backend: started
/// from a CPU lane's checkpoint (each backend draws its initial weights from its own generator), it takes
/// the same steps — losses, fakes and heatmap to float tolerance.
#[test]
fn a_2d_lane_on_wgpu_matches_the_cpu_backend() {
    use gan_playground::backend::{cpu_device, Cpu};
    use gan_playground::lane::Phase;
    use gan_playground::plane::{lane::PlaneLane, PlaneConfig};
    let device = gpu_device();
    let Some(_) = adapter() else { return };
    for objective in ["nonsaturating", "wgan-gp"] {
        let cfg = || PlaneConfig::from_json(&format!(r#"{{"objective":"{objective}","dataset":"ring","batch":32,"seed":3}}"#)).unwrap();
        let mut cpu = PlaneLane::<Cpu>::new(cfg(), &cpu_device()).unwrap();
        let mut gpu = PlaneLane::<Gpu>::from_checkpoint(&cpu.save(None).unwrap(), &device).map_err(|e| e.to_string()).unwrap().0;
        let (g, c) = (gpu.train(3, Phase::Both).unwrap(), cpu.train(3, Phase::Both).unwrap());
        for (a, b) in g.iter().zip(&c) {
            for (x, y) in [(a.d_loss, b.d_loss), (a.g_loss, b.g_loss)] {
                let (x, y) = (x.unwrap(), y.unwrap());
                assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{objective} step {}: wgpu {x} against cpu {y}", a.step);
            }
        }
        let close = |a: &[f32], b: &[f32], what: &str| {
            let worst = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
            assert!(a.len() == b.len() && worst <= 1e-4, "{objective}: {what} differs by {worst}");
        };
        close(&gpu.fakes(), &cpu.fakes(), "the fakes");
        close(&gpu.heatmap(), &cpu.heatmap(), "the heatmap");
    }
}

/// `lane::sum_all` on wgpu (our partial-sums kernel: up to six tensors a kernel, a workgroup's
/// invocations striding over each) against the sums on the host, for the parameter sum and the
/// squared sum of the gradient norm: tensors shorter than a workgroup, lengths with a remainder, more
/// tensors than one kernel takes, a last kernel that writes the sum itself and one whose partial sums
/// are reduced (more than 16,384 values), and a NaN or an infinity in the last tensor.
#[test]
fn sums_of_many_tensors_on_wgpu_match_the_host() {
    use burn::tensor::{Tensor, TensorData};
    use gan_playground::lane::sum_all;
    use rand::{rngs::StdRng, Rng, SeedableRng};
    type Inner = <Gpu as burn::tensor::backend::AutodiffBackend>::InnerBackend;
    let device = gpu_device();
    if adapter().is_none() {
        return;
    }
    let mut rng = StdRng::seed_from_u64(5);
    let read = |t: Tensor<Inner, 1>| t.into_data().convert::<f64>().to_vec::<f64>().unwrap()[0];
    for lengths in [&[1usize][..], &[7, 300, 1], &[20_000, 3], &[1, 1, 1, 1, 1, 1, 30_000], &[16384, 256, 131072, 512, 65, 784, 1, 401_408, 3, 1000, 257, 64, 9]] {
        let values: Vec<Vec<f32>> = lengths.iter().map(|&n| (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()).collect();
        let upload = |values: &[Vec<f32>]| -> Vec<Tensor<Inner, 1>> {
            values.iter().map(|v| Tensor::from_data(TensorData::new(v.clone(), [v.len()]), &device)).collect()
        };
        for square in [false, true] {
            let expect: f64 = values.iter().flatten().map(|&x| if square { (x as f64).powi(2) } else { x as f64 }).sum();
            let magnitude: f64 = values.iter().flatten().map(|&x| (x as f64).abs().max((x as f64).powi(2))).sum();
            let got = read(sum_all(upload(&values), square));
            assert!((got - expect).abs() <= 1e-5 * magnitude + 1e-6, "lengths {lengths:?}, square {square}: {got} on wgpu, {expect} on the host");
        }
        for bad in [f32::NAN, f32::INFINITY] {
            let mut broken = values.clone();
            *broken.last_mut().unwrap().last_mut().unwrap() = bad;
            for square in [false, true] {
                assert!(!read(sum_all(upload(&broken), square)).is_finite(), "lengths {lengths:?}: {bad} in the last tensor not seen");
            }
        }
    }
}

/// Which convolution of `cpu_conv` a case runs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ConvCase {
    Conv,
    /// A convolution followed by LeakyReLU(0.2) (`conv2d_leaky`).
    Leaky,
    Transposed,
}

/// A convolution through `cpu_conv` on backend `B`, used twice as D's layers are (on x and on −x/2,
/// the second backward step adding to the parameters' gradients from the first): the output on x and
/// the gradients of `Σ (y + y')·r` with respect to x, the weight and (if any) the bias.
fn conv_on<B: burn::tensor::backend::AutodiffBackend>(case: ConvCase, x: (&[f32], [usize; 4]), w: (&[f32], [usize; 4]), b: Option<&[f32]>, r: &[f32], sp: [usize; 2], device: &B::Device) -> Vec<Vec<f64>> {
    use burn::tensor::{Tensor, TensorData};
    let x = Tensor::<B, 4>::from_data(TensorData::new(x.0.to_vec(), x.1), device).require_grad();
    let w = Tensor::<B, 4>::from_data(TensorData::new(w.0.to_vec(), w.1), device).require_grad();
    let b = b.map(|b| Tensor::<B, 1>::from_data(TensorData::new(b.to_vec(), [b.len()]), device).require_grad());
    use gan_playground::cpu_conv::{conv2d, conv2d_leaky, conv_transpose2d};
    let apply = |x: Tensor<B, 4>| match case {
        ConvCase::Conv => conv2d(x, w.clone(), b.clone(), sp[0], sp[1]),
        ConvCase::Leaky => conv2d_leaky(x, w.clone(), b.clone(), sp[0], sp[1], 0.2),
        ConvCase::Transposed => conv_transpose2d(x, w.clone(), b.clone(), sp[0], sp[1]),
    };
    let (y, y2) = (apply(x.clone()), apply(x.clone().mul_scalar(-0.5)));
    let shape = y.dims();
    assert_eq!(shape.iter().product::<usize>(), r.len(), "output shape {shape:?}");
    let grads = ((y.clone() + y2) * Tensor::from_data(TensorData::new(r.to_vec(), shape), device)).sum().backward();
    let flat = |t: Tensor<B::InnerBackend, 4>| t.flatten::<1>(0, 3).into_data().convert::<f64>().to_vec::<f64>().unwrap();
    let mut out = vec![flat(y.inner()), flat(x.grad(&grads).unwrap()), flat(w.grad(&grads).unwrap())];
    if let Some(b) = b {
        out.push(b.grad(&grads).unwrap().into_data().convert::<f64>().to_vec::<f64>().unwrap());
    }
    out
}

#[test]
fn convolutions_on_wgpu_match_the_cpu_backend() {
    // On wgpu the DCGAN layers run our three direct NCHW kernels (`gpu_conv`); on the CPU our
    // im2col kernels. The layers' shapes (kernel 4, stride 2, padding 1; G's first layer, kernel 7 on
    // a 1×1 input), odd sides, a layer without bias (the WGAN-GP input gradient), a weight of more
    // than 65,535 values (the weight-gradient kernel's second dispatch axis), and the convolution
    // with LeakyReLU in its kernels (against burn's leaky_relu after our CPU convolution).
    use gan_playground::backend::{cpu_device, Cpu};
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let device = gpu_device();
    if adapter().is_none() {
        return;
    }
    let mut rng = StdRng::seed_from_u64(11);
    use ConvCase::*;
    let cases: [(ConvCase, [usize; 4], [usize; 4], bool, [usize; 2]); 8] = [
        (Conv, [3, 2, 9, 8], [4, 2, 4, 4], true, [2, 1]),
        (Conv, [2, 3, 6, 5], [2, 3, 3, 3], false, [1, 0]),
        (Leaky, [3, 2, 9, 8], [4, 2, 4, 4], true, [2, 1]),
        (Leaky, [2, 3, 7, 6], [5, 3, 4, 4], false, [2, 1]),
        (Transposed, [3, 4, 5, 4], [4, 3, 4, 4], true, [2, 1]),
        (Transposed, [2, 3, 5, 5], [3, 2, 4, 4], false, [2, 1]),
        (Transposed, [5, 6, 1, 1], [6, 3, 7, 7], true, [1, 0]),
        (Transposed, [2, 40, 1, 1], [40, 40, 7, 7], true, [1, 0]),
    ];
    for (case, xs, ws, bias, sp) in cases {
        let transposed = case == Transposed;
        let mut draw = |k: usize| (0..k).map(|_| rng.random_range(-1.0f32..1.0)).collect::<Vec<f32>>();
        let (x, w) = (draw(xs.iter().product()), draw(ws.iter().product()));
        let b = bias.then(|| draw(if transposed { ws[1] } else { ws[0] }));
        let side = |d: usize| if transposed { (d - 1) * sp[0] + ws[3] - 2 * sp[1] } else { (d + 2 * sp[1] - ws[3]) / sp[0] + 1 };
        let c_out = if transposed { ws[1] } else { ws[0] };
        let r = draw(xs[0] * c_out * side(xs[2]) * side(xs[3]));
        let cpu = conv_on::<Cpu>(case, (&x, xs), (&w, ws), b.as_deref(), &r, sp, &cpu_device());
        let gpu = conv_on::<Gpu>(case, (&x, xs), (&w, ws), b.as_deref(), &r, sp, &device);
        let names = ["output", "x gradient", "weight gradient", "bias gradient"];
        assert_close(&format!("{case:?} {xs:?} * {ws:?}"), &names, &gpu, &cpu);
    }
}

/// A fully connected layer through `dense::layer` on backend `B`, used twice as D is (on x and on
/// −x/2, the second backward step adding to the parameters' gradients from the first): the output on
/// x and the gradients of `Σ (y + y')·r` with respect to x, the weight and (if any) the bias, then the
/// output of the same layer without autodiff (the path of sampling and evaluation).
fn dense_on<B: burn::tensor::backend::AutodiffBackend>(act: gan_playground::dense::Activation, x: (&[f32], [usize; 2]), w: (&[f32], [usize; 2]), b: Option<&[f32]>, r: &[f32], device: &B::Device) -> Vec<Vec<f64>> {
    use burn::module::{AutodiffModule, Param};
    use burn::nn::Linear;
    use burn::tensor::{Tensor, TensorData};
    use gan_playground::dense::layer;
    let x = Tensor::<B, 2>::from_data(TensorData::new(x.0.to_vec(), x.1), device).require_grad();
    let weight = Param::from_tensor(Tensor::<B, 2>::from_data(TensorData::new(w.0.to_vec(), w.1), device));
    let bias = b.map(|b| Param::from_tensor(Tensor::<B, 1>::from_data(TensorData::new(b.to_vec(), [b.len()]), device)));
    let linear = Linear { weight, bias };
    let y = layer(&linear, x.clone(), act);
    let y2 = layer(&linear, x.clone().mul_scalar(-0.5), act);
    let shape = y.dims();
    assert_eq!(shape.iter().product::<usize>(), r.len(), "output shape {shape:?}");
    let grads = ((y.clone() + y2) * Tensor::from_data(TensorData::new(r.to_vec(), shape), device)).sum().backward();
    let flat = |t: Tensor<B::InnerBackend, 2>| t.flatten::<1>(0, 1).into_data().convert::<f64>().to_vec::<f64>().unwrap();
    let mut out = vec![flat(y.inner()), flat(x.grad(&grads).unwrap()), flat(linear.weight.val().grad(&grads).unwrap())];
    if let Some(b) = &linear.bias {
        out.push(b.val().grad(&grads).unwrap().into_data().convert::<f64>().to_vec::<f64>().unwrap());
    }
    out.push(flat(layer(&linear.valid(), x.inner(), act)));
    out
}

#[test]
fn dense_layers_on_wgpu_match_the_cpu_backend() {
    // On wgpu a fully connected layer and its activation run our three kernels (`dense`); on the CPU
    // burn's `Linear` and activation. Each activation, with and without bias, odd widths, the score
    // layer's single output, and a weight of over 65,535 × 64 values (the second dispatch axis).
    use gan_playground::backend::{cpu_device, Cpu};
    use gan_playground::dense::Activation;
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let device = gpu_device();
    if adapter().is_none() {
        return;
    }
    let mut rng = StdRng::seed_from_u64(12);
    let cases: [(Activation, [usize; 3], bool); 7] = [
        (Activation::None, [3, 5, 4], true),
        (Activation::Leaky(0.2), [7, 13, 9], true),
        (Activation::Leaky(0.2), [2, 6, 3], false),
        (Activation::Tanh, [5, 11, 17], true),
        (Activation::Tanh, [4, 3, 2], false),
        (Activation::None, [64, 256, 1], true),
        (Activation::Leaky(0.2), [2, 2100, 2100], true),
    ];
    for (act, [n, i, o], bias) in cases {
        let mut draw = |k: usize| (0..k).map(|_| rng.random_range(-1.0f32..1.0)).collect::<Vec<f32>>();
        let (x, w, r) = (draw(n * i), draw(i * o), draw(n * o));
        let b = bias.then(|| draw(o));
        let cpu = dense_on::<Cpu>(act, (&x, [n, i]), (&w, [i, o]), b.as_deref(), &r, &cpu_device());
        let gpu = dense_on::<Gpu>(act, (&x, [n, i]), (&w, [i, o]), b.as_deref(), &r, &device);
        let names: &[&str] = if bias { &["output", "x gradient", "weight gradient", "bias gradient", "output without autodiff"] } else { &["output", "x gradient", "weight gradient", "output without autodiff"] };
        assert_close(&format!("{act:?} [{n}, {i}] -> {o}"), names, &gpu, &cpu);
    }
}

/// The GAN cross-entropy terms on backend `B` for logits `a` (and `b`), each with its target: the
/// loss, the mean probabilities, the gradients of `1.7·loss` for each batch's logits, and the loss
/// without autodiff.
fn bce_on<B: burn::tensor::backend::AutodiffBackend>(a: (&[f32], f64), b: Option<(&[f32], f64)>, device: &B::Device) -> Vec<Vec<f64>> {
    use burn::tensor::{Tensor, TensorData};
    use gan_playground::objective::losses::{bce_with_logits, gan_d_terms};
    let t = |v: &[f32]| Tensor::<B, 2>::from_data(TensorData::new(v.to_vec(), [v.len(), 1]), device).require_grad();
    let values = |t: Tensor<B::InnerBackend, 1>| t.into_data().convert::<f64>().to_vec::<f64>().unwrap();
    let grad = |t: Tensor<B::InnerBackend, 2>| t.flatten::<1>(0, 1).into_data().convert::<f64>().to_vec::<f64>().unwrap();
    let la = t(a.0);
    match b {
        None => {
            let loss = bce_with_logits(la.clone(), a.1);
            let grads = loss.clone().mul_scalar(1.7).backward();
            let plain = bce_with_logits(la.clone().inner(), a.1);
            vec![values(loss.inner()), grad(la.grad(&grads).unwrap()), values(plain)]
        }
        Some(b) => {
            let lb = t(b.0);
            let (loss, pa, pb) = gan_d_terms(la.clone(), lb.clone(), a.1);
            let grads = loss.clone().mul_scalar(1.7).backward();
            let (plain, ..) = gan_d_terms(la.clone().inner(), lb.clone().inner(), a.1);
            let (ga, gb) = (grad(la.grad(&grads).unwrap()), grad(lb.grad(&grads).unwrap()));
            vec![values(loss.inner()), values(pa.inner()), values(pb.inner()), ga, gb, values(plain)]
        }
    }
}

#[test]
fn gan_cross_entropies_on_wgpu_match_the_cpu_backend() {
    // On wgpu the cross-entropy terms run our two kernels (`objective/losses/gpu.rs`); on the CPU
    // burn's operations. One and two batches, the targets 1, 0 and 0.9 (label smoothing), batches of
    // different sizes, more logits than one workgroup's invocations, and logits far into both tails.
    use gan_playground::backend::{cpu_device, Cpu};
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let device = gpu_device();
    if adapter().is_none() {
        return;
    }
    let mut rng = StdRng::seed_from_u64(5);
    let mut draw = |k: usize, spread: f32| (0..k).map(|_| rng.random_range(-spread..spread)).collect::<Vec<f32>>();
    // Not exactly 0: there burn's softplus on the CPU takes the gradients of |l| and max(l, 0) at
    // their kinks (softplus'(0) comes out 0 instead of σ(0) = 0.5); the kernel's is σ(l) − t.
    let tails = vec![-120.0, -30.0, -8.0, 0.5, 8.0, 30.0, 120.0];
    let (small, wide, big) = (draw(7, 3.0), draw(64, 12.0), draw(700, 4.0));
    let cases: Vec<(&str, (&[f32], f64), Option<(&[f32], f64)>)> = vec![
        ("one batch, target 1", (&wide, 1.0), None),
        ("one batch, target 0", (&big, 0.0), None),
        ("one batch, target 0.9, tails", (&tails, 0.9), None),
        ("two batches, 1 and 0", (&wide, 1.0), Some((&small, 0.0))),
        ("two batches, 0.9 and 0, tails", (&tails, 0.9), Some((&big, 0.0))),
    ];
    for (case, a, b) in cases {
        let cpu = bce_on::<Cpu>(a, b, &cpu_device());
        let gpu = bce_on::<Gpu>(a, b, &device);
        let names: &[&str] = if b.is_some() { &["loss", "p_real", "p_fake", "real gradient", "fake gradient", "loss without autodiff"] } else { &["loss", "gradient", "loss without autodiff"] };
        assert_close(case, names, &gpu, &cpu);
    }
}

#[derive(burn::module::Module, Debug)]
struct TwoLayers<B: burn::tensor::backend::Backend> {
    a: burn::nn::Linear<B>,
    b: burn::nn::Linear<B>,
}

/// Six steps of optimizer `kind` (each new value clamped to `[-c, c]` with `clip`) of a small two-layer
/// net on backend `B` through `Opt` (the parameters' lengths 15, 3, 3 and 1 leave padding between them
/// in the fused step's buffers), with a parameter changed outside the optimizer before the third step
/// and the state round-tripped through the host (as a checkpoint does) before the fifth: every
/// parameter after each step, then the moments.
fn optimizer_on<B: burn::tensor::backend::AutodiffBackend>(kind: gan_playground::objective::OptimizerKind, clip: Option<f64>, device: &B::Device) -> Vec<Vec<f64>> {
    use burn::module::{Module, Param};
    use burn::nn::Linear;
    use burn::optim::GradientsParams;
    use burn::tensor::{Tensor, TensorData};
    use gan_playground::opt::{Opt, ParamState};
    let values = |n: usize, k: f32| (0..n).map(|i| ((i as f32 + 1.0) * k).sin() * 0.5).collect::<Vec<f32>>();
    let linear = |i: usize, o: usize, k: f32| Linear {
        weight: Param::from_tensor(Tensor::<B, 2>::from_data(TensorData::new(values(i * o, k), [i, o]), device)),
        bias: Some(Param::from_tensor(Tensor::<B, 1>::from_data(TensorData::new(values(o, k + 0.3), [o]), device))),
    };
    let mut net = TwoLayers { a: linear(5, 3, 0.7), b: linear(3, 1, 1.3) };
    let mut opt = Opt::<TwoLayers<B>, B>::new(kind);
    let x = Tensor::<B, 2>::from_data(TensorData::new(values(20, 2.1), [4, 5]), device);
    let all = |net: &TwoLayers<B>| net.clone().into_record();
    let flat = |t: Tensor<B::InnerBackend, 1>| t.into_data().convert::<f64>().to_vec::<f64>().unwrap();
    let mut out = Vec::new();
    for step in 0..6 {
        if step == 2 {
            net.a.bias = net.a.bias.map(|b| b.map(|t| t.clamp(-0.2, 0.2)));
        }
        if step == 4 {
            let host = opt.export(&net).into_iter().map(|s| s.map(|s| ParamState { time: s.time, tensors: s.tensors.into_iter().map(|(d, t)| (d, t.into_data().to_vec::<f32>().unwrap())).collect() })).collect();
            opt = Opt::<TwoLayers<B>, B>::new(kind).import(&net, host, device).unwrap();
        }
        let y = net.b.forward(net.a.forward(x.clone()).tanh());
        let loss = (y.clone() * y).sum().add_scalar(0.0) + net.a.weight.val().powi_scalar(2).sum().mul_scalar(0.1);
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = opt.step_clipped(1e-2, net, grads, clip);
        let record = all(&net);
        for t in [record.a.weight.val().inner().flatten::<1>(0, 1), record.a.bias.unwrap().val().inner(), record.b.weight.val().inner().flatten::<1>(0, 1), record.b.bias.unwrap().val().inner()] {
            out.push(flat(t));
        }
    }
    for state in opt.export(&net).into_iter().flatten() {
        out.extend(state.tensors.into_iter().map(|(_, t)| flat(t)));
    }
    out
}

#[test]
fn optimizers_over_a_whole_network_on_wgpu_match_the_cpu_backend() {
    // On wgpu `Opt`'s Adam and RMSprop run one kernel over the network's flat buffers (`opt/fused.rs`),
    // with WGAN's clamp inside: the first step gathers everything, later steps read the buffers the
    // step before left, after an outside change or a state import the moments are gathered again.
    use gan_playground::backend::{cpu_device, Cpu};
    use gan_playground::objective::{OptimizerKind, ADAM};
    let device = gpu_device();
    if adapter().is_none() {
        return;
    }
    for (case, kind, clip, moments) in [("Adam", ADAM, None, 2), ("RMSprop, clamped to 0.3", OptimizerKind::RmsProp, Some(0.3), 1)] {
        let cpu = optimizer_on::<Cpu>(kind, clip, &cpu_device());
        let gpu = optimizer_on::<Gpu>(kind, clip, &device);
        assert_eq!(cpu.len(), 6 * 4 + 4 * moments, "{case}: parameters after each step, then the moments of each");
        let steps = (0..6).flat_map(|s| ["a.weight", "a.bias", "b.weight", "b.bias"].map(|p| format!("{p} after step {}", s + 1)));
        let names: Vec<String> = steps.chain((0..4 * moments).map(|i| format!("moment {} of parameter {}", i % moments + 1, i / moments))).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_close(case, &names, &gpu, &cpu);
        if let Some(c) = clip {
            assert!(cpu[20..24].iter().flatten().any(|w| w.abs() == c as f32 as f64), "{case}: some weight at the bound");
        }
    }
}
