//! Objective-specific maths and mechanics: LSGAN targets, WGAN clipping and critic schedule.

mod common;

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{backend::Backend, Tensor, TensorData};
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::config::ParamValues;
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::Lane;
use gan_playground::objective::{self, half_mse, OptimizerKind};

fn t(v: &[f32]) -> Tensor<Cpu, 2> {
    Tensor::from_data(TensorData::new(v.to_vec(), [v.len(), 1]), &cpu_device())
}

fn scalar(x: Tensor<Cpu, 1>) -> f64 {
    x.into_data().to_vec::<f32>().unwrap()[0] as f64
}

fn params(pairs: &[(&str, f64)]) -> ParamValues {
    ParamValues(pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect())
}

#[test]
fn lsgan_losses_on_fixed_outputs() {
    // Hand-derived with the 0-1 coding a = 0, b = 1, c = 1:
    // D: ½·mean((0.5-1)², (1.5-1)²) + ½·mean((-0.5-0)², (0.2-0)²) = 0.125 + 0.0725 = 0.1975
    // G: ½·mean((-0.5-1)², (0.2-1)²) = ½·(2.25 + 0.64)/2 = 0.7225
    let d = scalar(half_mse(t(&[0.5, 1.5]), 1.0) + half_mse(t(&[-0.5, 0.2]), 0.0));
    assert!((d - 0.1975).abs() < 1e-6, "{d}");
    let g = scalar(half_mse(t(&[-0.5, 0.2]), 1.0));
    assert!((g - 0.7225).abs() < 1e-6, "{g}");
    // χ² coding a = -1, b = 1, c = 0 for the same fakes: ½·mean(0.25, 1.44) = 0.4225 (D part), G: ½·mean(0.25, 0.04).
    assert!((scalar(half_mse(t(&[-0.5, 0.2]), -1.0)) - 0.4225).abs() < 1e-6);
    assert!((scalar(half_mse(t(&[-0.5, 0.2]), 0.0)) - 0.0725).abs() < 1e-6);
}

#[test]
fn wgan_schedule_and_optimizer() {
    let plain = objective::build::<Cpu>("wgan", &params(&[("n_critic", 5.0)])).unwrap();
    assert_eq!((plain.d_steps(0), plain.d_steps(500)), (5, 5));
    assert_eq!(plain.optimizer(), OptimizerKind::RmsProp);
    let warm = objective::build::<Cpu>("wgan", &params(&[("n_critic", 5.0), ("warmup", 1.0)])).unwrap();
    assert_eq!([warm.d_steps(0), warm.d_steps(24), warm.d_steps(25), warm.d_steps(499), warm.d_steps(500)], [100, 100, 5, 5, 100]);
    let ns = objective::build::<Cpu>("nonsaturating", &ParamValues::default()).unwrap();
    assert_eq!((ns.d_steps(0), ns.optimizer()), (1, objective::ADAM));
}

struct MaxAbs(f32, usize);
impl<B: Backend> ModuleVisitor<B> for MaxAbs {
    fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<B, D>>) {
        if !p.val().is_require_grad() {
            return; // BatchNorm running statistics
        }
        let v = p.val().abs().max().into_data().convert::<f32>().to_vec::<f32>().unwrap()[0];
        self.0 = self.0.max(v);
        self.1 += 1;
    }
}

/// Counts the trainable weights with |w| > `bound`, element by element on the host.
struct AtBound {
    bound: f32,
    at: usize,
    total: usize,
}
impl<B: Backend> ModuleVisitor<B> for AtBound {
    fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<B, D>>) {
        if !p.val().is_require_grad() {
            return; // BatchNorm running statistics
        }
        let v = p.val().into_data().convert::<f32>().to_vec::<f32>().unwrap();
        self.total += v.len();
        self.at += v.iter().filter(|w| w.abs() > self.bound).count();
    }
}

#[test]
fn after_a_wgan_critic_step_every_parameter_lies_within_the_clip_bound() {
    let (train, _) = common::digits().split();
    let small = Digits { images: train.images[..256 * PIXELS].to_vec(), labels: train.labels[..256].to_vec() };
    for arch in ["mlp", "dcgan"] {
        let cfg = common::config(&format!(r#"{{"objective": "wgan", "arch": "{arch}", "batch": 16, "params": {{"clip": 0.02, "n_critic": 2}}}}"#));
        assert_eq!(cfg.lr_d, 5e-5, "WGAN's own default learning rate");
        let mut lane = Lane::<Cpu>::new(cfg, &small, &cpu_device()).unwrap();
        let mut before = MaxAbs(0.0, 0);
        lane.discriminator().visit(&mut before);
        assert!(before.0 > 0.02, "{arch}: initial weights already inside the bound ({})", before.0);
        let s1 = pollster::block_on(lane.train_step().read()).unwrap();
        let s2 = pollster::block_on(lane.train_step().read()).unwrap();
        let mut after = MaxAbs(0.0, 0);
        lane.discriminator().visit(&mut after);
        assert!(after.1 > 0 && after.0 <= 0.02 + 1e-7, "{arch}: max |w| = {}", after.0);
        // clip_fraction (measured as the critic enters its step) is a real fraction and non-zero once clamped.
        let frac = |s: &gan_playground::lane::StepStats| s.diagnostics.iter().find(|d| d.0 == "clip_fraction").unwrap().1.unwrap();
        assert!(frac(&s1) > 0.0 && frac(&s2) > 0.0 && frac(&s2) <= 1.0, "{arch}: {s1:?} {s2:?}");
        let w = s2.diagnostics.iter().find(|d| d.0 == "w_estimate").unwrap().1.unwrap();
        assert!((w + s2.d_loss.unwrap()).abs() < 1e-6, "w_estimate is -L_D");
        // The fraction itself, against the weights counted one by one on the host.
        let bound = (0.02 * (1.0 - 1e-6)) as f32;
        let mut counted = AtBound { bound, at: 0, total: 0 };
        lane.discriminator().visit(&mut counted);
        let expected = counted.at as f64 / counted.total as f64;
        let got = scalar(objective::clip_fraction(lane.discriminator(), 0.02));
        assert!(counted.at > 0 && counted.at < counted.total, "{arch}: {} of {} at the bound", counted.at, counted.total);
        assert!((got - expected).abs() < 1e-6, "{arch}: clip_fraction {got}, counted {expected}");
    }
}

#[test]
fn minimax_generator_gradient_vanishes_when_d_wins_but_the_non_saturating_one_does_not() {
    // G barely moves (tiny lr) while D learns fast, so both runs share the same D trajectory.
    let (train, _) = common::digits().split();
    let small = Digits { images: train.images[..1024 * PIXELS].to_vec(), labels: train.labels[..1024].to_vec() };
    let norm_after = |objective: &str| {
        let cfg = common::config(&format!(r#"{{"objective": "{objective}", "batch": 32, "lr_g": 1e-6, "lr_d": 0.002, "seed": 2}}"#));
        let mut lane = Lane::<Cpu>::new(cfg, &small, &cpu_device()).unwrap();
        let mut last = None;
        for _ in 0..40 {
            last = Some(pollster::block_on(lane.train_step().read()).unwrap());
        }
        let s = last.unwrap();
        let d_fake = s.diagnostics.iter().find(|d| d.0 == "d_fake").unwrap().1.unwrap();
        (s.diagnostics.iter().find(|d| d.0 == "g_grad_norm").unwrap().1.unwrap(), d_fake)
    };
    let (minimax, d_fake) = norm_after("minimax");
    let (nonsat, _) = norm_after("nonsaturating");
    assert!(d_fake < 0.1, "D should be winning: mean D(G(z)) = {d_fake}");
    assert!(minimax > 0.0 && minimax < 0.2 * nonsat, "minimax |∇G| {minimax} vs non-saturating {nonsat}");
}

/// The first update of one weight under the lane's optimizer for `kind`, divided by `lr`, for a
/// constant gradient `g` on every weight of a small linear layer.
fn first_step_over_lr(kind: OptimizerKind, g: f64) -> f64 {
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::GradientsParams;
    use gan_playground::opt::Opt;
    let device = cpu_device();
    let layer: Linear<Cpu> = LinearConfig::new(3, 2).init(&device);
    let before = layer.weight.val().into_data().convert::<f64>().to_vec::<f64>().unwrap();
    let loss = layer.weight.val().mul_scalar(g).sum();
    let grads = GradientsParams::from_grads(loss.backward(), &layer);
    let lr = 1e-2;
    let after = Opt::<Linear<Cpu>, Cpu>::new(kind).step(lr, layer, grads);
    let after = after.weight.val().into_data().convert::<f64>().to_vec::<f64>().unwrap();
    (before[0] - after[0]) / lr
}

#[test]
fn adam_and_rmsprop_use_epsilon_1e_minus_8() {
    // A clipped critic's gradient scale. Adam's first step is lr·g/(|g| + ε) ≈ lr; with burn's default
    // ε = 1e-5 it would be 0.8·lr. RMSprop's (α = 0.99) is lr·g/(0.1·|g| + ε) ≈ 10·lr; with 1e-5, 2.9·lr.
    let g = 4e-5;
    let adam = first_step_over_lr(objective::ADAM, g);
    assert!((adam - g / (g + 1e-8)).abs() < 1e-3, "Adam's first step / lr = {adam}");
    let rms = first_step_over_lr(OptimizerKind::RmsProp, g);
    assert!((rms - g / (0.1 * g + 1e-8)).abs() < 1e-2, "RMSprop's first step / lr = {rms}");
    assert_eq!(gan_playground::opt::EPSILON, 1e-8);
}

#[test]
fn wgan_clipping_bounds_every_weight_by_name_and_leaves_batchnorm_statistics_alone() {
    let (train, _) = common::digits().split();
    let small = Digits { images: train.images[..256 * PIXELS].to_vec(), labels: train.labels[..256].to_vec() };
    let c = 0.02f32;
    for arch in ["mlp", "dcgan"] {
        let cfg = common::config(&format!(r#"{{"objective": "wgan", "arch": "{arch}", "batch": 16, "params": {{"clip": 0.02, "n_critic": 2}}}}"#));
        let mut lane = Lane::<Cpu>::new(cfg, &small, &cpu_device()).unwrap();
        common::train(&mut lane, 2);
        let all = common::paths(lane.discriminator());
        let is_stat = |p: &str| p.ends_with("running_mean") || p.ends_with("running_var");
        let weights: Vec<_> = all.iter().filter(|(p, _)| !is_stat(p)).collect();
        // MLP: 2 body layers and the score head, weight and bias each; DCGAN adds BatchNorm's γ and β.
        assert_eq!(weights.len(), if arch == "mlp" { 6 } else { 8 }, "{arch}: {:?}", all.iter().map(|x| &x.0).collect::<Vec<_>>());
        for (path, v) in &weights {
            let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
            assert!(max <= c * (1.0 + 1e-6), "{arch}: {path} has |w| up to {max} > c = {c}");
        }
        let stats: Vec<_> = all.iter().filter(|(p, _)| is_stat(p)).collect();
        if arch == "dcgan" {
            // Running variances start at 1 and only move by momentum 0.1 per pass: clamped, they would be c.
            let var = stats.iter().find(|(p, _)| p.ends_with("running_var")).expect("BatchNorm statistics");
            assert!(var.1.iter().any(|&x| x > 2.0 * c), "{arch}: running variance clamped: {:?}", &var.1[..4]);
        } else {
            assert!(stats.is_empty());
        }
    }
}

#[test]
fn the_generator_step_leaves_the_discriminator_batchnorm_statistics_alone() {
    // D's running statistics follow D's own steps only (its real and fake batches alike); the
    // evaluation histograms say so in their caption.
    let data = common::small_train();
    let mut l = common::lane(r#"{"arch": "dcgan", "batch": 8, "seed": 4}"#, &data);
    let stats = |l: &Lane<Cpu>| -> Vec<(String, Vec<f32>)> {
        common::paths(l.discriminator()).into_iter().filter(|(p, _)| p.contains("running")).collect()
    };
    let start = stats(&l);
    assert_eq!(start.len(), 2, "one BatchNorm layer in the DCGAN body");
    pollster::block_on(l.train_phase(1, gan_playground::lane::Phase::G)).unwrap();
    assert_eq!(stats(&l), start, "G's step moved D's running statistics");
    pollster::block_on(l.train_phase(1, gan_playground::lane::Phase::D)).unwrap();
    assert_ne!(stats(&l), start, "D's step updates them");
    // The generator's own BatchNorm still learns its statistics in G's step.
    let g_stats = |l: &Lane<Cpu>| common::paths(l.generator()).into_iter().filter(|(p, _)| p.contains("running")).collect::<Vec<_>>();
    let before = g_stats(&l);
    pollster::block_on(l.train_phase(1, gan_playground::lane::Phase::G)).unwrap();
    assert_ne!(g_stats(&l), before);
    // Every objective's histogram caption names the statistics its D scores with.
    for info in objective::all() {
        let o = objective::build::<Cpu>(info.id, &ParamValues::default()).unwrap();
        let want = if o.d_spec().batchnorm { objective::CAPTION_BATCHNORM } else { objective::CAPTION_NO_BATCHNORM };
        assert_eq!(info.score_caption, want, "{}", info.id);
    }
    let json: serde_json::Value = serde_json::to_value(objective::all()).unwrap();
    assert!(json[0]["score_caption"].as_str().unwrap().contains("running statistics"));
}
