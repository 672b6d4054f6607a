//! Config validation: defaults, every bad field named with its accepted range, nothing panics.

use gan_playground::config::TrainConfig;
use gan_playground::model::Arch;

fn errors(json: &str) -> Vec<(String, String)> {
    match TrainConfig::from_json(json) {
        Ok(cfg) => panic!("{json} accepted as {cfg:?}"),
        Err(errs) => errs.into_iter().map(|e| (e.field, e.message)).collect(),
    }
}

#[test]
fn empty_object_gives_the_defaults() {
    let cfg = TrainConfig::from_json("{}").unwrap();
    assert_eq!(cfg, TrainConfig::default());
    assert_eq!((cfg.objective.as_str(), cfg.arch, cfg.batch), ("nonsaturating", Arch::Mlp, 64));
    assert_eq!(cfg.params.get("label_smoothing"), Some(0.0));
}

#[test]
fn url_style_strings_are_accepted_and_round_trip() {
    let cfg = TrainConfig::from_json(
        r#"{"objective": "minimax", "arch": "dcgan", "lr_g": "1e-3", "lr_d": "0.0005", "batch": "32", "latent": "16", "seed": "42"}"#,
    )
    .unwrap();
    assert_eq!((cfg.arch, cfg.batch, cfg.latent, cfg.seed), (Arch::Dcgan, 32, 16, 42));
    assert_eq!((cfg.lr_g, cfg.lr_d), (1e-3, 5e-4));
    assert_eq!(TrainConfig::from_json(&cfg.to_json()).unwrap(), cfg);
}

#[test]
fn bad_values_name_the_field_and_the_range() {
    for (json, field, needle) in [
        (r#"{"lr_g": -1}"#, "lr_g", "from 0.000001 to 0.1"),
        (r#"{"lr_d": 0}"#, "lr_d", "expected a number"),
        (r#"{"lr_d": "NaN"}"#, "lr_d", "expected a number"),
        (r#"{"lr_g": "Infinity"}"#, "lr_g", "expected a number"),
        (r#"{"batch": 0}"#, "batch", "from 1 to 512"),
        (r#"{"batch": 100000}"#, "batch", "from 1 to 512"),
        (r#"{"batch": 2.5}"#, "batch", "whole number"),
        (r#"{"latent": 0}"#, "latent", "from 1 to 256"),
        (r#"{"seed": "abc"}"#, "seed", "whole number"),
        (r#"{"objective": "gan9000"}"#, "objective", "available: nonsaturating, minimax, lsgan, wgan"),
        (r#"{"arch": "resnet"}"#, "arch", "mlp, dcgan"),
        (r#"{"params": {"label_smoothing": 3}}"#, "params.label_smoothing", "0 (off) or 1 (on)"),
        (r#"{"objective": "minimax", "params": {"label_smoothing": 1}}"#, "params.label_smoothing", "not a parameter of minimax"),
        (r#"{"colour": "red"}"#, "colour", "unknown field"),
    ] {
        let errs = errors(json);
        assert!(errs.iter().any(|(f, m)| f == field && m.contains(needle)), "{json}: {errs:?}");
    }
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let errs = errors(r#"{"lr_g": 5, "batch": -3, "arch": 7}"#);
    let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["arch", "lr_g", "batch"]);
}

#[test]
fn hostile_text_is_shortened_in_messages_and_garbage_is_refused() {
    let long = "x".repeat(10_000);
    let errs = errors(&format!(r#"{{"objective": "{long}"}}"#));
    assert!(errs[0].1.len() < 200, "message not shortened: {} chars", errs[0].1.len());
    assert_eq!(errors("not json")[0].0, "config");
    assert_eq!(errors("[1, 2]")[0].0, "config");
}

/// The page reads its limits from `page::limits()`; they must agree with the validator's ranges.
#[test]
fn page_limits_match_the_validator() {
    let limits = gan_playground::page::limits();
    let batch = &limits["fields"]["batch"];
    let max = batch["max"].as_u64().unwrap();
    let ok = format!(r#"{{"batch": {max}}}"#);
    let over = format!(r#"{{"batch": {}}}"#, max + 1);
    assert!(gan_playground::config::TrainConfig::from_json(&ok).is_ok());
    assert!(gan_playground::config::TrainConfig::from_json(&over).is_err());
    assert_eq!(limits["maxLanes"], 4);
    assert!(limits["evalEvery"]["default"].as_u64().unwrap() >= limits["evalEvery"]["min"].as_u64().unwrap());
    // The page's `autosave=` parameter: 0 and 1 mean off and on, so an interval in seconds starts above 1.
    let a = &limits["autosaveEvery"];
    let (lo, hi, default) = (a["min"].as_u64().unwrap(), a["max"].as_u64().unwrap(), a["default"].as_u64().unwrap());
    assert!(lo > 1 && lo <= default && default <= hi, "autosaveEvery: {a}");
    // The first lane is a valid configuration, and not the plain defaults (it exists to differ from them).
    let first = gan_playground::config::TrainConfig::from_map(limits["firstLane"].as_object().unwrap()).unwrap();
    assert_eq!((first.objective.as_str(), first.arch.id(), first.lr_g, first.lr_d), ("nonsaturating", "dcgan", 1e-3, 1e-3));
    assert_ne!(first, gan_playground::config::TrainConfig::default());
    let d = &limits["laneDefaults"];
    let plain = gan_playground::config::TrainConfig::default();
    assert_eq!((d["arch"].as_str().unwrap(), d["batch"].as_u64().unwrap() as usize, d["latent"].as_u64().unwrap() as usize), (plain.arch.id(), plain.batch, plain.latent));
}
