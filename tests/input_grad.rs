//! WGAN-GP's explicit input gradient against an independent f64 reference critic: the reference is
//! checked against central finite differences, burn's explicit gradient against the reference, and
//! the penalty's weight gradient (burn autodiff through the explicit gradient) against finite
//! differences of the f64 penalty — for the MLP and the DCGAN critic.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{backend::AutodiffBackend, Tensor, TensorData};
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::model::{Arch, DSpec, Discriminator};
use gan_playground::objective::gradient_penalty;
use rand::{rngs::StdRng, Rng, SeedableRng};

const SLOPE: f64 = 0.2;

fn lrelu(h: f64) -> f64 {
    if h > 0.0 { h } else { SLOPE * h }
}
fn slope(h: f64) -> f64 {
    if h > 0.0 { 1.0 } else { SLOPE }
}

/// The critic's weights in f64, in burn's visiting order, with their shapes.
#[derive(Clone)]
struct Reference {
    arch: Arch,
    w: Vec<Vec<f64>>,
}

/// Collects every float parameter (values, shape and, when given gradients, their gradient).
struct Collect<'a, B: AutodiffBackend> {
    grads: Option<&'a B::Gradients>,
    values: Vec<(Vec<usize>, Vec<f64>)>,
    gradients: Vec<Vec<f64>>,
}
impl<B: AutodiffBackend> ModuleVisitor<B> for Collect<'_, B> {
    fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<B, D>>) {
        let t = p.val();
        let v = t.clone().into_data().convert::<f64>().to_vec::<f64>().unwrap();
        self.values.push((t.dims().to_vec(), v));
        if let Some(g) = self.grads {
            // Biases only move the (piecewise constant) LeakyReLU slopes: no gradient, i.e. zero.
            let g = t.grad(g).map(|g| g.into_data().convert::<f64>().to_vec::<f64>().unwrap());
            self.gradients.push(g.unwrap_or_else(|| vec![0.0; t.dims().iter().product()]));
        }
    }
}

fn collect(d: &Discriminator<Cpu>, grads: Option<&<Cpu as AutodiffBackend>::Gradients>) -> (Vec<(Vec<usize>, Vec<f64>)>, Vec<Vec<f64>>) {
    let mut c = Collect::<Cpu> { grads, values: Vec::new(), gradients: Vec::new() };
    d.visit(&mut c);
    (c.values, c.gradients)
}

/// Dense layer `x·W + b` with W stored `[in, out]` row-major.
fn dense(x: &[f64], w: &[f64], b: &[f64]) -> Vec<f64> {
    let out = b.len();
    let mut h = b.to_vec();
    for (i, xi) in x.iter().enumerate() {
        for j in 0..out {
            h[j] += xi * w[i * out + j];
        }
    }
    h
}

/// Stride-2, padding-1, 4×4 convolution of `[cin, s, s]` with weights `[cout, cin, 4, 4]`.
fn conv(x: &[f64], cin: usize, s: usize, w: &[f64], b: &[f64]) -> Vec<f64> {
    let (cout, o) = (b.len(), s / 2);
    let mut out = vec![0.0; cout * o * o];
    for co in 0..cout {
        for oy in 0..o {
            for ox in 0..o {
                let mut acc = b[co];
                for ci in 0..cin {
                    for ky in 0..4 {
                        for kx in 0..4 {
                            let (iy, ix) = ((oy * 2 + ky) as isize - 1, (ox * 2 + kx) as isize - 1);
                            if iy >= 0 && ix >= 0 && (iy as usize) < s && (ix as usize) < s {
                                acc += w[((co * cin + ci) * 4 + ky) * 4 + kx] * x[(ci * s + iy as usize) * s + ix as usize];
                            }
                        }
                    }
                }
                out[(co * o + oy) * o + ox] = acc;
            }
        }
    }
    out
}

/// The adjoint of `conv` with respect to its input: scatters `g_out` back through the same index map.
fn conv_adjoint(g_out: &[f64], cin: usize, s: usize, w: &[f64], cout: usize) -> Vec<f64> {
    let o = s / 2;
    let mut g = vec![0.0; cin * s * s];
    for co in 0..cout {
        for oy in 0..o {
            for ox in 0..o {
                let go = g_out[(co * o + oy) * o + ox];
                for ci in 0..cin {
                    for ky in 0..4 {
                        for kx in 0..4 {
                            let (iy, ix) = ((oy * 2 + ky) as isize - 1, (ox * 2 + kx) as isize - 1);
                            if iy >= 0 && ix >= 0 && (iy as usize) < s && (ix as usize) < s {
                                g[(ci * s + iy as usize) * s + ix as usize] += w[((co * cin + ci) * 4 + ky) * 4 + kx] * go;
                            }
                        }
                    }
                }
            }
        }
    }
    g
}

impl Reference {
    /// Score and input gradient of one 784-pixel image.
    fn eval(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let w = &self.w;
        match self.arch {
            Arch::Mlp => {
                let h1 = dense(x, &w[0], &w[1]);
                let a1: Vec<f64> = h1.iter().map(|&h| lrelu(h)).collect();
                let h2 = dense(&a1, &w[2], &w[3]);
                let a2: Vec<f64> = h2.iter().map(|&h| lrelu(h)).collect();
                let f = dense(&a2, &w[4], &w[5])[0];
                let g_h2: Vec<f64> = (0..h2.len()).map(|k| w[4][k] * slope(h2[k])).collect();
                let g_h1: Vec<f64> = (0..h1.len())
                    .map(|j| (0..h2.len()).map(|k| g_h2[k] * w[2][j * h2.len() + k]).sum::<f64>() * slope(h1[j]))
                    .collect();
                let g_x = (0..x.len()).map(|i| (0..h1.len()).map(|j| g_h1[j] * w[0][i * h1.len() + j]).sum()).collect();
                (f, g_x)
            }
            Arch::Dcgan => {
                let h0 = conv(x, 1, 28, &w[0], &w[1]);
                let a0: Vec<f64> = h0.iter().map(|&h| lrelu(h)).collect();
                let h1 = conv(&a0, 32, 14, &w[2], &w[3]);
                let f = w[5][0] + h1.iter().zip(&w[4]).map(|(&h, wk)| lrelu(h) * wk).sum::<f64>();
                let g_h1: Vec<f64> = h1.iter().zip(&w[4]).map(|(&h, wk)| wk * slope(h)).collect();
                let g_a0 = conv_adjoint(&g_h1, 32, 14, &w[2], 64);
                let g_h0: Vec<f64> = g_a0.iter().zip(&h0).map(|(g, &h)| g * slope(h)).collect();
                (f, conv_adjoint(&g_h0, 1, 28, &w[0], 32))
            }
        }
    }

    fn penalty(&self, xs: &[Vec<f64>]) -> f64 {
        xs.iter()
            .map(|x| {
                let g = self.eval(x).1;
                (g.iter().map(|v| v * v).sum::<f64>().sqrt() - 1.0).powi(2)
            })
            .sum::<f64>()
            / xs.len() as f64
    }
}

fn critic(arch: Arch) -> (Discriminator<Cpu>, Reference) {
    let d = Discriminator::<Cpu>::new(arch, DSpec { batchnorm: false, ..DSpec::default() }, 8, &cpu_device());
    let (values, _) = collect(&d, None);
    let shapes: Vec<Vec<usize>> = values.iter().map(|(s, _)| s.clone()).collect();
    let expected: Vec<Vec<usize>> = match arch {
        Arch::Mlp => vec![vec![784, 512], vec![512], vec![512, 256], vec![256], vec![256, 1], vec![1]],
        Arch::Dcgan => vec![vec![32, 1, 4, 4], vec![32], vec![64, 32, 4, 4], vec![64], vec![3136, 1], vec![1]],
    };
    assert_eq!(shapes, expected, "the reference assumes this parameter order");
    (d, Reference { arch, w: values.into_iter().map(|(_, v)| v).collect() })
}

fn images(rng: &mut StdRng, n: usize) -> Vec<Vec<f64>> {
    (0..n).map(|_| (0..784).map(|_| rng.random_range(-1.0..1.0f32) as f64).collect()).collect()
}

fn tensor(xs: &[Vec<f64>]) -> Tensor<Cpu, 4> {
    let flat: Vec<f32> = xs.iter().flatten().map(|&v| v as f32).collect();
    Tensor::from_data(TensorData::new(flat, [xs.len(), 1, 28, 28]), &cpu_device())
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt();
    diff / b.iter().map(|y| y * y).sum::<f64>().sqrt()
}

fn check(arch: Arch) {
    let mut rng = StdRng::seed_from_u64(7);
    let (d, reference) = critic(arch);
    // Inputs rounded to f32 first so both sides see the same numbers.
    let xs: Vec<Vec<f64>> = images(&mut rng, 3).into_iter().map(|x| x.into_iter().map(|v| v as f32 as f64).collect()).collect();

    // 1. The f64 reference gradient agrees with central finite differences of the f64 critic.
    let h = 1e-6;
    for x in &xs[..1] {
        let (_, g) = reference.eval(x);
        let coords: Vec<usize> = (0..120).map(|_| rng.random_range(0..784)).collect();
        let fd: Vec<f64> = coords
            .iter()
            .map(|&i| {
                let (mut up, mut down) = (x.clone(), x.clone());
                up[i] += h;
                down[i] -= h;
                (reference.eval(&up).0 - reference.eval(&down).0) / (2.0 * h)
            })
            .collect();
        let picked: Vec<f64> = coords.iter().map(|&i| g[i]).collect();
        let e = rel_err(&picked, &fd);
        assert!(e < 1e-6, "{arch:?}: reference input gradient vs finite differences: relative error {e}");
    }

    // 2. burn's explicit input gradient (f32) agrees with the reference, and so does the score.
    let (score, grad) = d.score_with_input_grad(tensor(&xs));
    let score = score.into_data().convert::<f64>().to_vec::<f64>().unwrap();
    let grad = grad.into_data().convert::<f64>().to_vec::<f64>().unwrap();
    for (i, x) in xs.iter().enumerate() {
        let (f, g) = reference.eval(x);
        assert!((score[i] - f).abs() < 1e-4 * (1.0 + f.abs()), "{arch:?}: score {} vs {f}", score[i]);
        let e = rel_err(&grad[i * 784..(i + 1) * 784], &g);
        assert!(e < 1e-3, "{arch:?}: explicit input gradient vs reference: relative error {e}");
    }

    // 3. The penalty's weight gradient (autodiff through the explicit gradient) against central
    //    differences of the f64 penalty along a random direction in each parameter tensor.
    let (real, fake) = (xs.clone(), images(&mut rng, 3));
    let eps: Vec<f32> = (0..3).map(|_| rng.random_range(0.0..1.0)).collect();
    let mixed: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            let e = eps[i];
            (0..784).map(|p| (real[i][p] as f32 * e + fake[i][p] as f32 * (1.0 - e)) as f64).collect()
        })
        .collect();
    let eps_t = Tensor::<Cpu, 4>::from_data(TensorData::new(eps.clone(), [3, 1, 1, 1]), &cpu_device());
    let (penalty, _) = gradient_penalty(&d, tensor(&real), tensor(&fake), eps_t);
    let p32 = penalty.clone().into_data().convert::<f64>().to_vec::<f64>().unwrap()[0];
    let p64 = reference.penalty(&mixed);
    assert!((p32 - p64).abs() < 1e-3 * p64.max(1.0), "{arch:?}: penalty {p32} vs reference {p64}");
    let grads = penalty.backward();
    let (_, gradients) = collect(&d, Some(&grads));
    // A small step keeps every LeakyReLU on its side: a pre-activation crossing zero would make the
    // penalty jump (the input gradient is piecewise constant in the slopes).
    let h = 1e-8;
    for (t, g) in gradients.iter().enumerate() {
        let v: Vec<f64> = (0..g.len()).map(|_| rng.random_range(-1.0..1.0)).collect();
        let analytic: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
        let (mut up, mut down) = (reference.clone(), reference.clone());
        for (k, dv) in v.iter().enumerate() {
            up.w[t][k] += h * dv;
            down.w[t][k] -= h * dv;
        }
        let numeric = (up.penalty(&mixed) - down.penalty(&mixed)) / (2.0 * h);
        // The directional derivative Σ g_k·v_k sums up to 400k terms of both signs and can cancel to
        // far below its terms (the weights are drawn afresh each run), and the f32 sums differ
        // between CPUs (SIMD width, accumulation order). So the tolerance is 1e-3 of the result plus
        // 1e-6 of the sum of the terms' magnitudes, which does not cancel (f32 reaches ~1e-8 of it).
        let scale: f64 = g.iter().zip(&v).map(|(a, b)| (a * b).abs()).sum();
        if scale == 0.0 {
            // A bias only moves the piecewise-constant LeakyReLU slopes: both sides must be zero.
            assert!(numeric.abs() < 1e-9, "{arch:?}: parameter {t} has no autodiff gradient but finite differences {numeric}");
            continue;
        }
        let tolerance = 1e-3 * numeric.abs() + 1e-6 * scale;
        assert!(
            (analytic - numeric).abs() < tolerance,
            "{arch:?}: penalty gradient of parameter {t}: autodiff {analytic} vs finite differences {numeric} (tolerance {tolerance}, terms' magnitude {scale})"
        );
    }
}

#[test]
fn mlp_critic_input_gradient_and_penalty_gradient_match_finite_differences() {
    check(Arch::Mlp);
}

#[test]
fn dcgan_critic_input_gradient_and_penalty_gradient_match_finite_differences() {
    check(Arch::Dcgan);
}

/// `WganGp::d_loss` as the objective assembles it, against the f64 reference critic: the sign of each
/// term, the weight λ and one interpolation weight ε per sample (read from a copy of the loss stream).
#[test]
fn wgan_gp_discriminator_loss_assembles_both_terms_with_one_epsilon_per_sample() {
    use gan_playground::config::ParamValues;
    use gan_playground::objective::{self, Fake, StepContext};
    use gan_playground::rng::LaneRng;

    let n = 4;
    let mut rng = StdRng::seed_from_u64(11);
    let (d, reference) = critic(Arch::Mlp);
    let round = |xs: Vec<Vec<f64>>| -> Vec<Vec<f64>> { xs.into_iter().map(|x| x.into_iter().map(|v| v as f32 as f64).collect()).collect() };
    let (real, fake) = (round(images(&mut rng, n)), round(images(&mut rng, n)));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let f_real: Vec<f64> = real.iter().map(|x| reference.eval(x).0).collect();
    let f_fake: Vec<f64> = fake.iter().map(|x| reference.eval(x).0).collect();
    for lambda in [0.0, 10.0, 3.5] {
        let params = ParamValues([("lambda".to_string(), lambda), ("n_critic".to_string(), 5.0)].into_iter().collect());
        let wgan_gp = objective::build::<Cpu>("wgan-gp", &params).unwrap();
        let stream = LaneRng::seed_from_u64(3);
        // The weights the loss should draw: one ε ~ U[0, 1) per sample, in sample order.
        let mut copy = stream.clone();
        let eps: Vec<f32> = (0..n).map(|_| copy.random_range(0.0f64..1.0) as f32).collect();
        let mixed: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..784).map(|p| (real[i][p] as f32 * eps[i] + fake[i][p] as f32 * (1.0 - eps[i])) as f64).collect())
            .collect();
        let norms: Vec<f64> = mixed.iter().map(|x| reference.eval(x).1.iter().map(|g| g * g).sum::<f64>().sqrt()).collect();
        let penalty = reference.penalty(&mixed);
        let expected = mean(&f_fake) - mean(&f_real) + lambda * penalty;

        let mut stream = stream;
        let mut ctx = StepContext { g_step: 0, rng: &mut stream };
        let fake_t = Fake { images: tensor(&fake), z: Tensor::zeros([n, 8], &cpu_device()) };
        let loss = wgan_gp.d_loss(&d, tensor(&real), fake_t, &mut ctx);
        let value = loss.value.into_data().convert::<f64>().to_vec::<f64>().unwrap()[0];
        assert!((value - expected).abs() < 1e-4 * (1.0 + expected.abs()), "λ = {lambda}: L_D {value}, expected {expected}");
        let diag: Vec<(&str, f64)> = loss.diagnostics.into_iter().map(|(n, t)| (n, t.into_data().convert::<f64>().to_vec::<f64>().unwrap()[0])).collect();
        let want = [("w_estimate", mean(&f_real) - mean(&f_fake)), ("gradient_penalty", penalty), ("grad_norm", mean(&norms))];
        assert_eq!(diag.iter().map(|d| d.0).collect::<Vec<_>>(), want.iter().map(|w| w.0).collect::<Vec<_>>());
        for (&(name, got), (_, want)) in diag.iter().zip(want) {
            assert!((got - want).abs() < 1e-4 * (1.0 + want.abs()), "λ = {lambda}: {name} {got}, expected {want}");
        }
    }
}
