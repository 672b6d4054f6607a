//! Divergence, snapshots, rollback and checkpoints on the CPU backend: an absurd learning rate stops
//! the lane at the first non-finite step, rollback restores the last healthy snapshot exactly, and a
//! checkpoint rebuilds a lane that continues the same run bit for bit.

mod common;

use common::{bits, lane, small_train, train};

use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::Lane;
use gan_playground::recovery::Recoverable;

fn samples(lane: &Lane<Cpu>) -> Vec<u8> {
    pollster::block_on(lane.samples()).unwrap()
}

#[test]
fn absurd_learning_rate_stops_the_lane_at_the_first_bad_step_and_rollback_restores_the_snapshot() {
    let data = small_train();
    let json = r#"{"arch": "mlp", "batch": 16, "seed": 2}"#;
    let mut lane = lane(json, &data);
    lane.set_snapshot_every(5);
    assert_eq!(lane.snapshot_step(), 0, "a new lane can always roll back to step 0");
    train(&mut lane, 5);
    train(&mut lane, 5);
    assert_eq!(lane.snapshot_step(), 10);
    let grid_at_10 = samples(&lane);
    let healthy = train(&mut lane, 3); // steps 11..13, the reference for the replay below
    assert!(healthy.iter().all(|s| s.finite && s.weights_finite));

    // 1e30 moves every weight of D by about 1e30 in its Adam update of step 14; G's loss, computed
    // on the updated D in the same step, overflows. Steps 14..18 run in one call.
    lane.set_learning_rates_unchecked(1e30, 1e30);
    let stats = train(&mut lane, 5);
    assert_eq!(stats.iter().map(|s| s.step).collect::<Vec<_>>(), [14], "statistics end at the first bad step");
    assert!(!stats[0].finite && !stats[0].g_loss.unwrap().is_finite(), "{stats:?}");
    assert_eq!(lane.diverged_at(), Some(14));
    assert_eq!(lane.snapshot_step(), 10, "no snapshot is kept from a diverging call (step 15 was due)");
    let refused = pollster::block_on(lane.train(1)).unwrap_err();
    assert!(refused.contains("diverged at step 14") && refused.contains("step 10"), "{refused}");

    assert_eq!(lane.rollback(), 10);
    assert_eq!((lane.steps(), lane.diverged_at()), (10, None));
    assert_eq!(samples(&lane), grid_at_10, "rollback restores the generator of step 10");
    lane.set_learning_rates_unchecked(2e-4, 2e-4);
    let replay = train(&mut lane, 3);
    assert_eq!(bits(&replay), bits(&healthy), "steps 11..13 repeat exactly after rollback");
    assert!(train(&mut lane, 10).iter().all(|s| s.finite), "training goes on after rollback");
    assert_eq!(lane.steps(), 23);
}

/// The snapshot is a copy of the lane's state that training does not touch: DCGAN's BatchNorm running
/// statistics (which burn's modules share between clones) included. They decide the sample grid
/// (inference mode) and are saved in checkpoints.
#[test]
fn the_snapshot_keeps_its_own_batchnorm_statistics_while_the_lane_trains_on() {
    let data = small_train();
    let mut lane = lane(r#"{"arch": "dcgan", "batch": 8, "seed": 6}"#, &data);
    lane.set_snapshot_every(2);
    train(&mut lane, 2);
    lane.set_snapshot_every(1000); // no snapshot during steps 3..5
    let (grid_at_2, file_at_2) = (samples(&lane), pollster::block_on(lane.checkpoint()).unwrap());
    let ahead = train(&mut lane, 3);
    assert_ne!(samples(&lane), grid_at_2, "training moved the generator");
    assert_eq!(pollster::block_on(lane.checkpoint()).unwrap(), file_at_2, "the snapshot of step 2 is unchanged by steps 3..5");
    assert_eq!(lane.rollback(), 2);
    assert_eq!(samples(&lane), grid_at_2, "rollback restores G's running statistics of step 2");
    assert_eq!(bits(&train(&mut lane, 3)), bits(&ahead), "steps 3..5 repeat exactly after rollback");
}

#[test]
fn non_finite_weights_stop_the_lane_even_when_the_losses_are_finite() {
    let data = small_train();
    let mut lane = lane(r#"{"batch": 8, "seed": 4}"#, &data);
    train(&mut lane, 2);
    // An infinite generator learning rate makes G's weights infinite (or NaN) in the last update of
    // step 3, after its losses were computed: only the parameter sum shows it.
    lane.set_learning_rates_unchecked(f64::INFINITY, 2e-4);
    let stats = train(&mut lane, 3);
    let last = stats.last().unwrap();
    assert_eq!(last.step, 3);
    assert!(last.d_loss.unwrap().is_finite() && last.g_loss.unwrap().is_finite() && !last.weights_finite && !last.finite, "{last:?}");
    assert_eq!(lane.diverged_at(), Some(3));
    assert_eq!(lane.rollback(), 0);
}

#[test]
fn a_checkpoint_rebuilds_a_lane_that_continues_the_same_run() {
    let data = small_train();
    // Adam (MLP and DCGAN with BatchNorm statistics), RMSprop (WGAN), and InfoGAN's joint optimizers.
    for json in [
        r#"{"arch": "mlp", "batch": 16, "seed": 3}"#,
        r#"{"arch": "dcgan", "batch": 8, "seed": 3}"#,
        r#"{"objective": "wgan", "batch": 16, "seed": 3, "params": {"n_critic": 2}}"#,
        r#"{"objective": "infogan", "batch": 16, "seed": 3}"#,
    ] {
        let mut a = lane(json, &data);
        a.set_snapshot_every(3);
        train(&mut a, 4); // snapshot at step 3
        let bytes = pollster::block_on(a.checkpoint()).unwrap();
        assert!(bytes.starts_with(b"GANWTS01"));
        a.rollback();
        let expected = train(&mut a, 4);
        let mut b = Lane::<Cpu>::from_checkpoint(&bytes, &data, &cpu_device()).unwrap();
        assert_eq!((b.steps(), b.snapshot_step()), (3, 3), "{json}");
        assert_eq!(b.config(), a.config(), "{json}");
        assert_eq!(bits(&train(&mut b, 4)), bits(&expected), "{json}: the rebuilt lane did not continue the same run");
        assert_eq!(samples(&b), samples(&a), "{json}");
    }
}

#[test]
fn damaged_or_mismatched_checkpoints_are_refused() {
    let data = small_train();
    let mut a = lane(r#"{"batch": 8}"#, &data);
    train(&mut a, 1);
    let bytes = pollster::block_on(a.checkpoint()).unwrap();
    let refuse = |b: &[u8]| Lane::<Cpu>::from_checkpoint(b, &data, &cpu_device()).err().expect("refused");
    assert!(refuse(&bytes[..bytes.len() - 4]).contains("truncated"));
    assert!(refuse(b"not a checkpoint").contains("bad magic"));
    let generator = gan_playground::weights::save(a.generator(), "generator", serde_json::json!({})).unwrap();
    assert!(refuse(&generator).contains("not a lane checkpoint"));
    // The same file under a config that builds other networks (the header is JSON: edit it there).
    let w = gan_playground::weights::Weights::parse(&bytes).unwrap();
    let mut meta = w.meta.clone();
    meta["config"]["latent"] = serde_json::json!(32);
    let other = gan_playground::weights::Weights { meta, ..w.clone() }.encode();
    assert!(refuse(&other).contains("do not fit"), "{}", refuse(&other));
    let mut meta = w.meta.clone();
    meta["config"]["lr_g"] = serde_json::json!(5);
    assert!(refuse(&gan_playground::weights::Weights { meta, ..w.clone() }.encode()).contains("checkpoint config: lr_g"));
    let mut meta = w.meta.clone();
    meta["order"]["order"][0] = meta["order"]["order"][1].clone();
    assert!(refuse(&gan_playground::weights::Weights { meta, ..w }.encode()).contains("not a permutation"));
    // A smaller data set than the one the order was drawn over.
    let fewer = Digits { images: data.images[..256 * PIXELS].to_vec(), labels: data.labels[..256].to_vec() };
    assert!(Lane::<Cpu>::from_checkpoint(&bytes, &fewer, &cpu_device()).err().unwrap().contains("not a permutation"));
}

/// The page's curves format (see `src/curves.rs`).
fn page_curves() -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "stats": [{"step": 1, "d_loss": 1.3, "g_loss": 0.7, "diagnostics": {"d_real": 0.5, "g_grad_norm": null}}],
        "quality": [{"step": 1, "fid": 200.5, "classes_covered": 3, "histogram": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}],
    })
}

#[test]
fn save_writes_the_current_state_with_its_curves_and_the_run_goes_on_unchanged() {
    let data = small_train();
    let curves = page_curves();
    for json in [r#"{"arch": "dcgan", "batch": 8, "seed": 5}"#, r#"{"arch": "mlp", "batch": 16, "seed": 5}"#] {
        let (mut a, mut quiet) = (lane(json, &data), lane(json, &data));
        train(&mut a, 5); // the last snapshot is still step 0
        pollster::block_on(a.evaluate(4)).unwrap(); // the evaluation stream's position travels too
        let bytes = pollster::block_on(a.save(Some(&curves))).unwrap();
        let (mut b, found) = Lane::<Cpu>::from_checkpoint_with_curves(&bytes, &data, &cpu_device()).unwrap();
        assert_eq!((b.steps(), found.as_ref()), (5, Some(&curves)), "{json}");
        let expected = train(&mut a, 3);
        assert_eq!(bits(&train(&mut b, 3)), bits(&expected), "{json}: the copy continues the same run");
        train(&mut quiet, 5);
        assert_eq!(bits(&train(&mut quiet, 3)), bits(&expected), "{json}: saving changed the run");
        assert_eq!(pollster::block_on(b.evaluate(6)).unwrap(), pollster::block_on(a.evaluate(6)).unwrap(), "{json}");
    }
    let mut a = lane(r#"{"arch": "mlp", "batch": 16, "seed": 5}"#, &data);
    train(&mut a, 5);
    let bytes = pollster::block_on(a.save(Some(&curves))).unwrap();
    // Without curves, and through the old entry point.
    let plain = pollster::block_on(a.save(None)).unwrap();
    assert_eq!(Lane::<Cpu>::from_checkpoint_with_curves(&plain, &data, &cpu_device()).unwrap().1, None);
    assert_eq!(Lane::<Cpu>::from_checkpoint(&bytes, &data, &cpu_device()).unwrap().steps(), 5);
    // A diverged lane saves its last healthy snapshot.
    a.set_learning_rates_unchecked(1e30, 1e30);
    train(&mut a, 2);
    assert!(a.diverged_at().is_some());
    let healthy = pollster::block_on(a.save(Some(&curves))).unwrap();
    assert_eq!(Lane::<Cpu>::from_checkpoint(&healthy, &data, &cpu_device()).unwrap().steps(), a.snapshot_step());
}

#[test]
fn curves_must_be_a_json_object_of_at_most_8_mb() {
    let data = small_train();
    let mut a = lane(r#"{"batch": 8}"#, &data);
    train(&mut a, 1);
    let refused = pollster::block_on(a.save(Some(&serde_json::json!([1, 2])))).unwrap_err();
    assert!(refused.contains("curves must be a JSON object"), "{refused}");
    let huge = serde_json::json!({ "version": 1, "stats": "x".repeat(8 << 20) });
    assert!(pollster::block_on(a.save(Some(&huge))).unwrap_err().contains("at most 8388608 accepted"));
    let bytes = pollster::block_on(a.save(Some(&page_curves()))).unwrap();
    let w = gan_playground::weights::Weights::parse(&bytes).unwrap();
    let with = |curves: serde_json::Value| {
        let mut meta = w.meta.clone();
        meta["curves"] = curves;
        gan_playground::weights::Weights { meta, ..w.clone() }.encode()
    };
    let refuse = |b: &[u8]| Lane::<Cpu>::from_checkpoint(b, &data, &cpu_device()).err().expect("refused");
    assert!(refuse(&with(serde_json::json!("not curves"))).contains("checkpoint: curves must be a JSON object"));
    let null = Lane::<Cpu>::from_checkpoint_with_curves(&with(serde_json::Value::Null), &data, &cpu_device()).unwrap();
    assert_eq!(null.1, None, "null curves count as none");
    assert!(refuse(&bytes[..bytes.len() / 2]).contains("truncated"));
}

#[test]
fn a_checkpoint_without_an_evaluation_stream_starts_it_from_the_seed() {
    let data = small_train();
    let json = r#"{"batch": 8, "seed": 12}"#;
    let mut a = lane(json, &data);
    train(&mut a, 2);
    pollster::block_on(a.evaluate(3)).unwrap();
    let bytes = pollster::block_on(a.save(None)).unwrap();
    let w = gan_playground::weights::Weights::parse(&bytes).unwrap();
    let mut meta = w.meta.clone();
    meta.as_object_mut().unwrap().remove("eval_rng").expect("saved with its evaluation stream");
    let old = gan_playground::weights::Weights { meta, ..w }.encode();
    let mut b = Lane::<Cpu>::from_checkpoint(&old, &data, &cpu_device()).unwrap();
    let mut fresh = lane(json, &data);
    train(&mut fresh, 2);
    assert_eq!(pollster::block_on(b.evaluate(5)).unwrap(), pollster::block_on(fresh.evaluate(5)).unwrap());
}
