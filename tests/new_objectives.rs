//! The maths of EBGAN, InfoGAN, MEG and the non-saturating tricks on fixed tensors (hand-derived
//! values), and InfoGAN's information loss falling when Q and G train on it alone.

mod common;

use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::{Distribution, Tensor, TensorData};
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::config::ParamValues;
use gan_playground::model::{Arch, DSpec, Discriminator, GSpec, Generator};
use gan_playground::objective::losses::bce_with_logit_targets;
use gan_playground::objective::{self, ebgan_d_loss, info_loss, jsd_mi, pull_away, CATEGORIES, CONTINUOUS};

fn m(rows: &[&[f32]]) -> Tensor<Cpu, 2> {
    let cols = rows[0].len();
    let flat: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), cols]), &cpu_device())
}

fn scalar(x: Tensor<Cpu, 1>) -> f64 {
    x.into_data().to_vec::<f32>().unwrap()[0] as f64
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() < tol, "{a} vs {b}");
}

fn sp(x: f64) -> f64 {
    (1.0 + x.exp()).ln()
}

#[test]
fn pull_away_term_is_the_mean_squared_cosine_off_the_diagonal() {
    // Identical codes: every cosine is 1.
    close(scalar(pull_away(m(&[&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]]))), 1.0, 1e-5);
    // Orthogonal codes: 0.
    close(scalar(pull_away(m(&[&[1.0, 0.0, 0.0], &[0.0, 2.0, 0.0], &[0.0, 0.0, 3.0]]))), 0.0, 1e-6);
    // (1,0), (1,1), (0,1): cos² = ½, 0, ½ for the three pairs, each counted twice over 3·2 ordered
    // pairs: 2·(½ + 0 + ½)/6 = 1/3. Without the square it would be 2·(0.7071 + 0 + 0.7071)/6 = 0.4714.
    close(scalar(pull_away(m(&[&[1.0, 0.0], &[1.0, 1.0], &[0.0, 1.0]]))), 1.0 / 3.0, 1e-6);
}

#[test]
fn ebgan_discriminator_loss_hinges_each_fake_at_the_margin() {
    let v = |x: &[f32]| Tensor::<Cpu, 1>::from_data(TensorData::new(x.to_vec(), [x.len()]), &cpu_device());
    // mean(0.1, 0.3) + mean(max(0, 1 - 0.5), max(0, 1 - 1.5)) = 0.2 + 0.25.
    close(scalar(ebgan_d_loss(v(&[0.1, 0.3]), v(&[0.5, 1.5]), 1.0)), 0.45, 1e-6);
    // A hinge on the batch mean instead would give 0.2 + max(0, 1 - 1.0) = 0.2.
    close(scalar(ebgan_d_loss(v(&[0.1, 0.3]), v(&[2.0, 3.0]), 1.0)), 0.2, 1e-6);
}

#[test]
fn infogan_information_loss_on_fixed_outputs() {
    // Generator input: 2 latent values, one-hot code (class 0), continuous codes (0, 0).
    let mut z = vec![0.3f32, -0.2];
    z.extend((0..CATEGORIES).map(|c| if c == 0 { 1.0 } else { 0.0 }));
    z.extend([0.0, 0.0]);
    let z = m(&[&z]);
    // Q: logits (2, 0, …, 0), continuous means (0.5, -0.5).
    let mut q = vec![2.0f32];
    q.extend([0.0; CATEGORIES - 1]);
    q.extend([0.5, -0.5]);
    let (ce, mse) = info_loss(m(&[&q]), z.clone());
    // CE = -log softmax_0 = log(e² + 9) - 2; MSE = (0.25 + 0.25)/2.
    close(scalar(ce), ((2f64).exp() + 9.0).ln() - 2.0, 1e-5);
    close(scalar(mse), 0.25, 1e-6);
    // Uninformative Q: CE = log 10, i.e. a mutual-information lower bound of 0.
    let flat = vec![0.0f32; CATEGORIES + CONTINUOUS];
    close(scalar(info_loss(m(&[&flat]), z).0), (10f64).ln(), 1e-5);
}

#[test]
fn jensen_shannon_mi_bound_on_fixed_statistics() {
    // E[-softplus(-T_joint)] - E[softplus(T_marginal)].
    close(scalar(jsd_mi(m(&[&[0.0]]), m(&[&[0.0]]))), -2.0 * (2f64).ln(), 1e-6);
    let v = scalar(jsd_mi(m(&[&[3.0], &[1.0]]), m(&[&[-3.0], &[0.5]])));
    close(v, -(sp(-3.0) + sp(-1.0)) / 2.0 - (sp(-3.0) + sp(0.5)) / 2.0, 1e-6);
}

#[test]
fn noisy_label_cross_entropy_and_annealed_instance_noise() {
    // Per-sample targets (1, 0) on logits (0, 2): (softplus(0) - 0 + softplus(2) - 0)/2; a flipped real
    // label (target 0) on logit 0 costs softplus(0) too, on logit -1 it costs softplus(-1).
    close(scalar(bce_with_logit_targets(m(&[&[0.0], &[2.0]]), m(&[&[1.0], &[0.0]]))), (sp(0.0) + sp(2.0)) / 2.0, 1e-6);
    close(scalar(bce_with_logit_targets(m(&[&[-1.0]]), m(&[&[0.0]]))), sp(-1.0), 1e-6);
    close(scalar(bce_with_logit_targets(m(&[&[-1.0]]), m(&[&[1.0]]))), sp(1.0), 1e-6);
    // The instance-noise σ is reported as a diagnostic: 0.5 at the start, half-way after half the steps.
    let (train, _) = common::digits().split();
    let cfg = common::config(r#"{"batch": 8, "params": {"instance_noise": 1, "noise_steps": 4, "noisy_labels": 1, "dropout_g": 1}}"#);
    let mut lane = gan_playground::lane::Lane::<Cpu>::new(cfg, &train, &cpu_device()).unwrap();
    let sigma: Vec<f32> = (0..5)
        .map(|_| {
            let s = pollster::block_on(lane.train_step().read()).unwrap();
            assert!(s.finite, "{s:?}");
            s.diagnostics.iter().find(|d| d.0 == "instance_noise").unwrap().1.unwrap()
        })
        .collect();
    assert_eq!(sigma, vec![0.5, 0.375, 0.25, 0.125, 0.0]);
}

#[test]
fn infogan_information_loss_falls_when_q_and_g_train_on_it_alone() {
    let device = cpu_device();
    let spec = GSpec { categorical: CATEGORIES, continuous: CONTINUOUS, dropout: 0.0 };
    let latent = 16;
    <Cpu as burn::tensor::backend::Backend>::seed(&device, 5);
    let mut g = Generator::<Cpu>::new(Arch::Mlp, latent, spec, &device);
    let mut d = Discriminator::<Cpu>::new(Arch::Mlp, DSpec { q_outputs: CATEGORIES + CONTINUOUS, ..DSpec::default() }, latent + spec.codes(), &device);
    let (mut opt_g, mut opt_d) = (AdamConfig::new().init(), AdamConfig::new().init());
    let batch = |i: usize| {
        let noise = Tensor::<Cpu, 2>::random([32, latent], Distribution::Normal(0.0, 1.0), &device);
        let hot: Vec<f32> = (0..32).flat_map(|r| (0..CATEGORIES).map(move |c| if (r + i) % CATEGORIES == c { 1.0 } else { 0.0 })).collect();
        let hot = Tensor::from_data(TensorData::new(hot, [32, CATEGORIES]), &device);
        let cont = Tensor::<Cpu, 2>::random([32, CONTINUOUS], Distribution::Uniform(-1.0, 1.0), &device);
        Tensor::cat(vec![noise, hot, cont], 1)
    };
    let loss = |g: &Generator<Cpu>, d: &Discriminator<Cpu>, z: Tensor<Cpu, 2>| {
        let (ce, mse) = info_loss(d.q(d.features(g.forward(z.clone()))), z);
        ce + mse.mul_scalar(0.1)
    };
    let start = scalar(loss(&g, &d, batch(0)).detach());
    for i in 0..60 {
        let l = loss(&g, &d, batch(i));
        let mut grads = l.backward();
        // Take each network's gradients out of the one backward pass.
        let (gg, gd) = (GradientsParams::from_module(&mut grads, &g), GradientsParams::from_module(&mut grads, &d));
        g = opt_g.step(1e-3, g, gg);
        d = opt_d.step(1e-3, d, gd);
    }
    let end = scalar(loss(&g, &d, batch(0)).detach());
    assert!(end < 0.5 * start, "information loss {start} → {end}");
    // Sanity: the objective built from the registry asks for these heads.
    let info = objective::build::<Cpu>("infogan", &ParamValues::default()).unwrap();
    assert_eq!(info.g_spec().codes(), 12);
    assert_eq!(info.d_spec().q_outputs, 12);
}

#[test]
fn infogan_code_grid_has_a_row_per_category_and_other_objectives_refuse_it() {
    let (train, _) = common::digits().split();
    let cfg = common::config(r#"{"objective": "infogan", "batch": 8}"#);
    let mut lane = gan_playground::lane::Lane::<Cpu>::new(cfg, &train, &cpu_device()).unwrap();
    pollster::block_on(lane.train_step().read()).unwrap();
    let grid = pollster::block_on(lane.code_grid(3, 1, 0.5, 5)).unwrap();
    assert_eq!(grid.len(), CATEGORIES * 5 * 784);
    let image = |r: usize, c: usize| &grid[(r * 5 + c) * 784..(r * 5 + c + 1) * 784];
    assert_ne!(image(0, 0), image(1, 0), "categories change the output");
    assert_ne!(image(0, 0), image(0, 4), "the continuous sweep changes the output");
    assert!(pollster::block_on(lane.code_grid(64, 0, 0.0, 5)).is_err());
    assert!(pollster::block_on(lane.code_grid(0, 2, 0.0, 5)).is_err());
    let plain = common::config(r#"{"batch": 8}"#);
    let lane = gan_playground::lane::Lane::<Cpu>::new(plain, &train, &cpu_device()).unwrap();
    let err = pollster::block_on(lane.code_grid(0, 0, 0.0, 5)).unwrap_err();
    assert!(err.contains("no latent codes"), "{err}");
}

#[test]
fn infogan_lane_learns_its_categorical_code() {
    // With λ_cat = 10 the mutual-information lower bound (ceiling log 10 ≈ 2.30) climbs well above 0
    // within a few hundred steps: G really uses the code and Q reads it back. (λ now weighs the
    // information term against the adversarial one inside each network's single optimizer; at the
    // default λ_cat = 1 the bound is still near 0 after 300 MLP steps of batch 64.)
    let (train, _) = common::digits().split();
    let cfg = common::config(r#"{"objective": "infogan", "batch": 64, "seed": 1, "params": {"lambda_cat": 10}}"#);
    let mut lane = gan_playground::lane::Lane::<Cpu>::new(cfg, &train, &cpu_device()).unwrap();
    let mut mi = Vec::new();
    for _ in 0..300 {
        let s = pollster::block_on(lane.train_step().read()).unwrap();
        mi.push(s.diagnostics.iter().find(|d| d.0 == "mi_lower_bound").unwrap().1.unwrap());
    }
    let late: f32 = mi[250..].iter().sum::<f32>() / 50.0;
    assert!(mi[0].abs() < 0.1 && late > 1.0, "MI lower bound {} at the start, {late} over steps 251-300", mi[0]);
}

#[test]
fn ebgan_energy_of_a_sample_does_not_depend_on_the_rest_of_its_batch() {
    // The energy is each sample's own reconstruction error. BatchNorm in training mode (the autodiff
    // backend) would make it a function of the whole batch, and let D tell a fake batch from a real
    // one by its statistics: EBGAN's autoencoder is built without it.
    let device = cpu_device();
    let ebgan = objective::build::<Cpu>("ebgan", &ParamValues::default()).unwrap();
    let image = |n: usize, scale: f64| Tensor::<Cpu, 4>::random([n, 1, 28, 28], Distribution::Uniform(-1.0, 1.0), &device).mul_scalar(scale);
    let first_energy = |d: &Discriminator<Cpu>, x: Tensor<Cpu, 4>| {
        let (recon, _) = d.reconstruct(x.clone());
        let first = |t: Tensor<Cpu, 4>| t.narrow(0, 0, 1).into_data().to_vec::<f32>().unwrap();
        let (r, x) = (first(recon), first(x));
        r.iter().zip(&x).map(|(a, b)| ((a - b) as f64).powi(2)).sum::<f64>() / x.len() as f64
    };
    for arch in [Arch::Mlp, Arch::Dcgan] {
        let d = Discriminator::<Cpu>::new(arch, ebgan.d_spec(), 100, &device);
        let x = image(1, 1.0);
        let alone_in = Tensor::cat(vec![x.clone(), image(3, 1.0)], 0);
        let with_other = Tensor::cat(vec![x, image(5, 0.2).add_scalar(0.5)], 0);
        close(first_energy(&d, alone_in), first_energy(&d, with_other), 1e-5);
    }
}

/// The non-saturating objective's losses on the networks another objective asks for (InfoGAN's
/// generator with codes and D with a Q head), so that a lane can run it on exactly InfoGAN's nets.
struct LossesOn {
    losses: Box<dyn objective::Objective<Cpu>>,
    nets: Box<dyn objective::Objective<Cpu>>,
}

impl objective::Objective<Cpu> for LossesOn {
    fn info(&self) -> &'static objective::ObjectiveInfo {
        self.losses.info()
    }
    fn d_loss(&self, d: &Discriminator<Cpu>, real: Tensor<Cpu, 4>, fake: objective::Fake<Cpu>, ctx: &mut objective::StepContext) -> objective::Loss<Cpu> {
        self.losses.d_loss(d, real, fake, ctx)
    }
    fn g_loss(&self, d: &Discriminator<Cpu>, fake: objective::Fake<Cpu>, ctx: &mut objective::StepContext) -> objective::Loss<Cpu> {
        self.losses.g_loss(d, fake, ctx)
    }
    fn d_spec(&self) -> DSpec {
        self.nets.d_spec()
    }
    fn g_spec(&self) -> GSpec {
        self.nets.g_spec()
    }
    fn d_steps(&self, g_step: usize) -> usize {
        self.losses.d_steps(g_step)
    }
    fn optimizer(&self) -> objective::OptimizerKind {
        self.losses.optimizer()
    }
}

fn infogan_json(arch: &str, lambda: f64) -> String {
    format!(r#"{{"objective": "infogan", "arch": "{arch}", "batch": 16, "seed": 4, "params": {{"lambda_cat": {lambda}, "lambda_con": {lambda}}}}}"#)
}

#[test]
fn infogan_with_lambda_zero_is_the_non_saturating_run_step_for_step() {
    let data = common::small_train();
    for arch in ["mlp", "dcgan"] {
        let config = common::config(&infogan_json(arch, 0.0));
        let mut info = gan_playground::lane::Lane::<Cpu>::new(config.clone(), &data, &cpu_device()).unwrap();
        let ns = LossesOn {
            losses: objective::build::<Cpu>("nonsaturating", &common::config("{}").params).unwrap(),
            nets: objective::build::<Cpu>("infogan", &config.params).unwrap(),
        };
        let mut plain = gan_playground::lane::Lane::<Cpu>::with_objective(config, Box::new(ns), &data, &cpu_device());
        let (a, b) = (common::train(&mut info, 4), common::train(&mut plain, 4));
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.d_loss.map(f32::to_bits), y.d_loss.map(f32::to_bits), "{arch}: L_D at step {}", x.step);
            assert_eq!(x.g_loss.map(f32::to_bits), y.g_loss.map(f32::to_bits), "{arch}: L_G at step {}", x.step);
            for name in ["d_real", "d_fake", "g_grad_norm"] {
                assert_eq!(x.diagnostic(name).map(f32::to_bits), y.diagnostic(name).map(f32::to_bits), "{arch}: {name}");
            }
        }
        assert_eq!(common::flat(info.generator()), common::flat(plain.generator()), "{arch}: G's weights");
        assert_eq!(common::flat(info.discriminator()), common::flat(plain.discriminator()), "{arch}: D's weights");
    }
}

#[test]
fn infogan_lambda_changes_the_trajectory() {
    // λ sits inside G's and D's losses, each network with one optimizer: Adam normalises the sum, so
    // λ = 1 and λ = 10 steer differently. (With the information loss on optimizers of its own, Adam
    // cancelled any constant factor and the two runs differed only through ε.)
    let data = common::small_train();
    let run = |lambda: f64| {
        let mut l = common::lane(&infogan_json("mlp", lambda), &data);
        let stats = common::train(&mut l, 12);
        (common::flat(l.generator()), stats)
    };
    let (w0, _) = run(0.0);
    let (w1, s1) = run(1.0);
    let (w10, s10) = run(10.0);
    let dist = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum::<f64>().sqrt();
    let (d01, d110) = (dist(&w0, &w1), dist(&w1, &w10));
    assert!(d01 > 0.0 && d110 > 0.3 * d01, "‖G(λ=1) - G(λ=0)‖ = {d01}, ‖G(λ=10) - G(λ=1)‖ = {d110}");
    // L_G includes λ·L_I: G's reported loss grows with λ.
    let info_loss = |s: &[gan_playground::lane::StepStats]| s[0].diagnostic("info_loss").unwrap();
    assert!(info_loss(&s10) > 5.0 * info_loss(&s1), "L_I at step 1: {} (λ = 10) vs {} (λ = 1)", info_loss(&s10), info_loss(&s1));
}

#[test]
fn infogan_trains_q_in_the_discriminator_step_and_g_alone_in_the_generator_step() {
    let data = common::small_train();
    let mut l = common::lane(&infogan_json("mlp", 1.0), &data);
    let q = |l: &gan_playground::lane::Lane<Cpu>| common::paths(l.discriminator()).into_iter().filter(|(p, _)| p.starts_with("q.")).collect::<Vec<_>>();
    let (d0, q0) = (common::flat(l.discriminator()), q(&l));
    assert!(!q0.is_empty());
    pollster::block_on(l.train_phase(1, gan_playground::lane::Phase::G)).unwrap();
    assert_eq!(common::flat(l.discriminator()), d0, "G's step leaves D and Q alone");
    pollster::block_on(l.train_phase(1, gan_playground::lane::Phase::D)).unwrap();
    assert_ne!(q(&l), q0, "D's step trains Q on λ·L_I");
}

#[test]
fn meg_takes_k_energy_steps_and_then_one_step_of_g_and_t_together() {
    let data = common::small_train();
    let config = common::config(r#"{"objective": "meg", "batch": 8, "seed": 2}"#);
    assert_eq!(config.params.get("k"), Some(5.0), "Kumar et al. 2019 use 5 energy steps per G step on MNIST");
    assert_eq!(objective::build::<Cpu>("meg", &config.params).unwrap().d_steps(0), 5);
    let mut l = gan_playground::lane::Lane::<Cpu>::new(config, &data, &cpu_device()).unwrap();
    let split = |l: &gan_playground::lane::Lane<Cpu>| {
        let (t, energy): (Vec<_>, Vec<_>) = common::paths(l.discriminator()).into_iter().partition(|(p, _)| p.starts_with("stats."));
        assert!(!t.is_empty() && !energy.is_empty());
        (t, energy)
    };
    let (t0, e0) = split(&l);
    let g0 = common::flat(l.generator());
    let s = pollster::block_on(l.train_phase(1, gan_playground::lane::Phase::D)).unwrap().remove(0);
    let (t1, e1) = split(&l);
    assert!(t1 == t0 && e1 != e0, "the energy steps train the energy only");
    assert!(s.diagnostic("mi_estimate").is_none(), "I_JSD is not part of the energy step");
    let s = pollster::block_on(l.train_phase(1, gan_playground::lane::Phase::G)).unwrap().remove(0);
    let (t2, e2) = split(&l);
    assert!(t2 != t1 && e2 == e1, "the generator step trains T, not the energy");
    assert_ne!(common::flat(l.generator()), g0);
    assert!(s.diagnostic("mi_estimate").is_some_and(f32::is_finite));
}
