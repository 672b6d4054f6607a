//! Limits and defaults of the page: lanes, step requests, slow motion, the quality interval, the
//! evaluation sample count, the first lane and every configuration field's range. The worker and the page read them
//! from here (`limits()` in the wasm bindings), so no number is written twice between Rust and JS.

use serde_json::{json, Value};

use crate::config::{TrainConfig, BATCH_RANGE, LATENT_RANGE, LR_RANGE, SEED_MAX};
use crate::{curves, recovery, weights};

/// Most lanes one page trains side by side.
pub const MAX_LANES: usize = 4;
/// Largest number of generator steps one `step(n)` request may ask for.
pub const MAX_STEP_REQUEST: usize = 10_000;
/// Slow motion: generator steps per second per lane (0 means full speed).
pub const SPEED_RANGE: (f64, f64) = (0.1, 1000.0);
/// Generator steps between live quality measurements.
pub const EVAL_EVERY_RANGE: (usize, usize) = (10, 100_000);
pub const DEFAULT_EVAL_EVERY: usize = 200;
/// Seconds between autosaves of the page's runs to the browser's storage (the `autosave` URL parameter:
/// 0 turns autosave off, a number in this range sets the interval).
pub const AUTOSAVE_EVERY_RANGE: (u32, u32) = (5, 3600);
pub const DEFAULT_AUTOSAVE_EVERY: u32 = 30;
/// Fresh samples scored by the classifier per live measurement.
pub const EVAL_SAMPLES: usize = 256;

/// The lane a page starts with when its address names no configuration: the first minute of a new user
/// (issue 16 § 3), chosen by measurement (`bench/first-minute-sweep.sh`, `node bench/first-minute.mjs`;
/// docs/performance.md, "First minute"). The non-saturating GAN on the DCGAN networks at 10⁻³ brings the
/// in-page FID below 150 with every class in about 200 steps, where the MLP at its defaults needed over 2,000.
/// Any field the address gives replaces all of it: `?objective=lsgan` starts from the objective's defaults.
pub fn first_lane() -> Value {
    json!({ "objective": "nonsaturating", "arch": "dcgan", "lr_g": 1e-3, "lr_d": 1e-3 })
}

/// The defaults of a lane configured without them (`TrainConfig::default`): a lesson's lanes start from these
/// and their objectives' learning rates, whatever the lanes on the page were.
fn lane_defaults() -> Value {
    let d = TrainConfig::default();
    json!({ "arch": d.arch.id(), "batch": d.batch, "latent": d.latent })
}

/// Everything above, plus the configuration fields' ranges, as the JSON the page reads.
pub fn limits() -> Value {
    json!({
        "maxLanes": MAX_LANES,
        "maxStepRequest": MAX_STEP_REQUEST,
        "speed": { "min": SPEED_RANGE.0, "max": SPEED_RANGE.1 },
        "evalEvery": { "min": EVAL_EVERY_RANGE.0, "max": EVAL_EVERY_RANGE.1, "default": DEFAULT_EVAL_EVERY },
        "evalSamples": EVAL_SAMPLES,
        "autosaveEvery": {
            "min": AUTOSAVE_EVERY_RANGE.0, "max": AUTOSAVE_EVERY_RANGE.1, "default": DEFAULT_AUTOSAVE_EVERY,
        },
        "snapshotEvery": recovery::DEFAULT_SNAPSHOT_EVERY,
        "maxCurvePoints": curves::MAX_STATS,
        "maxCheckpointBytes": weights::MAX_FILE_BYTES,
        "plane": crate::plane::limits(),
        "firstLane": first_lane(),
        "laneDefaults": lane_defaults(),
        "fields": {
            "lr_g": { "min": LR_RANGE.0, "max": LR_RANGE.1, "integer": false },
            "lr_d": { "min": LR_RANGE.0, "max": LR_RANGE.1, "integer": false },
            "batch": { "min": BATCH_RANGE.0, "max": BATCH_RANGE.1, "integer": true },
            "latent": { "min": LATENT_RANGE.0, "max": LATENT_RANGE.1, "integer": true },
            "seed": { "min": 0, "max": SEED_MAX, "integer": true },
        },
    })
}
