//! The teaching text (`src/explain/`): every registered objective has a complete explainer whose
//! "what to watch" names diagnostics the objective really reports, the glossary covers every term the
//! page shows, and the JSON the page and the browser test read is what `explainers_json` gives.

use std::collections::HashSet;

use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::config::TrainConfig;
use gan_playground::data::{Digits, PIXELS};
use gan_playground::explain::{self, Role};
use gan_playground::lane::{Lane, G_GRAD_NORM};
use gan_playground::objective;

/// Terms the page shows that issue 15 asks the glossary to explain.
const PAGE_TERMS: &[&str] = &[
    "fid", "real_fid", "fixed_z", "classes_covered", "p_real", "d_x", "d_g_z", "js_estimate", "w_estimate",
    "clip_fraction", "energy", "pull_away", "mi_lower_bound", "k", "n_critic",
];

/// The browser test's copy of `explainers_json()` (it runs without the wasm build).
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/fixtures/explainers.json");

/// Every diagnostic name a lane of `info`'s objective reports.
fn reported(info: &objective::ObjectiveInfo) -> Vec<&'static str> {
    info.d_diagnostics.iter().chain(info.g_diagnostics).copied().chain([G_GRAD_NORM]).collect()
}

fn filled(s: &str, what: &str, id: &str) {
    assert!(!s.trim().is_empty(), "{id}: empty {what}");
    assert!(!s.contains('\n'), "{id}: {what} spans lines: {s:?}");
}

#[test]
fn every_registered_objective_has_a_complete_explainer() {
    let ids: Vec<&str> = objective::all().iter().map(|i| i.id).collect();
    for info in objective::all() {
        let id = info.id;
        let e = explain::explainer(id).unwrap_or_else(|| panic!("objective {id:?} has no explainer: add src/explain/<file>.rs and list it in explain::ALL"));
        assert_eq!(e.id, id);
        filled(e.title, "title", id);

        assert!(e.formulas.iter().any(|f| f.role == Role::D), "{id}: no formula for D's loss");
        assert!(e.formulas.iter().any(|f| f.role == Role::G), "{id}: no formula for G's loss");
        for f in e.formulas {
            filled(f.label, "formula label", id);
            filled(f.tex, "formula", id);
            let balanced = f.tex.chars().fold(0i32, |depth, c| depth + i32::from(c == '{') - i32::from(c == '}'));
            assert_eq!(balanced, 0, "{id}: unbalanced braces in {:?}", f.tex);
        }

        assert!(!e.symbols.is_empty(), "{id}: no symbols named");
        for s in e.symbols {
            filled(s.tex, "symbol", id);
            filled(s.meaning, "symbol meaning", id);
        }

        assert!((3..=6).contains(&e.intuition.len()), "{id}: intuition has {} sentences, not 3-6", e.intuition.len());
        for sentence in e.intuition {
            filled(sentence, "intuition sentence", id);
            assert!(sentence.ends_with('.'), "{id}: intuition sentence does not end with a full stop: {sentence:?}");
        }

        assert!(!e.watch.is_empty(), "{id}: nothing to watch");
        for w in e.watch {
            filled(w.look_for, "what to look for", id);
        }
        filled(e.failure_mode, "failure mode", id);

        assert!(!e.references.is_empty(), "{id}: no paper");
        for r in e.references {
            filled(r.authors, "authors", id);
            filled(r.title, "paper title", id);
            assert!((2014..=2030).contains(&r.year), "{id}: year {}", r.year);
            let (yymm, num) = r.arxiv.split_once('.').unwrap_or(("", ""));
            assert!(
                yymm.len() == 4 && (4..=5).contains(&num.len()) && r.arxiv.chars().all(|c| c.is_ascii_digit() || c == '.'),
                "{id}: not an arXiv id: {:?}",
                r.arxiv
            );
        }
    }
    for e in explain::ALL {
        assert!(ids.contains(&e.id), "explainer {:?} belongs to no registered objective", e.id);
    }
    assert_eq!(explain::ALL.len(), ids.len(), "two explainers for one objective");
}

#[test]
fn what_to_watch_names_diagnostics_the_objective_reports() {
    for info in objective::all() {
        let e = explain::explainer(info.id).expect("checked above");
        let names = reported(info);
        for w in e.watch {
            assert!(names.contains(&w.diagnostic), "{}: watches {:?}, but its lanes report only {names:?}", info.id, w.diagnostic);
        }
    }
}

/// 64 synthetic digits: enough for one step of a small MLP lane.
fn noise_digits() -> Digits {
    let n = 64;
    let images = (0..n * PIXELS).map(|i| ((i * 2_654_435_761) >> 13) as u8).collect();
    Digits { images, labels: (0..n).map(|i| (i % 10) as u8).collect() }
}

#[test]
fn watched_diagnostics_come_out_of_a_real_training_step() {
    let data = noise_digits();
    for info in objective::all() {
        let critic = if info.params.iter().any(|p| p.key == "n_critic") { r#", "params": {"n_critic": 1}"# } else { "" };
        let json = format!(r#"{{"objective": "{}", "arch": "mlp", "batch": 8, "seed": 3{critic}}}"#, info.id);
        let config = TrainConfig::from_json(&json).unwrap_or_else(|e| panic!("{json}: {e:?}"));
        let mut lane = Lane::<Cpu>::new(config, &data, &cpu_device()).unwrap();
        let stats = pollster::block_on(lane.train(1)).unwrap();
        let step = stats.last().expect("one step's statistics");
        let e = explain::explainer(info.id).expect("checked above");
        for w in e.watch {
            let value = step.diagnostic(w.diagnostic);
            assert!(value.is_some_and(f32::is_finite), "{}: a training step reports {:?} as {value:?}", info.id, w.diagnostic);
        }
    }
}

#[test]
fn glossary_explains_every_term_and_diagnostic_the_page_shows() {
    let mut seen = HashSet::new();
    for t in explain::GLOSSARY {
        assert!(seen.insert(t.term), "glossary term {:?} twice", t.term);
        filled(t.label, "label", t.term);
        filled(t.text, "explanation", t.term);
    }
    for term in PAGE_TERMS {
        assert!(explain::term(term).is_some(), "glossary lacks {term:?}");
    }
    for info in objective::all() {
        for name in reported(info) {
            assert!(explain::term(name).is_some(), "glossary lacks {name:?}, a diagnostic of {}", info.id);
        }
    }
}

#[test]
fn json_has_every_explainer_and_the_glossary() {
    let v: serde_json::Value = serde_json::from_str(&explain::explainers_json()).expect("valid JSON");
    let objectives = v["objectives"].as_array().expect("objectives array");
    let ids: Vec<&str> = objectives.iter().map(|o| o["id"].as_str().unwrap()).collect();
    let registered: Vec<&str> = objective::all().iter().map(|i| i.id).collect();
    assert_eq!(ids, registered, "explainers in registry order");
    for o in objectives {
        for field in ["title", "formulas", "symbols", "intuition", "watch", "failure_mode", "references"] {
            assert!(!o[field].is_null(), "{}: no {field} in JSON", o["id"]);
        }
        assert!(["d", "g", "extra"].contains(&o["formulas"][0]["role"].as_str().unwrap()));
        assert!(o["watch"][0]["diagnostic"].is_string() && o["references"][0]["arxiv"].is_string());
    }
    assert_eq!(v["glossary"].as_array().unwrap().len(), explain::GLOSSARY.len());
}

/// `GAN_UPDATE_FIXTURES=1 cargo test --test explain` rewrites the browser test's copy.
#[test]
fn browser_fixture_is_current() {
    let json = explain::explainers_json();
    if std::env::var("GAN_UPDATE_FIXTURES").as_deref() == Ok("1") {
        std::fs::write(FIXTURE, format!("{json}\n")).unwrap();
    }
    let fixture = std::fs::read_to_string(FIXTURE).unwrap_or_default();
    assert!(fixture.trim_end() == json, "{FIXTURE} is stale: run `GAN_UPDATE_FIXTURES=1 cargo test --release --test explain`");
}
