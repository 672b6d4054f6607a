//! Step modes for teaching (D only, G only, both) and k discriminator updates per generator step.

mod common;

use common::{lane, small_train};

use gan_playground::backend::Cpu;
use gan_playground::lane::{Lane, Phase, StepStats, G_GRAD_NORM};
use gan_playground::objective;
use gan_playground::recovery::Recoverable;
use serde_json::Value;

fn phase(lane: &mut Lane<Cpu>, n: usize, p: Phase) -> Vec<StepStats> {
    pollster::block_on(lane.train_phase(n, p)).unwrap()
}

/// Every parameter of G and of D, as bytes.
fn weights(lane: &Lane<Cpu>) -> (Vec<u8>, Vec<u8>) {
    let meta = serde_json::json!({});
    let g = gan_playground::weights::save(lane.generator(), "g", meta.clone()).unwrap();
    (g, gan_playground::weights::save(lane.discriminator(), "d", meta).unwrap())
}

/// Adam's step counts of the first parameter of G and of D (from a checkpoint of the current state).
fn adam_steps(lane: &Lane<Cpu>) -> (u64, u64) {
    let bytes = pollster::block_on(lane.save(None)).unwrap();
    let meta = gan_playground::weights::Weights::parse(&bytes).unwrap().meta;
    let first = |i: usize| meta["opts"][i].as_array().unwrap().iter().find(|e| !e.is_null()).map_or(0, |e| e[0].as_u64().unwrap());
    (first(0), first(1))
}

#[test]
fn a_d_phase_trains_only_the_discriminator_and_reports_g_values_absent() {
    let data = small_train();
    let mut l = lane(r#"{"batch": 16, "seed": 3}"#, &data);
    phase(&mut l, 2, Phase::Both);
    let (g0, d0) = weights(&l);
    let stats = phase(&mut l, 3, Phase::D);
    let (g1, d1) = weights(&l);
    assert_eq!(g0, g1, "G untouched");
    assert_ne!(d0, d1, "D trained");
    assert_eq!(l.steps(), 2, "the generator-step counter is unchanged");
    let info = objective::info("nonsaturating").unwrap();
    for s in &stats {
        assert_eq!((s.step, s.phase), (2, Phase::D));
        assert!(s.finite && s.weights_finite, "absent values are not divergence: {s:?}");
        assert!(s.d_loss.is_some() && s.g_loss.is_none());
        for (name, v) in &s.diagnostics {
            assert_eq!(v.is_some(), info.d_diagnostics.contains(&name.as_str()), "{name}");
        }
        assert!(s.diagnostic(G_GRAD_NORM).is_none());
    }
    assert_eq!(adam_steps(&l), (2, 5));
}

#[test]
fn a_g_phase_trains_only_the_generator_and_counts_a_step() {
    let data = small_train();
    let mut l = lane(r#"{"batch": 16, "seed": 3}"#, &data);
    let (g0, d0) = weights(&l);
    let stats = phase(&mut l, 2, Phase::G);
    let (g1, d1) = weights(&l);
    assert_ne!(g0, g1, "G trained");
    assert_eq!(d0, d1, "D untouched");
    assert_eq!(l.steps(), 2);
    assert_eq!(stats.iter().map(|s| (s.step, s.phase)).collect::<Vec<_>>(), [(1, Phase::G), (2, Phase::G)]);
    let s = &stats[1];
    assert!(s.finite && s.d_loss.is_none() && s.g_loss.is_some() && s.diagnostic(G_GRAD_NORM).is_some());
    assert!(s.diagnostic("d_real").is_none());
    assert_eq!(adam_steps(&l), (2, 0));
    // InfoGAN's G phase reports the information bound from G's own loss and leaves D (and Q) alone;
    // MEG's G phase also steps the statistics network T, which lives on the discriminator side.
    let mut info = lane(r#"{"objective": "infogan", "batch": 16, "seed": 3}"#, &data);
    let (_, d0) = weights(&info);
    let s = phase(&mut info, 1, Phase::G).remove(0);
    assert!(s.diagnostic("mi_lower_bound").is_some() && s.diagnostic("d_real").is_none());
    assert_eq!(weights(&info).1, d0);
    let mut meg = lane(r#"{"objective": "meg", "batch": 16, "seed": 3}"#, &data);
    let (_, d0) = weights(&meg);
    let s = phase(&mut meg, 1, Phase::G).remove(0);
    assert!(s.diagnostic("mi_estimate").is_some() && s.diagnostic("energy_real").is_none());
    assert_ne!(weights(&meg).1, d0);
}

#[test]
fn a_d_phase_then_a_g_phase_is_one_ordinary_step() {
    let data = small_train();
    let json = r#"{"arch": "dcgan", "batch": 8, "seed": 6}"#;
    let (mut split, mut whole) = (lane(json, &data), lane(json, &data));
    let mut parts = Vec::new();
    for _ in 0..2 {
        parts.extend(phase(&mut split, 1, Phase::D));
        parts.extend(phase(&mut split, 1, Phase::G));
    }
    let steps = phase(&mut whole, 2, Phase::Both);
    for (i, s) in steps.iter().enumerate() {
        let (d, g) = (&parts[2 * i], &parts[2 * i + 1]);
        assert_eq!(s.d_loss.map(f32::to_bits), d.d_loss.map(f32::to_bits));
        assert_eq!(s.g_loss.map(f32::to_bits), g.g_loss.map(f32::to_bits));
        for (j, (name, v)) in s.diagnostics.iter().enumerate() {
            let other = d.diagnostics[j].1.or(g.diagnostics[j].1);
            assert_eq!(v.map(f32::to_bits), other.map(f32::to_bits), "{name}");
        }
    }
    assert_eq!(weights(&split), weights(&whole));
}

#[test]
fn snapshots_follow_generator_steps_and_a_bad_d_phase_still_stops_the_lane() {
    let data = small_train();
    let mut l = lane(r#"{"batch": 16, "seed": 8}"#, &data);
    l.set_snapshot_every(1);
    phase(&mut l, 2, Phase::D);
    assert_eq!(l.snapshot_step(), 0, "no generator step, no snapshot");
    phase(&mut l, 1, Phase::G);
    assert_eq!(l.snapshot_step(), 1);
    l.set_learning_rates_unchecked(2e-4, 1e30);
    let stats = phase(&mut l, 4, Phase::D);
    let last = stats.last().unwrap();
    assert!(!last.finite && last.phase == Phase::D, "{last:?}");
    assert_eq!(l.diverged_at(), Some(1));
    assert!(pollster::block_on(l.train_phase(1, Phase::G)).unwrap_err().contains("diverged at step 1"));
    assert_eq!(l.rollback(), 1);
    assert_eq!(Phase::parse("both"), Ok(Phase::Both));
    assert!(Phase::parse("x").unwrap_err().contains("expected \"d\", \"g\" or \"both\""));
}

#[test]
fn k_sets_the_discriminator_updates_per_generator_step_for_every_objective_that_has_it() {
    let data = small_train();
    for info in objective::all() {
        let keys: Vec<&str> = info.params.iter().map(|p| p.key).collect();
        assert!(keys.contains(&"k") != keys.contains(&"n_critic"), "{}: k or n_critic, exactly one", info.id);
        if !keys.contains(&"k") {
            continue;
        }
        let mut l = lane(&format!(r#"{{"objective": "{}", "batch": 8, "seed": 1, "params": {{"k": 3}}}}"#, info.id), &data);
        phase(&mut l, 2, Phase::Both);
        phase(&mut l, 1, Phase::D);
        assert_eq!(adam_steps(&l), (2, 9), "{}: 3 D updates per generator step", info.id);
    }
    let refused = gan_playground::config::TrainConfig::from_json(r#"{"params": {"k": 11}}"#).unwrap_err();
    assert!(refused[0].field == "params.k", "{refused:?}");
    let default: Value = serde_json::from_str(&common::config("{}").to_json()).unwrap();
    assert_eq!(default["params"]["k"], 1.0);
}
