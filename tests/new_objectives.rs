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
    // With the default λ_cat = 1 the mutual-information lower bound (ceiling log 10 ≈ 2.30) climbs
    // well above 0 within a few hundred steps: G really uses the code and Q reads it back.
    let (train, _) = common::digits().split();
    let cfg = common::config(r#"{"objective": "infogan", "batch": 64, "seed": 1}"#);
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
