//! Our CPU-friendly layers against burn's own, on the CPU backend: `BatchNorm2d` against `nn::BatchNorm`
//! (outputs, gradients, running statistics, inference).

use burn::module::Param;
use burn::nn::BatchNormConfig;
use burn::tensor::{Distribution, Tensor, TensorData, Tolerance};
use burn::tensor::backend::Backend;
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::model::BatchNorm2d;

type Inner = <Cpu as burn::tensor::backend::AutodiffBackend>::InnerBackend;

fn close<const D: usize, B: Backend>(a: Tensor<B, D>, b: Tensor<B, D>, what: &str) {
    let (a, b) = (a.into_data(), b.into_data());
    assert_eq!(a.shape, b.shape, "{what}: shapes");
    eprintln!("checking {what}");
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

