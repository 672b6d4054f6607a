//! Helpers shared by the integration tests: the bundled data file and small configs.
#![allow(dead_code)]

use gan_playground::config::TrainConfig;
use gan_playground::data::Digits;

/// The MNIST data file the build writes (`make data`).
pub fn digits() -> Digits {
    dataset("mnist")
}

/// A data file the build writes (`make data`): `mnist` or `fashion`.
pub fn dataset(name: &str) -> Digits {
    let path = format!("{}/www/data/{name}.bin", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run `make data` first)"));
    Digits::parse(&bytes).expect("bundled data parses")
}

pub fn config(json: &str) -> TrainConfig {
    TrainConfig::from_json(json).unwrap_or_else(|e| panic!("config {json} rejected: {e:?}"))
}
