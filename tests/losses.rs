//! Loss maths against independently computed values (scalar f64 formulas, not the tensor code)
//! and against finite differences of the loss itself.

use burn::backend::Flex;
use burn::tensor::{Tensor, TensorData};
use gan_playground::objective::losses::{bce_with_logits, gan_d_loss, js_estimate, mean_prob, softplus};

type B = Flex;

fn t(v: &[f32]) -> Tensor<B, 2> {
    Tensor::from_data(TensorData::new(v.to_vec(), [v.len(), 1]), &Default::default())
}

fn scalar(x: Tensor<B, 1>) -> f64 {
    x.into_data().to_vec::<f32>().unwrap()[0] as f64
}

fn sp(x: f64) -> f64 {
    (1.0 + x.exp()).ln()
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * (1.0 + b.abs()), "{a} vs {b}");
}

#[test]
fn softplus_matches_the_definition_and_never_overflows() {
    let xs = [-30.0f32, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0];
    let out = softplus(t(&xs)).into_data().to_vec::<f32>().unwrap();
    for (x, y) in xs.iter().zip(out) {
        close(y as f64, sp(*x as f64), 1e-6);
    }
    let big = softplus(t(&[100.0, -100.0])).into_data().to_vec::<f32>().unwrap();
    assert_eq!(big[0], 100.0);
    assert!(big[1] >= 0.0 && big[1] < 1e-40);
    close(sp(0.0), std::f64::consts::LN_2, 1e-12);
}

#[test]
fn discriminator_loss_on_fixed_logits() {
    // Hand-derived: real logits [0, 2], fake [-1, 1].
    // E[softplus(-l(x))] = (ln 2 + ln(1 + e^-2)) / 2 = 0.4100378
    // E[softplus(l(G(z)))] = (ln(1 + e^-1) + ln(1 + e)) / 2 = 0.8132617
    let l_d = scalar(gan_d_loss(t(&[0.0, 2.0]), t(&[-1.0, 1.0]), 1.0));
    close(l_d, 1.2232995, 1e-6);
    close(l_d, (sp(0.0) + sp(-2.0)) / 2.0 + (sp(-1.0) + sp(1.0)) / 2.0, 1e-6);
}

#[test]
fn label_smoothing_mixes_both_targets() {
    // Target 0.9: 0.9·softplus(-l) + 0.1·softplus(l), l = 1.5.
    let got = scalar(bce_with_logits(t(&[1.5]), 0.9));
    close(got, 0.9 * sp(-1.5) + 0.1 * sp(1.5), 1e-6);
}

#[test]
fn generator_costs_on_fixed_logits() {
    let fake = [-3.0f32, 0.0, 2.5];
    let mean = |f: fn(f64) -> f64| fake.iter().map(|&x| f(x as f64)).sum::<f64>() / 3.0;
    // Non-saturating: E[-log σ(l)] = E[softplus(-l)].
    close(scalar(bce_with_logits(t(&fake), 1.0)), mean(|x| -(1.0 / (1.0 + (-x).exp())).ln()), 1e-6);
    // Minimax: E[log(1 - σ(l))] = -E[softplus(l)].
    let minimax = -scalar(softplus(t(&fake)).mean());
    close(minimax, mean(|x| (1.0 - 1.0 / (1.0 + (-x).exp())).ln()), 1e-6);
}

#[test]
fn saturating_cost_has_a_vanishing_gradient_when_d_wins() {
    // d/dl of -softplus(l) is -σ(l): tiny when D confidently rejects the fake (l = -8);
    // the non-saturating cost's gradient -(1 - σ(l)) stays near -1 there. Checked by central differences.
    let h = 1e-2f32;
    let fd = |f: &dyn Fn(f32) -> f64, x: f32| (f(x + h) - f(x - h)) / (2.0 * h as f64);
    let minimax = |x: f32| -scalar(softplus(t(&[x])).mean());
    let nonsat = |x: f32| scalar(bce_with_logits(t(&[x]), 1.0));
    let sigma = |x: f64| 1.0 / (1.0 + (-x).exp());
    close(fd(&minimax, -8.0), -sigma(-8.0), 1e-3);
    close(fd(&nonsat, -8.0), -(1.0 - sigma(-8.0)), 1e-3);
    assert!(fd(&minimax, -8.0).abs() < 1e-3 && fd(&nonsat, -8.0).abs() > 0.99);
}

#[test]
fn probabilities_and_js_estimate() {
    close(scalar(mean_prob(t(&[0.0, 0.0]))), 0.5, 1e-7);
    // At the equilibrium D(x) = 1/2 everywhere, L_D = 2 ln 2 = ln 4 and JS = 0.
    let l_d = gan_d_loss(t(&[0.0]), t(&[0.0]), 1.0);
    close(scalar(l_d.clone()), 4f64.ln(), 1e-6);
    assert!(scalar(js_estimate(l_d)).abs() < 1e-6);
}
