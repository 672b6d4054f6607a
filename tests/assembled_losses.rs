//! Each objective's loss as the objective assembles it (`d_loss`, `g_loss` on a real network), against
//! values recomputed here in f64 from the network's raw outputs: the signs, weights and targets of
//! every term, and the training tricks' noise really reaching D's inputs and labels.

use burn::optim::{GradientsParams, Optimizer, SgdConfig};
use burn::tensor::{Distribution, Tensor, TensorData};
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::config::ParamValues;
use gan_playground::model::{Arch, Discriminator};
use gan_playground::objective::{self, Fake, Loss, Objective, StepContext, CATEGORIES, CONTINUOUS};
use gan_playground::rng::LaneRng;
use rand::SeedableRng;

const LATENT: usize = 8;

fn params(pairs: &[(&str, f64)]) -> ParamValues {
    ParamValues(pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect())
}

fn build(id: &str, pairs: &[(&str, f64)]) -> Box<dyn Objective<Cpu>> {
    objective::build::<Cpu>(id, &params(pairs)).unwrap()
}

/// A discriminator with the heads `objective` asks for, on a generator input of `LATENT` values.
fn disc(objective: &dyn Objective<Cpu>, arch: Arch, seed: u64) -> Discriminator<Cpu> {
    <Cpu as burn::tensor::backend::Backend>::seed(&cpu_device(), seed);
    Discriminator::new(arch, objective.d_spec(), LATENT + objective.g_spec().codes(), &cpu_device())
}

fn images(n: usize) -> Tensor<Cpu, 4> {
    Tensor::random([n, 1, 28, 28], Distribution::Uniform(-1.0, 1.0), &cpu_device())
}

fn fake(images: Tensor<Cpu, 4>) -> Fake<Cpu> {
    let [n, ..] = images.dims();
    Fake { images, z: Tensor::random([n, LATENT], Distribution::Normal(0.0, 1.0), &cpu_device()) }
}

fn values<const D: usize>(t: Tensor<Cpu, D>) -> Vec<f64> {
    t.into_data().convert::<f64>().to_vec::<f64>().unwrap()
}

fn scalar(t: Tensor<Cpu, 1>) -> f64 {
    values(t)[0]
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn sp(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() <= 1e-5 * (1.0 + want.abs()), "{what}: {got}, expected {want}");
}

/// The raw scores `l(x)` of a batch, read back.
fn logits(d: &Discriminator<Cpu>, x: Tensor<Cpu, 4>) -> Vec<f64> {
    values(d.forward(x))
}

fn d_loss(o: &dyn Objective<Cpu>, d: &Discriminator<Cpu>, real: Tensor<Cpu, 4>, f: Fake<Cpu>, g_step: usize, rng: &mut LaneRng) -> Loss<Cpu> {
    o.d_loss(d, real, f, &mut StepContext { g_step, rng })
}

fn g_loss(o: &dyn Objective<Cpu>, d: &Discriminator<Cpu>, f: Fake<Cpu>, g_step: usize, rng: &mut LaneRng) -> Loss<Cpu> {
    o.g_loss(d, f, &mut StepContext { g_step, rng })
}

#[test]
fn minimax_generator_loss_is_minus_the_mean_softplus_of_the_fake_logits() {
    // G minimises E[log(1 - σ(l))] = -E[softplus(l)]: negative, and lower as D is fooled (l grows).
    let minimax = build("minimax", &[("k", 1.0)]);
    for arch in [Arch::Mlp, Arch::Dcgan] {
        let d = disc(&*minimax, arch, 1);
        let x = images(6);
        let want = -mean(&logits(&d, x.clone()).into_iter().map(sp).collect::<Vec<_>>());
        let got = scalar(g_loss(&*minimax, &d, fake(x), 0, &mut LaneRng::seed_from_u64(0)).value);
        assert!(got < 0.0, "{arch:?}: L_G = {got} must be negative");
        close(got, want, &format!("{arch:?}: minimax L_G"));
    }
}

#[test]
fn one_sided_label_smoothing_changes_only_the_real_labels() {
    let d_plain = build("nonsaturating", &[("k", 1.0)]);
    let smooth = build("nonsaturating", &[("k", 1.0), ("label_smoothing", 1.0)]);
    let d = disc(&*smooth, Arch::Mlp, 2);
    let (real, fakes) = (images(8), images(8));
    let (lr, lf) = (logits(&d, real.clone()), logits(&d, fakes.clone()));
    let fake_term = mean(&lf.iter().map(|&l| sp(l)).collect::<Vec<_>>());
    for (o, target) in [(&d_plain, 1.0), (&smooth, 0.9)] {
        // Real target `target`, fake target 0: t·softplus(-l) + (1 - t)·softplus(l).
        let real_term = mean(&lr.iter().map(|&l| target * sp(-l) + (1.0 - target) * sp(l)).collect::<Vec<_>>());
        let got = scalar(d_loss(o.as_ref(), &d, real.clone(), fake(fakes.clone()), 0, &mut LaneRng::seed_from_u64(0)).value);
        close(got, real_term + fake_term, &format!("L_D with real target {target}"));
    }
    // G's loss is not smoothed either: E[softplus(-l(G(z)))].
    let got = scalar(g_loss(&*smooth, &d, fake(fakes), 0, &mut LaneRng::seed_from_u64(0)).value);
    close(got, mean(&lf.iter().map(|&l| sp(-l)).collect::<Vec<_>>()), "smoothed run's L_G");
}

#[test]
fn instance_noise_reaches_the_discriminator_inputs_of_both_steps() {
    let steps = 100.0;
    let noisy = build("nonsaturating", &[("k", 1.0), ("instance_noise", 1.0), ("noise_steps", steps)]);
    let d = disc(&*noisy, Arch::Mlp, 3);
    let (real, fakes) = (images(8), images(8));
    let n = 8;
    for (g_step, sigma) in [(0, 0.5), (50, 0.25)] {
        let stream = LaneRng::seed_from_u64(9);
        // The noise the loss should add: N(0, σ²) per pixel, real batch first, then the fakes,
        // drawn from a copy of the same stream.
        let mut copy = stream.clone();
        let mut ctx = StepContext { g_step, rng: &mut copy };
        let n_real: Tensor<Cpu, 4> = ctx.sample([n, 1, 28, 28], Distribution::Normal(0.0, sigma), &cpu_device());
        let n_fake: Tensor<Cpu, 4> = ctx.sample([n, 1, 28, 28], Distribution::Normal(0.0, sigma), &cpu_device());
        let spread = values(n_real.clone()).iter().map(|v| v * v).sum::<f64>() / (n * 784) as f64;
        assert!((spread.sqrt() - sigma).abs() < 0.02 * sigma, "noise σ {} vs {sigma}", spread.sqrt());
        let lr = logits(&d, real.clone() + n_real);
        let lf = logits(&d, fakes.clone() + n_fake);
        let want = mean(&lr.iter().map(|&l| sp(-l)).collect::<Vec<_>>()) + mean(&lf.iter().map(|&l| sp(l)).collect::<Vec<_>>());
        let mut stream_d = stream.clone();
        let out = d_loss(&*noisy, &d, real.clone(), fake(fakes.clone()), g_step, &mut stream_d);
        close(scalar(out.value.clone()), want, &format!("L_D on noisy inputs at step {g_step}"));
        close(scalar(out.diagnostic("instance_noise").unwrap()), sigma, "reported σ");
        // The clean loss is clearly different: the noise is not only reported.
        let clean = mean(&logits(&d, real.clone()).iter().map(|&l| sp(-l)).collect::<Vec<_>>())
            + mean(&logits(&d, fakes.clone()).iter().map(|&l| sp(l)).collect::<Vec<_>>());
        assert!((clean - want).abs() > 1e-4, "noise of σ {sigma} should move L_D ({clean} vs {want})");
        // G's step sees the fakes through the same noise: E[softplus(-l(G(z) + noise))].
        let mut copy = stream.clone();
        let mut ctx = StepContext { g_step, rng: &mut copy };
        let n_g: Tensor<Cpu, 4> = ctx.sample([n, 1, 28, 28], Distribution::Normal(0.0, sigma), &cpu_device());
        let want_g = mean(&logits(&d, fakes.clone() + n_g).iter().map(|&l| sp(-l)).collect::<Vec<_>>());
        let mut stream_g = stream.clone();
        close(scalar(g_loss(&*noisy, &d, fake(fakes.clone()), g_step, &mut stream_g).value), want_g, "L_G on noisy fakes");
    }
}

#[test]
fn noisy_labels_flip_each_label_with_probability_five_percent() {
    // Two images A and B, each repeated n times, so that every real (fake) sample has the same logit.
    // With per-sample targets t the loss is E[softplus(l) - t·l]; swapping which image is "real" under
    // the same random stream (the same flips) gives two equations for the two flip fractions:
    //   L1 = S - a + a·f_real - b·f_fake,  L2 = S - b + b·f_real - a·f_fake,  S = softplus(a) + softplus(b).
    let n = 4000;
    let noisy = build("nonsaturating", &[("k", 1.0), ("noisy_labels", 1.0)]);
    let d = disc(&*noisy, Arch::Mlp, 4);
    let a_img = Tensor::<Cpu, 4>::ones([1, 1, 28, 28], &cpu_device()).mul_scalar(0.8);
    let b_img = images(1).mul_scalar(3.0);
    let (a, b) = (logits(&d, a_img.clone())[0], logits(&d, b_img.clone())[0]);
    let det = b * b - a * a;
    assert!(det.abs() > 1e-3, "logits {a}, {b} too close in magnitude to solve for the flips");
    let batch = |img: &Tensor<Cpu, 4>| img.clone().repeat_dim(0, n);
    let stream = LaneRng::seed_from_u64(21);
    let loss = |real: &Tensor<Cpu, 4>, fakes: &Tensor<Cpu, 4>| {
        let mut s = stream.clone();
        scalar(d_loss(&*noisy, &d, batch(real), fake(batch(fakes)), 0, &mut s).value)
    };
    let (l1, l2) = (loss(&a_img, &b_img), loss(&b_img, &a_img));
    let s = sp(a) + sp(b);
    // Solve [a, -b; b, -a]·[f_real, f_fake] = [L1 - S + a, L2 - S + b].
    let (r1, r2) = (l1 - s + a, l2 - s + b);
    let f_real = (-a * r1 + b * r2) / det;
    let f_fake = (-b * r1 + a * r2) / det;
    // Binomial(4000, 0.05): standard deviation 0.0034 per fraction.
    for (name, f) in [("real", f_real), ("fake", f_fake)] {
        assert!((f - 0.05).abs() < 0.015, "fraction of flipped {name} labels {f} (a = {a}, b = {b})");
    }
    // Without noisy labels nothing flips.
    let plain = build("nonsaturating", &[("k", 1.0)]);
    let mut st = stream.clone();
    let clean = scalar(d_loss(&*plain, &d, batch(&a_img), fake(batch(&b_img)), 0, &mut st).value);
    close(clean, sp(-a) + sp(b), "L_D without noisy labels");
}

#[test]
fn ebgan_generator_loss_weighs_the_pull_away_term_by_lambda_pt() {
    for arch in [Arch::Mlp, Arch::Dcgan] {
        let base = build("ebgan", &[("k", 1.0), ("margin", 1.0), ("lambda_pt", 0.0)]);
        let d = disc(&*base, arch, 5);
        let x = images(5);
        let (recon, codes) = d.reconstruct(x.clone());
        let (r, xs, c) = (values(recon), values(x.clone()), values(codes));
        let energy = mean(&(0..5).map(|i| (0..784).map(|p| (r[i * 784 + p] - xs[i * 784 + p]).powi(2)).sum::<f64>() / 784.0).collect::<Vec<_>>());
        let width = c.len() / 5;
        let row = |i: usize| &c[i * width..(i + 1) * width];
        let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(a, b)| a * b).sum::<f64>();
        let mut pt = 0.0;
        for i in 0..5 {
            for j in 0..5 {
                if i != j {
                    pt += dot(row(i), row(j)).powi(2) / (dot(row(i), row(i)) * dot(row(j), row(j)));
                }
            }
        }
        let pt = pt / 20.0;
        for lambda_pt in [0.0, 0.1, 3.0] {
            let o = build("ebgan", &[("k", 1.0), ("margin", 1.0), ("lambda_pt", lambda_pt)]);
            let out = g_loss(&*o, &d, fake(x.clone()), 0, &mut LaneRng::seed_from_u64(0));
            close(scalar(out.value.clone()), energy + lambda_pt * pt, &format!("{arch:?}: L_G with λ_PT = {lambda_pt}"));
            close(scalar(out.diagnostic("pull_away").unwrap()), pt, "pull-away term");
        }
    }
}

#[test]
fn meg_energy_loss_has_the_gradient_penalty_and_no_mutual_information_term() {
    for lambda in [0.0, 2.0] {
        let meg = build("meg", &[("k", 5.0), ("lambda", lambda)]);
        let d = disc(&*meg, Arch::Mlp, 6);
        let (real, fakes) = (images(6), images(6));
        let (_, grad) = d.score_with_input_grad(real.clone());
        let g = values(grad);
        let penalty = mean(&(0..6).map(|i| g[i * 784..(i + 1) * 784].iter().map(|v| v * v).sum::<f64>()).collect::<Vec<_>>());
        let want = mean(&logits(&d, real.clone())) - mean(&logits(&d, fakes.clone())) + lambda * penalty;
        let out = d_loss(&*meg, &d, real, fake(fakes), 0, &mut LaneRng::seed_from_u64(0));
        close(scalar(out.value.clone()), want, &format!("MEG L_E with λ = {lambda}"));
        close(scalar(out.diagnostic("gradient_penalty").unwrap()), penalty, "gradient penalty");
    }
}

#[test]
fn meg_generator_loss_subtracts_the_jsd_bound_and_its_gradient_makes_t_ascend_it() {
    let meg = build("meg", &[("k", 5.0), ("lambda", 0.1)]);
    let d = disc(&*meg, Arch::Mlp, 7);
    let f = fake(images(16));
    let stream = LaneRng::seed_from_u64(13);
    // The shuffle of z the loss should draw, from a copy of its stream.
    let mut copy = stream.clone();
    let order = StepContext { g_step: 0, rng: &mut copy }.permutation(16);
    let zs = values(f.z.clone());
    let shuffled: Vec<f32> = order.iter().flat_map(|&i| zs[i * LATENT..(i + 1) * LATENT].iter().map(|&v| v as f32)).collect();
    let z_marginal = Tensor::<Cpu, 2>::from_data(TensorData::new(shuffled, [16, LATENT]), &cpu_device());
    let jsd = |d: &Discriminator<Cpu>| {
        let joint = values(d.stats(f.images.clone(), f.z.clone()));
        let marginal = values(d.stats(f.images.clone(), z_marginal.clone()));
        mean(&joint.iter().map(|&t| -sp(-t)).collect::<Vec<_>>()) - mean(&marginal.iter().map(|&t| sp(t)).collect::<Vec<_>>())
    };
    let before = jsd(&d);
    let want = mean(&logits(&d, f.images.clone())) - before;
    let mut s = stream.clone();
    let out = g_loss(&*meg, &d, Fake { images: f.images.clone(), z: f.z.clone() }, 0, &mut s);
    close(scalar(out.value.clone()), want, "MEG L_G = E[E(G(z))] - I_JSD");
    close(scalar(out.diagnostic("mi_estimate").unwrap()), before, "reported I_JSD");
    // A small gradient step of T alone on L_G raises I_JSD: T ascends the bound.
    let mut grads = out.value.backward();
    let t_grads: GradientsParams = d.stats_grads(&mut grads);
    assert!(!t_grads.is_empty(), "T gets gradients from L_G");
    let stepped = SgdConfig::new().init::<Cpu, Discriminator<Cpu>>().step(1e-2, d.clone(), t_grads);
    let after = jsd(&stepped);
    assert!(after > before, "I_JSD {before} → {after} after T's step on L_G");
    // The energy did not move: only T's gradients were applied.
    let x = images(4);
    assert_eq!(logits(&stepped, x.clone()), logits(&d, x));
}

/// InfoGAN generator inputs `[n, LATENT + 12]`: normal latents, a one-hot code of class `i % 10`, and
/// continuous codes in (-1, 1).
fn info_z(n: usize) -> Tensor<Cpu, 2> {
    let latent = values(Tensor::<Cpu, 2>::random([n, LATENT], Distribution::Normal(0.0, 1.0), &cpu_device()));
    let con = values(Tensor::<Cpu, 2>::random([n, CONTINUOUS], Distribution::Uniform(-1.0, 1.0), &cpu_device()));
    let mut z = Vec::new();
    for i in 0..n {
        z.extend(latent[i * LATENT..(i + 1) * LATENT].iter().map(|&v| v as f32));
        z.extend((0..CATEGORIES).map(|c| f32::from(u8::from(c == i % CATEGORIES))));
        z.extend(con[i * CONTINUOUS..(i + 1) * CONTINUOUS].iter().map(|&v| v as f32));
    }
    Tensor::from_data(TensorData::new(z, [n, LATENT + CATEGORIES + CONTINUOUS]), &cpu_device())
}

#[test]
fn infogan_weighs_the_cross_entropy_by_lambda_cat_and_the_squared_error_by_lambda_con_in_both_losses() {
    let plain = build("infogan", &[("k", 1.0), ("lambda_cat", 0.0), ("lambda_con", 0.0)]);
    let d = disc(&*plain, Arch::Mlp, 8);
    let n = 10;
    let (real, fakes, z) = (images(n), images(n), info_z(n));
    let f = || Fake { images: fakes.clone(), z: z.clone() };
    // Q's cross-entropy and squared error on the fakes, in f64 from Q's raw outputs.
    let (q, codes) = (values(d.q(d.features(fakes.clone()))), values(z.clone()));
    let width = CATEGORIES + CONTINUOUS;
    let (mut ce, mut mse) = (0.0, 0.0);
    for i in 0..n {
        let logits = &q[i * width..i * width + CATEGORIES];
        let top = logits.iter().copied().fold(f64::MIN, f64::max);
        let log_sum = top + logits.iter().map(|l| (l - top).exp()).sum::<f64>().ln();
        ce += (log_sum - logits[i % CATEGORIES]) / n as f64;
        let code = &codes[i * (LATENT + width) + LATENT + CATEGORIES..(i + 1) * (LATENT + width)];
        mse += (0..CONTINUOUS).map(|j| (q[i * width + CATEGORIES + j] - code[j]).powi(2)).sum::<f64>() / (n * CONTINUOUS) as f64;
    }
    let rng = || LaneRng::seed_from_u64(0);
    let adversarial_d = scalar(d_loss(&*plain, &d, real.clone(), f(), 0, &mut rng()).value);
    let adversarial_g = scalar(g_loss(&*plain, &d, f(), 0, &mut rng()).value);
    for (cat, con) in [(2.0, 0.0), (0.0, 3.0), (0.5, 4.0)] {
        let info = build("infogan", &[("k", 1.0), ("lambda_cat", cat), ("lambda_con", con)]);
        let l_i = cat * ce + con * mse;
        let out = d_loss(&*info, &d, real.clone(), f(), 0, &mut rng());
        close(scalar(out.value), adversarial_d + l_i, &format!("L_D + λ·L_I (D's body and Q), λ = ({cat}, {con})"));
        let out = g_loss(&*info, &d, f(), 0, &mut rng());
        close(scalar(out.value.clone()), adversarial_g + l_i, &format!("L_G + λ·L_I, λ = ({cat}, {con})"));
        close(scalar(out.diagnostic("mi_lower_bound").unwrap()), (CATEGORIES as f64).ln() - ce, "MI lower bound log 10 - CE");
        close(scalar(out.diagnostic("info_loss").unwrap()), l_i, "reported L_I");
    }
}

/// Every objective's losses report exactly the diagnostics its metadata names (the page builds its
/// charts from the metadata before the first step), each by its own name.
#[test]
fn every_objective_reports_the_diagnostics_its_metadata_names() {
    for info in objective::all() {
        let o = build(info.id, &[]);
        let d = disc(&*o, Arch::Mlp, 1);
        let width = LATENT + o.g_spec().codes();
        let f = || Fake { images: images(4), z: Tensor::random([4, width], Distribution::Uniform(0.0, 1.0), &cpu_device()) };
        let names = |l: &Loss<Cpu>| l.diagnostics.iter().map(|(n, _)| *n).collect::<Vec<_>>();
        let mut rng = LaneRng::seed_from_u64(1);
        assert_eq!(names(&d_loss(&*o, &d, images(4), f(), 0, &mut rng)), info.d_diagnostics, "{}: d_loss", info.id);
        assert_eq!(names(&g_loss(&*o, &d, f(), 0, &mut rng)), info.g_diagnostics, "{}: g_loss", info.id);
    }
}
