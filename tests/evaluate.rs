//! Evaluation without disturbing training: fresh samples and D's scores come from a stream of their
//! own, are reproducible, mean what each objective says; latent interpolation and its slerp.

mod common;

use common::{bits, lane, small_train, train};

use burn::module::AutodiffModule;
use burn::tensor::{Tensor, TensorData};
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::{slerp, Lane, GRID};
use gan_playground::objective;

#[test]
fn evaluating_between_steps_leaves_the_training_run_bit_identical() {
    let data = small_train();
    for json in [
        r#"{"arch": "mlp", "batch": 16, "seed": 7}"#,
        r#"{"arch": "dcgan", "batch": 8, "seed": 7}"#,
        r#"{"objective": "infogan", "batch": 16, "seed": 7}"#,
    ] {
        let mut quiet = lane(json, &data);
        let mut watched = lane(json, &data);
        let mut expected = train(&mut quiet, 3);
        expected.extend(train(&mut quiet, 3));
        let mut got = train(&mut watched, 3);
        pollster::block_on(watched.evaluate(20)).unwrap();
        pollster::block_on(watched.fresh_samples(70)).unwrap();
        pollster::block_on(watched.interpolate(0, 5, 4)).unwrap();
        got.extend(train(&mut watched, 3));
        assert_eq!(bits(&got), bits(&expected), "{json}: evaluating changed the training run");
        let grid = |l: &Lane<Cpu>| pollster::block_on(l.samples()).unwrap();
        assert_eq!(grid(&watched), grid(&quiet), "{json}");
    }
}

#[test]
fn evaluate_is_deterministic_for_a_seed_and_step_and_its_stream_moves_on() {
    let data = small_train();
    let json = r#"{"batch": 16, "seed": 9}"#;
    let (mut a, mut b, mut c) = (lane(json, &data), lane(json, &data), lane(r#"{"batch": 16, "seed": 10}"#, &data));
    for l in [&mut a, &mut b, &mut c] {
        train(l, 2);
    }
    let first = pollster::block_on(a.evaluate(12)).unwrap();
    assert_eq!(first, pollster::block_on(b.evaluate(12)).unwrap());
    assert_eq!((first.samples.len(), first.d_real.len(), first.d_fake.len()), (12 * PIXELS, 12, 12));
    assert_ne!(first.samples, pollster::block_on(c.evaluate(12)).unwrap().samples, "another seed draws other latents");
    assert_ne!(first, pollster::block_on(a.evaluate(12)).unwrap(), "a second evaluation draws new images");
    for bad in [0, gan_playground::lane::MAX_EVAL + 1] {
        let e = pollster::block_on(a.evaluate(bad)).unwrap_err();
        assert!(e.contains("k must be 1 to"), "{e}");
    }
}

#[test]
fn scores_stay_in_each_objectives_declared_range() {
    let data = small_train();
    for info in objective::all() {
        let mut l = lane(&format!(r#"{{"objective": "{}", "batch": 16, "seed": 2}}"#, info.id), &data);
        train(&mut l, 2);
        let e = pollster::block_on(l.evaluate(100)).unwrap();
        let spec = &info.d_score;
        assert!(!spec.label.is_empty());
        for &v in e.d_real.iter().chain(&e.d_fake) {
            assert!(v.is_finite(), "{}: {v}", info.id);
            assert!(spec.lo.is_none_or(|lo| f64::from(v) >= lo) && spec.hi.is_none_or(|hi| f64::from(v) <= hi), "{}: {v} outside {spec:?}", info.id);
        }
        if ["nonsaturating", "minimax", "infogan"].contains(&info.id) {
            assert_eq!((spec.lo, spec.hi), (Some(0.0), Some(1.0)), "{}: a probability", info.id);
        }
    }
    let json = serde_json::to_value(objective::all()).unwrap();
    assert_eq!(json[0]["d_score"], serde_json::json!({"label": "P(real) = sigmoid(D(x))", "lo": 0.0, "hi": 1.0}));
    let wgan = json.as_array().unwrap().iter().find(|o| o["id"] == "wgan").unwrap();
    assert!(wgan["d_score"]["lo"].is_null() && wgan["d_score"]["hi"].is_null(), "unbounded: null");
}

/// A training set of one image repeated: whatever `evaluate` picks, the real image is known.
fn one_image(data: &Digits) -> (Digits, Tensor<burn::backend::Flex, 4>) {
    let img = data.images[..PIXELS].to_vec();
    let d = Digits { images: img.repeat(32), labels: vec![0; 32] };
    let x = Tensor::from_data(TensorData::new(d.scaled()[..PIXELS].to_vec(), [1, 1, 28, 28]), &cpu_device());
    (d, x)
}

#[test]
fn real_scores_equal_the_discriminator_computed_by_hand() {
    let (data, x) = one_image(&small_train());
    // Non-saturating: σ(logit), the sigmoid written out here in f64.
    let mut l = lane(r#"{"arch": "dcgan", "batch": 8, "seed": 4}"#, &data);
    train(&mut l, 2);
    let logit = l.discriminator().valid().forward(x.clone()).into_data().to_vec::<f32>().unwrap()[0] as f64;
    let e = pollster::block_on(l.evaluate(5)).unwrap();
    for v in &e.d_real {
        assert!((*v as f64 - 1.0 / (1.0 + (-logit).exp())).abs() < 1e-6, "{v} vs σ({logit})");
    }
    // WGAN: the raw critic value.
    let mut l = lane(r#"{"objective": "wgan", "batch": 8, "seed": 4}"#, &data);
    train(&mut l, 1);
    let f = l.discriminator().valid().forward(x.clone()).into_data().to_vec::<f32>().unwrap()[0];
    assert!(pollster::block_on(l.evaluate(3)).unwrap().d_real.iter().all(|v| (v - f).abs() < 1e-6));
    // EBGAN: the mean squared reconstruction error over the 784 pixels.
    let mut l = lane(r#"{"objective": "ebgan", "batch": 8, "seed": 4}"#, &data);
    train(&mut l, 1);
    let (recon, _) = l.discriminator().valid().reconstruct(x.clone());
    let (r, p) = (recon.into_data().to_vec::<f32>().unwrap(), x.into_data().to_vec::<f32>().unwrap());
    let energy = r.iter().zip(&p).map(|(a, b)| ((a - b) as f64).powi(2)).sum::<f64>() / PIXELS as f64;
    assert!(pollster::block_on(l.evaluate(3)).unwrap().d_real.iter().all(|&v| (v as f64 - energy).abs() < 1e-6));
}

#[test]
fn interpolation_runs_between_two_fixed_samples() {
    let data = small_train();
    for json in [r#"{"batch": 16, "seed": 5}"#, r#"{"objective": "infogan", "batch": 16, "seed": 5}"#] {
        let mut l = lane(json, &data);
        train(&mut l, 2);
        let grid = pollster::block_on(l.samples()).unwrap();
        let frames = pollster::block_on(l.interpolate(3, 40, 7)).unwrap();
        assert_eq!(frames.len(), 7 * PIXELS);
        let close = |a: &[u8], b: &[u8]| a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= 1);
        assert!(close(&frames[..PIXELS], &grid[3 * PIXELS..4 * PIXELS]), "{json}: first frame is sample 3");
        assert!(close(&frames[6 * PIXELS..], &grid[40 * PIXELS..41 * PIXELS]), "{json}: last frame is sample 40");
        assert_ne!(frames[..PIXELS], frames[3 * PIXELS..4 * PIXELS]);
    }
    let l = lane(r#"{"batch": 16}"#, &data);
    for (a, b, n) in [(GRID, 0, 8), (0, 99, 8), (0, 1, 1), (0, 1, 33)] {
        let e = pollster::block_on(l.interpolate(a, b, n)).unwrap_err();
        assert!(e.contains("below 64") && e.contains("frames 2 to 32"), "{e}");
    }
}

#[test]
fn slerp_follows_the_great_circle() {
    // Orthogonal unit vectors, ω = π/2: at t = 1/3 the weights are sin(π/3) = √3/2 and sin(π/6) = 1/2.
    let p = slerp(&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], 1.0 / 3.0);
    assert!((p[0] - 3f32.sqrt() / 2.0).abs() < 1e-6 && (p[1] - 0.5).abs() < 1e-6 && p[2] == 0.0, "{p:?}");
    // Equal norms (3) at 60°: every point keeps norm 3 (a straight line would dip to 3·cos 30°).
    let (a, b) = ([3.0f32, 0.0], [1.5f32, 1.5 * 3f32.sqrt()]);
    for t in [0.0, 0.1, 0.5, 0.77, 1.0] {
        let q = slerp(&a, &b, t);
        assert!(((q[0] * q[0] + q[1] * q[1]).sqrt() - 3.0).abs() < 1e-5, "t = {t}: {q:?}");
    }
    assert_eq!(slerp(&a, &b, 0.0), a.to_vec());
    assert_eq!(slerp(&a, &b, 1.0), b.to_vec());
    // Parallel vectors fall back to the straight line.
    assert_eq!(slerp(&[1.0, 1.0], &[2.0, 2.0], 0.5), vec![1.5, 1.5]);
}
