//! Training curves as checkpoints carry them: `{"version": 1, "stats": [...], "quality": [...]}`.
//!
//! Each `stats` entry is a step's statistics in their one JSON shape (`StepStats::to_json`: `{step,
//! phase, d_loss, g_loss, diagnostics: {name: value}, ...}`, null where a value was not computed or
//! not finite); each `quality` entry `{step, fid, classes_covered, histogram}`. The page writes and
//! reads them; the CLI writes them too, so its checkpoints load in the page.

use serde_json::{json, Value};

/// Version of the curves format.
pub const VERSION: u64 = 1;
/// Most `stats` entries a checkpoint keeps (longer runs are thinned evenly, first and last kept).
pub const MAX_STATS: usize = 4000;

/// At most `max` (at least 2) of `items`, evenly spaced, the first and the last included.
pub fn thin<T: Clone>(items: &[T], max: usize) -> Vec<T> {
    let max = max.max(2);
    if items.len() <= max {
        return items.to_vec();
    }
    let last = items.len() - 1;
    (0..max).map(|j| items[(j * last + (max - 1) / 2) / (max - 1)].clone()).collect()
}

/// Curves for a checkpoint at the end of a run: `previous` (the curves of the checkpoint the run
/// resumed from, if any) up to `from_step`, the generator step the run started at, then `stats`;
/// thinned to `MAX_STATS`. `previous`'s quality entries up to `from_step` are kept.
pub fn build(previous: Option<&Value>, from_step: usize, stats: Vec<Value>) -> Value {
    let upto = |key: &str| -> Vec<Value> {
        let entries = previous.and_then(|p| p.get(key)).and_then(Value::as_array);
        let before = |e: &&Value| e.get("step").and_then(Value::as_u64).is_some_and(|s| s as usize <= from_step);
        entries.map(|a| a.iter().filter(before).cloned().collect()).unwrap_or_default()
    };
    let mut all = upto("stats");
    all.extend(stats);
    json!({ "version": VERSION, "stats": thin(&all, MAX_STATS), "quality": upto("quality") })
}
