//! Our CPU-friendly layers against burn's own, on the CPU backend: `BatchNorm2d` against `nn::BatchNorm`
//! (outputs, gradients, running statistics, inference) and `cpu_conv`'s convolutions against burn's
//! (outputs and the gradients of input, weight and bias, for DCGAN's and other shapes).

use burn::module::Param;
use burn::nn::BatchNormConfig;
use burn::tensor::{Distribution, Tensor, TensorData, Tolerance};
use burn::tensor::backend::Backend;
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::cpu_conv;
use gan_playground::model::BatchNorm2d;

type Inner = <Cpu as burn::tensor::backend::AutodiffBackend>::InnerBackend;

fn close<const D: usize, B: Backend>(a: Tensor<B, D>, b: Tensor<B, D>, what: &str) {
    let (a, b) = (a.into_data(), b.into_data());
    assert_eq!(a.shape, b.shape, "{what}: shapes");
    a.assert_approx_eq::<f32>(&b, Tolerance::absolute(2e-5).set_relative(1e-4));
}

#[test]
fn batchnorm2d_matches_burns_batchnorm() {
    let device = cpu_device();
    let channels = 6;
    let reference = BatchNormConfig::new(channels).with_epsilon(1e-5).init::<Cpu>(&device);
    let mut ours = BatchNorm2d::<Cpu>::new(channels, 1e-5, &device);
    // Non-trivial γ and β, the same in both.
    let gamma = Tensor::<Cpu, 1>::from_data(TensorData::from([0.5f32, 1.5, -1.0, 2.0, 0.25, 1.0]), &device);
    let beta = Tensor::<Cpu, 1>::from_data(TensorData::from([0.1f32, -0.2, 0.3, 0.0, 1.0, -1.0]), &device);
    let reference = burn::nn::BatchNorm {
        gamma: Param::from_tensor(gamma.clone()),
        beta: Param::from_tensor(beta.clone()),
        ..reference
    };
    ours.gamma = Param::from_tensor(gamma);
    ours.beta = Param::from_tensor(beta);

    for round in 0..3 {
        let x = Tensor::<Cpu, 4>::random([5, channels, 3, 4], Distribution::Normal(1.0 + round as f64, 2.0), &device);
        // A weighting of the outputs so that the gradients are not trivially zero.
        let weight = Tensor::<Cpu, 4>::random([5, channels, 3, 4], Distribution::Normal(0.0, 1.0), &device);

        let xa = x.clone().require_grad();
        let ya = reference.forward(xa.clone());
        let ga = (ya.clone() * weight.clone()).sum().backward();
        let xb = x.clone().require_grad();
        let yb = ours.forward(xb.clone());
        let gb = (yb.clone() * weight).sum().backward();

        close(ya, yb, "output");
        close(xa.grad(&ga).unwrap(), xb.grad(&gb).unwrap(), "input gradient");
        close(reference.gamma.val().grad(&ga).unwrap(), ours.gamma.val().grad(&gb).unwrap(), "γ gradient");
        close(reference.beta.val().grad(&ga).unwrap(), ours.beta.val().grad(&gb).unwrap(), "β gradient");
    }
    close(reference.running_mean.value_sync(), ours.running_mean.value_sync(), "running mean");
    close(reference.running_var.value_sync(), ours.running_var.value_sync(), "running variance");

    // Inference (no autodiff) normalises with the running statistics.
    use burn::module::AutodiffModule;
    let x = Tensor::<Inner, 4>::random([3, channels, 2, 2], Distribution::Normal(0.0, 3.0), &device);
    close(reference.valid().forward(x.clone()), ours.valid().forward(x), "inference output");
}

fn burn_conv<B: Backend>(transposed: bool, x: Tensor<B, 4>, w: Tensor<B, 4>, b: Option<Tensor<B, 1>>, stride: usize, padding: usize) -> Tensor<B, 4> {
    use burn::tensor::module::{conv2d, conv_transpose2d};
    use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
    if transposed {
        conv_transpose2d(x, w, b, ConvTransposeOptions::new([stride; 2], [padding; 2], [0, 0], [1, 1], 1))
    } else {
        conv2d(x, w, b, ConvOptions::new([stride; 2], [padding; 2], [1, 1], 1))
    }
}

fn our_conv<B: Backend>(transposed: bool, x: Tensor<B, 4>, w: Tensor<B, 4>, b: Option<Tensor<B, 1>>, stride: usize, padding: usize) -> Tensor<B, 4> {
    if transposed {
        cpu_conv::conv_transpose2d(x, w, b, stride, padding)
    } else {
        cpu_conv::conv2d(x, w, b, stride, padding)
    }
}

/// Output and the gradients of x, weight and bias of one convolution, ours against burn's, with
/// autodiff; and the output without autodiff (inference).
fn check_conv(transposed: bool, x_shape: [usize; 4], w_shape: [usize; 4], stride: usize, padding: usize, with_bias: bool) {
    let device = cpu_device();
    let x = Tensor::<Inner, 4>::random(x_shape, Distribution::Normal(0.0, 1.0), &device);
    let w = Tensor::<Inner, 4>::random(w_shape, Distribution::Normal(0.0, 0.5), &device);
    let c_out = if transposed { w_shape[1] } else { w_shape[0] };
    let b = with_bias.then(|| Tensor::<Inner, 1>::random([c_out], Distribution::Normal(0.0, 1.0), &device));
    let what = format!("transposed {transposed}, x {x_shape:?}, w {w_shape:?}, stride {stride}, padding {padding}");

    let reference = burn_conv(transposed, x.clone(), w.clone(), b.clone(), stride, padding);
    close(reference.clone(), our_conv(transposed, x.clone(), w.clone(), b.clone(), stride, padding), &format!("{what}: inference"));

    // A fixed random weighting of the outputs, so every output position counts differently.
    let weighting = Tensor::<Cpu, 4>::from_inner(Tensor::random(reference.dims(), Distribution::Normal(0.0, 1.0), &device));
    let run = |conv: fn(bool, Tensor<Cpu, 4>, Tensor<Cpu, 4>, Option<Tensor<Cpu, 1>>, usize, usize) -> Tensor<Cpu, 4>| {
        let x = Tensor::<Cpu, 4>::from_inner(x.clone()).require_grad();
        let w = Tensor::<Cpu, 4>::from_inner(w.clone()).require_grad();
        let b = b.clone().map(|b| Tensor::<Cpu, 1>::from_inner(b).require_grad());
        let y = conv(transposed, x.clone(), w.clone(), b.clone(), stride, padding);
        let grads = (y.clone() * weighting.clone()).sum().backward();
        (y, x.grad(&grads).unwrap(), w.grad(&grads).unwrap(), b.map(|b| b.grad(&grads).unwrap()))
    };
    let (ya, gxa, gwa, gba) = run(burn_conv::<Cpu>);
    let (yb, gxb, gwb, gbb) = run(our_conv::<Cpu>);
    close(ya, yb, &format!("{what}: output"));
    close(gxa, gxb, &format!("{what}: x gradient"));
    close(gwa, gwb, &format!("{what}: weight gradient"));
    if let (Some(a), Some(b)) = (gba, gbb) {
        close(a, b, &format!("{what}: bias gradient"));
    }
}

#[test]
fn convolutions_match_burns() {
    // D's layers (kernel 4, stride 2, padding 1), with and without bias.
    check_conv(false, [3, 1, 28, 28], [4, 1, 4, 4], 2, 1, true);
    check_conv(false, [2, 4, 14, 14], [5, 4, 4, 4], 2, 1, false);
    // Other shapes: a 3×3 same-padding convolution, a non-square kernel, stride 3.
    check_conv(false, [2, 3, 6, 5], [2, 3, 3, 3], 1, 1, true);
    check_conv(false, [2, 2, 7, 6], [3, 2, 3, 2], 1, 0, true);
    check_conv(false, [1, 2, 9, 9], [2, 2, 3, 3], 3, 2, true);
}

#[test]
fn transposed_convolutions_match_burns() {
    // G's first layer (1×1 → 7×7) and its doubling layers.
    check_conv(true, [3, 8, 1, 1], [8, 5, 7, 7], 1, 0, true);
    check_conv(true, [2, 6, 7, 7], [6, 3, 4, 4], 2, 1, true);
    check_conv(true, [2, 3, 14, 14], [3, 1, 4, 4], 2, 1, false);
    check_conv(true, [2, 3, 4, 5], [3, 2, 3, 3], 1, 1, true);
    check_conv(true, [1, 2, 3, 3], [2, 2, 3, 2], 3, 2, true);
}
