//! The CLI's checkpoints: `train --save` then `train --resume` continues the run exactly, the file
//! carries the page's curves and loads as a lane, and configuration flags cannot contradict it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::lane::Lane;
use serde_json::Value;

fn cli(args: &[&str]) -> Output {
    let data = format!("{}/www/data/mnist.bin", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_gan-playground")).arg("train").args(args).args(["--data", &data]).output().unwrap();
    out
}

fn ok(args: &[&str]) {
    let out = cli(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn metrics(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("metrics.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("gan-cli-resume-{}-{name}", std::process::id()))
}

#[test]
fn save_then_resume_equals_an_uninterrupted_run() {
    let (first, second, whole) = (tmp("first"), tmp("second"), tmp("whole"));
    let (ck5, ck10) = (tmp("5.bin"), tmp("10.bin"));
    let s = |p: &PathBuf| p.to_str().unwrap().to_string();
    let flags = ["--arch", "mlp", "--batch", "16", "--seed", "3", "--log-every", "0"];
    ok(&[&flags[..], &["--steps", "5", "--out", &s(&first), "--save", &s(&ck5)]].concat());
    ok(&["--resume", &s(&ck5), "--steps", "5", "--out", &s(&second), "--save", &s(&ck10), "--log-every", "0"]);
    ok(&[&flags[..], &["--steps", "10", "--out", &s(&whole)]].concat());
    let (resumed, uninterrupted) = (metrics(&second), metrics(&whole));
    assert_eq!(resumed.len(), 5);
    assert_eq!(resumed[4]["step"], 10);
    assert_eq!(resumed[..], uninterrupted[5..], "steps 6..10 after resuming equal those of one run");

    // The checkpoint loads as a lane at step 10, with the page's curves of all 10 steps.
    let data = common::digits().split().0;
    let bytes = std::fs::read(&ck10).unwrap();
    let (lane, curves) = Lane::<Cpu>::from_checkpoint_with_curves(&bytes, &data, &cpu_device()).unwrap();
    assert_eq!(lane.steps(), 10);
    let curves = curves.expect("curves saved");
    assert_eq!(curves["version"], 1);
    let stats = curves["stats"].as_array().unwrap();
    assert_eq!(stats.iter().map(|e| e["step"].as_u64().unwrap()).collect::<Vec<_>>(), (1..=10).collect::<Vec<_>>());
    // One JSON shape: the checkpoint's curves hold metrics.jsonl's lines as they are.
    assert_eq!(stats[9], uninterrupted[9]);
    assert!(stats[9]["diagnostics"]["d_real"].is_number(), "{}", stats[9]);
    assert!(curves["quality"].as_array().unwrap().is_empty());
    for p in [first, second, whole, ck5, ck10] {
        let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
    }
}

#[test]
fn resume_refuses_configuration_flags_and_bad_files() {
    let out = cli(&["--resume", "whatever.bin", "--batch", "8"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--resume") && err.contains("--batch"), "{err}");
    let bad = tmp("bad.bin");
    std::fs::write(&bad, b"GANWTS01 but nothing else").unwrap();
    let out = cli(&["--resume", bad.to_str().unwrap(), "--steps", "1", "--out", tmp("bad-out").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("bad.bin") && err.contains("weights:"), "{err}");
    let _ = std::fs::remove_file(bad);
    let _ = std::fs::remove_dir_all(tmp("bad-out"));
}

#[test]
fn long_runs_are_thinned_to_4000_evenly_spaced_points() {
    let items: Vec<usize> = (1..=10_001).collect();
    let thin = gan_playground::curves::thin(&items, gan_playground::curves::MAX_STATS);
    assert_eq!((thin.len(), thin[0], *thin.last().unwrap()), (4000, 1, 10_001));
    assert!(thin.windows(2).all(|w| w[1] > w[0] && w[1] - w[0] <= 3));
    assert_eq!(gan_playground::curves::thin(&items[..10], 4000), items[..10]);
    // Resuming keeps the earlier curves up to the checkpoint's step, then the new steps.
    let old = serde_json::json!({"version": 1, "stats": [{"step": 1}, {"step": 2}, {"step": 3}], "quality": [{"step": 2}, {"step": 3}]});
    let built = gan_playground::curves::build(Some(&old), 2, vec![serde_json::json!({"step": 3})]);
    assert_eq!(built, serde_json::json!({"version": 1, "stats": [{"step": 1}, {"step": 2}, {"step": 3}], "quality": [{"step": 2}]}));
}
