//! 2-D lanes recover as image lanes do (tests/recovery.rs): an absurd learning rate stops the lane at
//! the first non-finite step, rollback restores the last healthy snapshot — one `PlaneState` value —
//! and training on from it repeats the original run bit for bit.

use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::lane::Phase;
use gan_playground::plane::lane::{PlaneLane, PlaneStats};
use gan_playground::plane::PlaneConfig;
use gan_playground::recovery::Recoverable;

fn lane(json: &str) -> PlaneLane<Cpu> {
    PlaneLane::new(PlaneConfig::from_json(json).unwrap(), &cpu_device()).unwrap()
}

/// Every value a step reported, bit for bit.
fn bits(stats: &[PlaneStats]) -> Vec<(usize, bool, Vec<Option<u32>>)> {
    stats
        .iter()
        .map(|s| (s.step, s.finite, [s.d_loss, s.g_loss].into_iter().chain(s.diagnostics.values().copied()).map(|v| v.map(f32::to_bits)).collect()))
        .collect()
}

fn train(l: &mut PlaneLane<Cpu>, n: usize) -> Vec<PlaneStats> {
    l.train(n, Phase::Both).unwrap()
}

#[test]
fn absurd_learning_rate_stops_the_lane_and_rollback_replays_the_run_bit_for_bit() {
    // Adam and RMSprop (WGAN), InfoGAN's codes, WGAN-GP's critic steps and input gradient.
    for json in [
        r#"{"objective":"nonsaturating","dataset":"ring","batch":16,"seed":2}"#,
        r#"{"objective":"wgan","dataset":"moons","batch":16,"seed":3}"#,
        r#"{"objective":"infogan","dataset":"grid","batch":16,"seed":4}"#,
        r#"{"objective":"wgan-gp","dataset":"spiral","batch":8,"seed":5}"#,
    ] {
        let mut l = lane(json);
        l.set_snapshot_every(5);
        assert_eq!(l.snapshot_step(), 0, "{json}: a new lane can always roll back to step 0");
        train(&mut l, 7);
        assert_eq!(l.snapshot_step(), 5, "{json}");
        train(&mut l, 3);
        assert_eq!(l.snapshot_step(), 10, "{json}");
        let (fakes_at_10, file_at_10) = (l.fakes(), l.save(None).unwrap());
        assert_eq!(l.checkpoint().unwrap(), file_at_10, "{json}: the snapshot of step 10 is the state of step 10");
        let healthy = train(&mut l, 3); // steps 11..13: the reference for the replay
        assert!(healthy.iter().all(|s| s.finite), "{json}: {healthy:?}");
        let file_at_13 = l.save(None).unwrap();
        assert_eq!(l.checkpoint().unwrap(), file_at_10, "{json}: training on leaves the snapshot alone");

        // 1e30 moves every weight by about 1e30 in the first update: its step is not finite.
        l.set_learning_rates_unchecked(1e30, 1e30);
        let stats = train(&mut l, 5);
        let bad = stats.last().unwrap();
        assert!(!bad.finite, "{json}: {stats:?}");
        assert!(stats[..stats.len() - 1].iter().all(|s| s.finite), "{json}: the statistics end at the first bad step");
        assert_eq!(l.diverged_at(), Some(bad.step), "{json}");
        assert_eq!(l.snapshot_step(), 10, "{json}: no snapshot of a diverged state (step 15 was due)");
        let refused = l.train(1, Phase::Both).unwrap_err();
        assert!(refused.contains(&format!("diverged at step {}", bad.step)) && refused.contains("to step 10"), "{json}: {refused}");
        assert!(l.step(Phase::D).is_err(), "{json}: a D step is refused too");
        assert_eq!(l.save(None).unwrap(), file_at_10, "{json}: a diverged lane saves its last healthy snapshot");

        assert_eq!(l.rollback(), 10, "{json}");
        assert_eq!((l.steps(), l.diverged_at()), (10, None), "{json}");
        assert_eq!(l.fakes(), fakes_at_10, "{json}: rollback restores G of step 10");
        assert_eq!(l.save(None).unwrap(), file_at_10, "{json}: weights, optimizer states, random streams and step of step 10");
        l.set_learning_rates_unchecked(l.config().train.lr_g, l.config().train.lr_d);
        assert_eq!(bits(&train(&mut l, 3)), bits(&healthy), "{json}: steps 11..13 repeat exactly after rollback");
        assert_eq!(l.save(None).unwrap(), file_at_13, "{json}: and end in the same state");
        assert!(train(&mut l, 10).iter().all(|s| s.finite), "{json}: training goes on after rollback");
        assert_eq!(l.steps(), 23, "{json}");
    }
}

#[test]
fn the_same_absurd_rate_diverges_again_at_the_same_step_and_d_steps_take_no_snapshot() {
    let json = r#"{"objective":"lsgan","dataset":"gaussians","batch":16,"seed":9}"#;
    let mut l = lane(json);
    l.set_snapshot_every(2);
    train(&mut l, 2);
    // D-only steps leave the generator step count and take no snapshot.
    l.train(3, Phase::D).unwrap();
    assert_eq!((l.steps(), l.snapshot_step()), (2, 2));
    let d_file = l.save(None).unwrap();
    l.set_learning_rates_unchecked(1e30, 1e30);
    let first = bits(&train(&mut l, 4));
    let at = l.diverged_at().expect("diverged");
    assert_eq!(l.rollback(), 2);
    assert_ne!(l.save(None).unwrap(), d_file, "the snapshot is of step 2, before the D-only steps");
    l.set_learning_rates_unchecked(l.config().train.lr_g, l.config().train.lr_d);
    l.train(3, Phase::D).unwrap();
    assert_eq!(l.save(None).unwrap(), d_file, "the D-only steps repeat exactly");
    l.set_learning_rates_unchecked(1e30, 1e30);
    assert_eq!(bits(&train(&mut l, 4)), first, "the same absurd rate diverges again, the same way");
    assert_eq!(l.diverged_at(), Some(at));

    // A diverging D-only step stops the lane too (its loss or D's weights are not finite).
    let mut d = lane(json);
    train(&mut d, 1);
    d.set_learning_rates_unchecked(1e30, 1e30);
    let stats = d.train(4, Phase::D).unwrap();
    assert!(!stats.last().unwrap().finite && d.diverged_at() == Some(1), "{stats:?}");
    assert_eq!(d.rollback(), 0);
}

#[test]
fn a_loaded_checkpoint_is_the_new_lanes_snapshot() {
    let json = r#"{"objective":"nonsaturating","dataset":"ring","batch":16,"seed":6}"#;
    let mut a = lane(json);
    train(&mut a, 7);
    let bytes = a.save(None).unwrap();
    let (mut b, _) = PlaneLane::<Cpu>::from_checkpoint(&bytes, &cpu_device()).unwrap();
    assert_eq!((b.steps(), b.snapshot_step(), b.diverged_at()), (7, 7, None));
    let ahead = bits(&train(&mut b, 3));
    b.set_learning_rates_unchecked(1e30, 1e30);
    train(&mut b, 2);
    assert!(b.diverged_at().is_some());
    assert_eq!(b.rollback(), 7, "the lane rolls back to the state it was loaded with");
    b.set_learning_rates_unchecked(b.config().train.lr_g, b.config().train.lr_d);
    assert_eq!(bits(&train(&mut b, 3)), ahead);
    assert_eq!(bits(&train(&mut a, 3)), ahead, "and that is the original run's steps 8..10");
}
