//! The shared bad-input corpus (tests/corpus/bad_input.json) through the config validator, the CLI and the weights loader: every case is an error naming the field and the accepted range, never a panic.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;

use burn::backend::Flex;
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::config::{FieldError, TrainConfig};
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::Lane;
use gan_playground::model::{Arch, GSpec, Generator};
use gan_playground::weights::{self, Weights};
use serde_json::{json, Map, Value};

/// Longest message any case may produce (a 10 kB value must be shortened).
const MAX_MESSAGE: usize = 300;

fn corpus() -> Value {
    let text = include_str!("corpus/bad_input.json");
    serde_json::from_str(text).expect("corpus is JSON")
}

fn cases<'a>(corpus: &'a Value, section: &str) -> &'a [Value] {
    corpus[section].as_array().unwrap_or_else(|| panic!("corpus has no {section} section"))
}

/// Replaces every `{"$repeat": s, "times": n}` with `s` repeated `n` times.
fn expand(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.contains_key("$repeat") => {
            Value::String(m["$repeat"].as_str().unwrap().repeat(m["times"].as_u64().unwrap() as usize))
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), expand(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(expand).collect()),
        other => other.clone(),
    }
}

/// Every `(field, message)` a case expects: its own and any listed under `more`.
fn expected(case: &Value) -> Vec<(String, String)> {
    let one = |c: &Value| (c["field"].as_str().unwrap().to_string(), c["message"].as_str().unwrap().to_string());
    let mut all = vec![one(case)];
    all.extend(case.get("more").and_then(Value::as_array).into_iter().flatten().map(one));
    all
}

fn check_errors(name: &str, errors: &[FieldError], case: &Value) {
    for (field, needle) in expected(case) {
        assert!(
            errors.iter().any(|e| e.field == field && e.message.contains(&needle)),
            "{name}: no error for {field:?} containing {needle:?}; got {errors:?}"
        );
    }
    for e in errors {
        assert!(e.to_string().chars().count() <= MAX_MESSAGE, "{name}: message of {} chars", e.to_string().len());
    }
}

#[test]
fn config_cases_are_refused_field_by_field_without_panicking() {
    let corpus = corpus();
    let cases = cases(&corpus, "config");
    assert!(cases.len() >= 40, "only {} config cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = expand(&case["input"]);
        let map: Map<String, Value> = input.as_object().unwrap().clone();
        let result = catch_unwind(|| TrainConfig::from_map(&map)).unwrap_or_else(|_| panic!("{name}: from_map panicked"));
        match result {
            Ok(cfg) => panic!("{name}: accepted as {cfg:?}"),
            Err(errors) => check_errors(name, &errors, case),
        }
        // The same through from_json, as the worker and the page pass it.
        let text = input.to_string();
        let result = catch_unwind(|| TrainConfig::from_json(&text)).unwrap_or_else(|_| panic!("{name}: from_json panicked"));
        check_errors(name, &result.expect_err("from_json accepted it"), case);
    }
}

#[test]
fn cli_cases_exit_with_a_message_not_a_panic() {
    let corpus = corpus();
    let out = std::env::temp_dir().join(format!("gan-bad-input-{}", std::process::id()));
    for case in cases(&corpus, "cli") {
        let name = case["name"].as_str().unwrap();
        let mut args: Vec<String> = case["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
        args.extend(["--steps".into(), "1".into(), "--out".into(), out.display().to_string()]);
        let run = Command::new(env!("CARGO_BIN_EXE_gan-playground")).args(&args).output().expect("runs the CLI");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{name}: exit status {:?}, stderr {stderr}", run.status);
        let (field, needle) = (case["field"].as_str().unwrap(), case["message"].as_str().unwrap());
        assert!(stderr.contains(field) && stderr.contains(needle), "{name}: stderr {stderr:?}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
    assert!(!out.join("metrics.jsonl").exists(), "a refused config still trained");
    let _ = std::fs::remove_dir_all(&out);
}

type G = Generator<Flex>;

fn generator(arch: Arch, latent: usize) -> G {
    Generator::new(arch, latent, GSpec::default(), &cpu_device())
}

/// The valid file of the recipes: a tiny lane (MLP, latent 2, batch 1) trained one step, its generator saved.
fn tiny_lane_file() -> Vec<u8> {
    let data = Digits { images: (0..4 * PIXELS).map(|i| (i % 251) as u8).collect(), labels: vec![0, 1, 2, 3] };
    let config = TrainConfig::from_json(r#"{"latent": 2, "batch": 1, "seed": 5}"#).unwrap();
    let mut lane = Lane::<Cpu>::new(config, &data, &cpu_device()).unwrap();
    pollster::block_on(lane.train_step().read()).unwrap();
    let bytes = weights::save(lane.generator(), "generator", json!({"steps": 1})).unwrap();
    weights::load(generator(Arch::Mlp, 2), &bytes, "generator").expect("the untouched file loads");
    bytes
}

/// Applies a corpus recipe to the valid file; returns the bytes and the module to load them into.
fn apply(recipe: &Value, good: &[u8]) -> (Vec<u8>, G) {
    let n = |key: &str| recipe[key].as_u64().unwrap() as usize;
    let parsed = || Weights::parse(good).unwrap();
    let mut bytes = good.to_vec();
    let mut target = generator(Arch::Mlp, 2);
    match recipe["op"].as_str().unwrap() {
        "truncate" => bytes.truncate(n("to")),
        "truncate_by" => bytes.truncate(good.len() - n("bytes")),
        "append" => bytes.extend(std::iter::repeat(0).take(n("bytes"))),
        "flip" => bytes[n("at")] ^= 0xff,
        "header" => {
            let header_len = u32::from_le_bytes(good[8..12].try_into().unwrap()) as usize;
            let text = recipe["text"].as_str().unwrap();
            bytes = [&good[..8], &(text.len() as u32).to_le_bytes(), text.as_bytes(), &good[12 + header_len..]].concat();
        }
        "set_value" => {
            let mut w = parsed();
            let v: f32 = recipe["value"].as_str().unwrap().parse().unwrap();
            w.tensors[n("tensor")].1[n("index")] = v;
            bytes = w.encode();
        }
        "pad_to" => bytes.resize(n("bytes"), 0),
        "kind" => {
            let mut w = parsed();
            w.kind = recipe["value"].as_str().unwrap().to_string();
            bytes = w.encode();
        }
        "drop_tensor" => {
            let mut w = parsed();
            w.tensors.pop();
            bytes = w.encode();
        }
        "reverse_shape" => {
            let mut w = parsed();
            w.tensors[n("tensor")].0.reverse();
            bytes = w.encode();
        }
        "load_into" => {
            let arch = recipe.get("arch").and_then(Value::as_str).map(|a| Arch::parse(a).unwrap()).unwrap_or(Arch::Mlp);
            let latent = recipe.get("latent").map(|_| n("latent")).unwrap_or(2);
            target = generator(arch, latent);
        }
        op => panic!("unknown recipe {op}"),
    }
    (bytes, target)
}

#[test]
fn damaged_weight_files_are_refused_with_the_field_and_never_panic() {
    let corpus = corpus();
    let good = tiny_lane_file();
    for case in cases(&corpus, "weights") {
        let name = case["name"].as_str().unwrap();
        let (bytes, target) = apply(&case["recipe"], &good);
        let result = catch_unwind(AssertUnwindSafe(|| weights::load(target, &bytes, "generator").map(|_| ())))
            .unwrap_or_else(|_| panic!("{name}: weights::load panicked"));
        let message = result.expect_err(name).to_string();
        for (field, needle) in expected(case) {
            assert!(message.contains(&format!("{field}:")), "{name}: {message:?} does not name {field:?}");
            assert!(message.contains(&needle), "{name}: {message:?} lacks {needle:?}");
        }
        assert!(message.chars().count() <= MAX_MESSAGE, "{name}: message of {} chars", message.len());
    }
}

#[test]
fn the_cli_refuses_an_oversized_or_corrupt_classifier_file_before_using_it() {
    let dir = std::env::temp_dir().join(format!("gan-bad-weights-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.bin");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(weights::MAX_FILE_BYTES as u64 + 1).unwrap(); // sparse: nothing is written
    let cut = dir.join("cut.bin");
    std::fs::write(&cut, &std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/classifier.bin")).unwrap()[..100]).unwrap();
    for (path, needle) in [(&big, "file size: 67108865 bytes; at most 67108864 accepted"), (&cut, "truncated")] {
        let run = Command::new(env!("CARGO_BIN_EXE_gan-playground"))
            .args(["score", "--samples", "none.u8", "--classifier"])
            .arg(path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(needle), "{stderr:?} lacks {needle:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
