//! The lanes' random number generator (ChaCha12, the algorithm behind rand's `StdRng`, so seeds give
//! the same streams) and its exact state as JSON, so a checkpoint resumes the same random streams.

use rand_chacha::ChaCha12Rng;
use serde_json::{json, Value};

/// Random number generator of a lane's latent vectors, loss noise and batch order.
pub type LaneRng = ChaCha12Rng;

/// The generator's full state: seed, stream and position (a decimal string: it is a 68-bit number).
pub fn to_json(rng: &LaneRng) -> Value {
    let seed: String = rng.get_seed().iter().map(|b| format!("{b:02x}")).collect();
    json!({ "seed": seed, "stream": rng.get_stream().to_string(), "word_pos": rng.get_word_pos().to_string() })
}

/// Rebuilds a generator from `to_json`'s output; anything else is refused with a message.
pub fn from_json(v: &Value) -> Result<LaneRng, String> {
    use rand::SeedableRng;
    let text = |key: &str| v.get(key).and_then(Value::as_str).ok_or_else(|| format!("random state: missing {key}"));
    let hex = text("seed")?;
    if hex.len() != 64 || !hex.is_ascii() {
        return Err("random state: seed must be 64 hex digits".into());
    }
    let mut seed = [0u8; 32];
    for (i, b) in seed.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| "random state: seed is not hex".to_string())?;
    }
    let stream: u64 = text("stream")?.parse().map_err(|_| "random state: bad stream".to_string())?;
    let word_pos: u128 = text("word_pos")?.parse().map_err(|_| "random state: bad position".to_string())?;
    let mut rng = LaneRng::from_seed(seed);
    rng.set_stream(stream);
    rng.set_word_pos(word_pos);
    Ok(rng)
}
