//! The bundled digit data set: parsing the compact binary file, train/test split, and batch order.

use rand::{seq::SliceRandom, SeedableRng};

use crate::rng::LaneRng;

/// Side of a square image in pixels.
pub const SIDE: usize = 28;
/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;
/// Magic bytes at the start of the data file.
pub const MAGIC: &[u8; 8] = b"GANDIGI1";
/// Every `TEST_EVERY`-th image is held out for evaluation.
pub const TEST_EVERY: usize = 10;

/// Images as bytes (0 = background, 255 = ink) with their class labels.
#[derive(Debug, Clone)]
pub struct Digits {
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
}

/// Why a data file was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError(pub String);

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "data file: {}", self.0)
    }
}

impl Digits {
    /// Parses `MAGIC`, a little-endian u32 count `n`, `n` label bytes, then `n × 784` pixel bytes.
    pub fn parse(bytes: &[u8]) -> Result<Digits, DataError> {
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(DataError("not a digits file (bad header)".into()));
        }
        let n = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        let expected = 12 + n + n * PIXELS;
        if n == 0 || bytes.len() != expected {
            return Err(DataError(format!("{} images announced, {} bytes expected, {} found", n, expected, bytes.len())));
        }
        let labels = bytes[12..12 + n].to_vec();
        if let Some(bad) = labels.iter().find(|&&l| l > 9) {
            return Err(DataError(format!("label {bad} is not a digit class")));
        }
        Ok(Digits { labels, images: bytes[12 + n..].to_vec() })
    }

    /// Encodes in the format `parse` reads.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + self.labels.len() * (PIXELS + 1));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.labels);
        out.extend_from_slice(&self.images);
        out
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Splits into (train, test): every `TEST_EVERY`-th image goes to test.
    pub fn split(&self) -> (Digits, Digits) {
        let (mut train, mut test) = (Digits::empty(), Digits::empty());
        for i in 0..self.len() {
            let dst = if i % TEST_EVERY == TEST_EVERY - 1 { &mut test } else { &mut train };
            dst.labels.push(self.labels[i]);
            dst.images.extend_from_slice(&self.images[i * PIXELS..(i + 1) * PIXELS]);
        }
        (train, test)
    }

    fn empty() -> Digits {
        Digits { images: Vec::new(), labels: Vec::new() }
    }

    /// Count of images per class 0..9.
    pub fn class_counts(&self) -> [usize; 10] {
        let mut counts = [0; 10];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// Pixels scaled to [-1, 1], row-major `[n, 784]`.
    pub fn scaled(&self) -> Vec<f32> {
        self.images.iter().map(|&p| p as f32 / 127.5 - 1.0).collect()
    }
}

/// Epoch-wise shuffled batch indices, reproducible from a seed.
#[derive(Clone)]
pub struct BatchOrder {
    order: Vec<usize>,
    pos: usize,
    rng: LaneRng,
}

impl BatchOrder {
    pub fn new(len: usize, seed: u64) -> BatchOrder {
        let mut rng = LaneRng::seed_from_u64(seed ^ 0x5eed_da7a);
        let mut order: Vec<usize> = (0..len).collect();
        order.shuffle(&mut rng);
        BatchOrder { order, pos: 0, rng }
    }

    /// The next `batch` indices, reshuffling at each epoch boundary.
    pub fn next(&mut self, batch: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(batch);
        while out.len() < batch {
            if self.pos == self.order.len() {
                self.order.shuffle(&mut self.rng);
                self.pos = 0;
            }
            out.push(self.order[self.pos]);
            self.pos += 1;
        }
        out
    }
}

impl BatchOrder {
    /// The exact state (current permutation, position in it, shuffling generator) as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "order": self.order, "pos": self.pos, "rng": crate::rng::to_json(&self.rng) })
    }

    /// Rebuilds an order over `len` images from `to_json`'s output; refuses anything that is not a
    /// permutation of `0..len` with a position inside it.
    pub fn from_json(v: &serde_json::Value, len: usize) -> Result<BatchOrder, String> {
        let order: Vec<usize> = v
            .get("order")
            .and_then(|o| serde_json::from_value(o.clone()).ok())
            .ok_or("batch order: missing or not a list of indices")?;
        let pos = v.get("pos").and_then(serde_json::Value::as_u64).ok_or("batch order: missing position")? as usize;
        let mut seen = vec![false; len];
        let permutation = order.len() == len && order.iter().all(|&i| i < len && !std::mem::replace(&mut seen[i], true));
        if !permutation || pos > len {
            return Err(format!("batch order: not a permutation of the {len} training images"));
        }
        let rng = crate::rng::from_json(v.get("rng").unwrap_or(&serde_json::Value::Null))?;
        Ok(BatchOrder { order, pos, rng })
    }
}
