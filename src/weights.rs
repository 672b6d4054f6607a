//! Our own small weights format: any burn `Module`'s float parameters (BatchNorm running statistics
//! included) to and from bytes, with a caller-chosen `kind` and JSON `meta`; refuses damaged files.
//!
//! Layout (all little-endian): the 8 magic bytes `GANWTS01`, a `u32` header length `h`, `h` bytes of
//! UTF-8 JSON `{"format": 2, "kind": "...", "meta": {...}, "tensors": [{"shape": [..]}, ...]}`, then
//! every tensor's values as `f32`, row-major, in the order burn's `ModuleVisitor` visits the module's
//! float parameters, then (format 2) a `u32` CRC-32 (IEEE, as zlib and PNG) of every byte before it:
//! magic, header length, header and values. Nothing follows.
//!
//! Format 3 is format 2 with every value stored as an IEEE half-precision float (`f16`, 2 bytes)
//! instead of `f32`: compact files to ship with the site (`Weights::encode_f16`). Rounding to f16
//! keeps 11 significant bits (relative error at most 2^-11, about 0.05%) and refuses values beyond
//! ±65504, its largest finite value.
//!
//! Format 1 (files written before the checksum) has no `format` key and no CRC: it still loads, and
//! `Summary::integrity` says it was not verified (`Integrity::NoChecksum`). A CRC-32 detects every
//! error confined to 32 consecutive bits, so one damaged byte anywhere is always refused; a damaged
//! header usually fails its structural checks first (they run before the CRC, for precise messages).
//!
//! By convention `meta.dataset`, when present, names the data set the weights were trained on
//! (`"mnist"`, `"fashion"`); `vet` refuses a file trained on another data set than the page's.
//! No file system access: callers read and write bytes.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{backend::Backend, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod crc;
mod vet;
pub use crc::{crc32, Crc32};
pub use vet::{dataset_words, vet, Refused, COMPACT_NOTICE, DATASETS, NO_CHECKSUM_NOTICE};

/// Magic bytes at the start of every weights file (every format).
pub const MAGIC: &[u8; 8] = b"GANWTS01";
/// The format `encode` writes (header key `format`; absent means 1).
pub const FORMAT: u64 = 2;
/// The format `encode_f16` writes: format 2 with 2-byte half-precision values.
pub const FORMAT_F16: u64 = 3;
/// Largest JSON header accepted (16 MiB: room for a checkpoint's curves; a header announcing more is
/// refused before anything is read).
pub const MAX_HEADER: usize = 1 << 24;
/// Largest file accepted (64 MiB; the biggest model of the playground is a few MB). Callers that read
/// files should check the size before reading.
pub const MAX_FILE_BYTES: usize = 1 << 26;
/// Largest number of values accepted (as many as fit in `MAX_FILE_BYTES`).
pub const MAX_VALUES: usize = MAX_FILE_BYTES / 4;

/// What kind of refusal a `WeightsError` is, for words a user understands (`WeightsError::plain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a file of ours at all (bad magic).
    NotWeights,
    /// Larger than `MAX_FILE_BYTES`.
    TooLarge,
    /// A file of ours whose bytes are inconsistent: cut short, extra bytes, unreadable header,
    /// checksum mismatch, or values that are not finite.
    Damaged,
    /// A format this build does not read (written by a newer version).
    OtherVersion,
    /// Intact, but of another kind or another shape than the model it is loaded into.
    Unfit,
}

/// Why weights were refused: `message` names the field (`"values: truncated: ..."`), `refusal` the
/// kind of problem.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsError {
    pub refusal: Refusal,
    pub message: String,
}

impl std::fmt::Display for WeightsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "weights: {}", self.message)
    }
}

impl std::error::Error for WeightsError {}

impl WeightsError {
    fn new(refusal: Refusal, message: impl Into<String>) -> WeightsError {
        WeightsError { refusal, message: message.into() }
    }

    /// The refusal in plain words, for a page or a person who has never seen the format.
    pub fn plain(&self) -> String {
        let m = self.message.as_str();
        match self.refusal {
            Refusal::NotWeights => "this file is not a playground checkpoint".into(),
            Refusal::TooLarge => format!(
                "this file is too large to be a playground checkpoint (at most {} MB)",
                MAX_FILE_BYTES >> 20
            ),
            Refusal::OtherVersion => format!(
                "this checkpoint was saved by a newer version of the playground (format {}); this page reads formats 1 to {FORMAT_F16}",
                m.trim_start_matches("format: ").split(';').next().unwrap_or("")
            ),
            Refusal::Damaged => {
                let why = if m.starts_with("checksum") {
                    "checksum mismatch: some bytes changed after it was saved"
                } else if m.contains("truncated") {
                    "it is cut short"
                } else if m.contains("trailing bytes") {
                    "it has extra bytes at the end"
                } else if m.contains("not finite") {
                    "it holds values that are not finite numbers"
                } else {
                    "its header cannot be read"
                };
                format!("this checkpoint is damaged ({why}) and was not loaded")
            }
            Refusal::Unfit => format!("this file does not fit here ({m})"),
        }
    }
}

fn err<T>(refusal: Refusal, msg: impl Into<String>) -> Result<T, WeightsError> {
    Err(WeightsError::new(refusal, msg))
}

/// Whether a file's contents were verified against a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integrity {
    /// Formats 2 and 3: the CRC-32 matched.
    Verified,
    /// Format 1: written before checksums; nothing could be verified beyond the structure.
    NoChecksum,
}

impl Integrity {
    /// `"verified"` or `"none"` (the words the page gets).
    pub fn as_str(self) -> &'static str {
        match self {
            Integrity::Verified => "verified",
            Integrity::NoChecksum => "none",
        }
    }
}


#[derive(Serialize, Deserialize)]
struct TensorEntry {
    shape: Vec<usize>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    /// Absent in format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<u64>,
    kind: String,
    meta: Value,
    tensors: Vec<TensorEntry>,
}

/// What a file holds, checked as `parse` checks it, without its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub kind: String,
    pub meta: Value,
    /// 1, 2 or 3 (half-precision values).
    pub format: u64,
    pub integrity: Integrity,
    /// Number of tensors and of values in all.
    pub tensors: usize,
    pub values: usize,
}

/// A file split into its checked header and its values' bytes.
struct Framed<'a> {
    header: Header,
    values: &'a [u8],
    integrity: Integrity,
    /// Bytes per value: 4 (`f32`) or 2 (`f16`, format 3).
    width: usize,
}

/// Little-endian values of `width` bytes each (4: `f32`, 2: `f16`) as `f32`.
fn decode_values(bytes: &[u8], width: usize) -> impl Iterator<Item = f32> + '_ {
    bytes.chunks_exact(width).map(move |c| match c {
        [a, b] => half::f16::from_le_bytes([*a, *b]).to_f32(),
        c => f32::from_le_bytes(c.try_into().expect("4 bytes")),
    })
}

/// Checks everything a file can be checked for alone: size, magic, header, shapes, lengths, checksum,
/// finite values.
fn frame(bytes: &[u8]) -> Result<Framed<'_>, WeightsError> {
    use Refusal::*;
    if bytes.len() > MAX_FILE_BYTES {
        return err(TooLarge, format!("file size: {} bytes; at most {MAX_FILE_BYTES} accepted", bytes.len()));
    }
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return err(NotWeights, "magic: not a playground weights file or checkpoint (bad magic; expected the 8 bytes GANWTS01)");
    }
    if bytes.len() < 12 {
        return err(Damaged, format!("header length: truncated: the file ends after {} bytes", bytes.len()));
    }
    let h = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    if h > MAX_HEADER {
        return err(Damaged, format!("header length: {h} bytes announced; at most {MAX_HEADER} accepted"));
    }
    let Some(json) = bytes.get(12..12 + h) else {
        return err(Damaged, format!("header: truncated: {h} bytes announced, {} bytes follow", bytes.len() - 12));
    };
    let text = std::str::from_utf8(json).map_err(|_| WeightsError::new(Damaged, "header: not UTF-8 JSON"))?;
    let header: Header = serde_json::from_str(text).map_err(|e| {
        WeightsError::new(Damaged, format!("header: not the expected JSON {{kind, meta, tensors: [{{shape}}]}}: {e}"))
    })?;
    let format = header.format.unwrap_or(1);
    if !(1..=FORMAT_F16).contains(&format) {
        return err(OtherVersion, format!("format: {format}; this build reads formats 1 to {FORMAT_F16}"));
    }
    let width = if format == FORMAT_F16 { 2 } else { 4 };
    let mut count = 0usize;
    for (i, t) in header.tensors.iter().enumerate() {
        let n = t.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        count = match n.and_then(|n| count.checked_add(n)) {
            Some(c) if c <= MAX_VALUES => c,
            _ => {
                let shape = crate::config::shorten(&format!("{:?}", t.shape));
                return err(Damaged, format!("tensor {i} shape: {shape} is too large; at most {MAX_VALUES} values in all"));
            }
        };
    }
    let trailer = if format >= 2 { 4 } else { 0 };
    let body = &bytes[12 + h..];
    if body.len() != width * count + trailer {
        let what = if body.len() < width * count + trailer { "truncated" } else { "trailing bytes" };
        let crc = if trailer > 0 { " and a 4-byte checksum" } else { "" };
        return err(Damaged, format!("values: {what}: {count} values ({} bytes){crc} announced, {} bytes found", width * count, body.len()));
    }
    let integrity = if trailer > 0 {
        let end = bytes.len() - 4;
        let stored = u32::from_le_bytes(bytes[end..].try_into().unwrap());
        let actual = crc32(&bytes[..end]);
        if stored != actual {
            return err(Damaged, format!("checksum: mismatch (the file says {stored:08x}, its contents give {actual:08x}): damaged"));
        }
        Integrity::Verified
    } else {
        Integrity::NoChecksum
    };
    let values = &body[..width * count];
    let mut at = 0;
    for (i, t) in header.tensors.iter().enumerate() {
        let n = t.shape.iter().product::<usize>();
        let chunk = &values[width * at..width * (at + n)];
        if let Some((bad, v)) = decode_values(chunk, width).enumerate().find(|(_, v)| !v.is_finite()) {
            return err(Damaged, format!("tensor {i} value {bad}: {v} (not finite; values must be finite)"));
        }
        at += n;
    }
    Ok(Framed { values, header, integrity, width })
}

/// Checks `bytes` as `parse` does (structure, checksum, finite values) and returns what they hold
/// without copying the values out.
pub fn inspect(bytes: &[u8]) -> Result<Summary, WeightsError> {
    let f = frame(bytes)?;
    Ok(Summary {
        format: f.header.format.unwrap_or(1),
        integrity: f.integrity,
        tensors: f.header.tensors.len(),
        values: f.values.len() / f.width,
        kind: f.header.kind,
        meta: f.header.meta,
    })
}

impl Summary {
    /// The data set the file says it was trained on (`meta.dataset`), if it says.
    pub fn dataset(&self) -> Option<&str> {
        self.meta.get("dataset").and_then(Value::as_str)
    }
}


/// A parsed, validated weights file: every value finite, sizes consistent.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    pub kind: String,
    pub meta: Value,
    /// `(shape, values)` per tensor, in module visiting order.
    pub tensors: Vec<(Vec<usize>, Vec<f32>)>,
}

impl Weights {
    /// Encodes in the format `parse` reads (format 2, with its checksum).
    pub fn encode(&self) -> Vec<u8> {
        self.encode_as(FORMAT, |v, out| out.extend_from_slice(&v.to_le_bytes()))
    }

    /// Encodes in format 3: as `encode`, each value rounded to the nearest half-precision float
    /// (half the size; relative error at most 2^-11). Refuses a value that f16 cannot hold (beyond
    /// ±65504, or not finite), naming the tensor.
    pub fn encode_f16(&self) -> Result<Vec<u8>, WeightsError> {
        for (i, (_, values)) in self.tensors.iter().enumerate() {
            if let Some((j, v)) = values.iter().enumerate().find(|(_, v)| !half::f16::from_f32(**v).is_finite()) {
                return err(Refusal::Unfit, format!("tensor {i} value {j}: {v} does not fit half precision (at most ±65504)"));
            }
        }
        Ok(self.encode_as(FORMAT_F16, |v, out| out.extend_from_slice(&half::f16::from_f32(v).to_le_bytes())))
    }

    fn encode_as(&self, format: u64, put: impl Fn(f32, &mut Vec<u8>)) -> Vec<u8> {
        let header = Header {
            format: Some(format),
            kind: self.kind.clone(),
            meta: self.meta.clone(),
            tensors: self.tensors.iter().map(|(shape, _)| TensorEntry { shape: shape.clone() }).collect(),
        };
        let json = serde_json::to_vec(&header).expect("header serialises");
        let count: usize = self.tensors.iter().map(|(_, v)| v.len()).sum();
        let mut out = Vec::with_capacity(16 + json.len() + 4 * count);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for (_, values) in &self.tensors {
            for &v in values {
                put(v, &mut out);
            }
        }
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Parses and validates bytes written by `encode` (or by a build before checksums: format 1).
    pub fn parse(bytes: &[u8]) -> Result<Weights, WeightsError> {
        Ok(Weights::parse_checked(bytes)?.0)
    }

    /// `parse`, also saying whether a checksum verified the contents.
    pub fn parse_checked(bytes: &[u8]) -> Result<(Weights, Integrity), WeightsError> {
        let f = frame(bytes)?;
        let mut values = decode_values(f.values, f.width);
        let mut tensors = Vec::with_capacity(f.header.tensors.len());
        for t in f.header.tensors {
            let n = t.shape.iter().product::<usize>();
            tensors.push((t.shape, values.by_ref().take(n).collect()));
        }
        Ok((Weights { kind: f.header.kind, meta: f.header.meta, tensors }, f.integrity))
    }

    /// Checks that these weights are of `kind` and fit `module`'s parameters one for one.
    pub fn check<B: Backend, M: Module<B>>(&self, kind: &str, module: &M) -> Result<(), WeightsError> {
        if self.kind != kind {
            return err(Refusal::Unfit, format!("kind: file holds {:?}, expected {kind:?}", crate::config::shorten(&self.kind)));
        }
        let shapes = shapes(module);
        if shapes.len() != self.tensors.len() {
            return err(Refusal::Unfit, format!("tensor count: file holds {} tensors, the model has {}", self.tensors.len(), shapes.len()));
        }
        for (i, (want, (got, _))) in shapes.iter().zip(&self.tensors).enumerate() {
            if want != got {
                let got = crate::config::shorten(&format!("{got:?}"));
                return err(Refusal::Unfit, format!("tensor {i} shape: file has {got}, the model expects {want:?}"));
            }
        }
        Ok(())
    }

    /// Replaces `module`'s float parameters with these values (after `check`); parameters keep their
    /// ids, devices and whether they require gradients.
    pub fn load_into<B: Backend, M: Module<B>>(&self, kind: &str, module: M) -> Result<M, WeightsError> {
        self.check(kind, &module)?;
        // Otherwise a pending update would later overwrite the loaded running statistics.
        sync_running_states(&module);
        Ok(module.map(&mut Loader { tensors: &self.tensors, next: 0 }))
    }
}

/// Shapes of a module's float parameters in visiting order.
pub fn shapes<B: Backend, M: Module<B>>(module: &M) -> Vec<Vec<usize>> {
    struct Shapes(Vec<Vec<usize>>);
    impl<B: Backend> ModuleVisitor<B> for Shapes {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            self.0.push(param.val().dims().to_vec());
        }
    }
    let mut v = Shapes(Vec::new());
    module.visit(&mut v);
    v.0
}

/// Folds every `RunningState`'s pending per-thread update (e.g. BatchNorm statistics of the last
/// training step) into its value: visitors and mappers see only the value. `into_record` syncs, and a
/// clone shares the running states, so syncing the clone syncs `module`.
fn sync_running_states<B: Backend, M: Module<B>>(module: &M) {
    let _ = module.clone().into_record();
}

/// A module's float parameters flattened to one dimension, in visiting order, still on the device.
fn flat_params<B: Backend, M: Module<B>>(module: &M) -> Vec<(Vec<usize>, Tensor<B, 1>)> {
    sync_running_states(module);
    struct Collect<B: Backend>(Vec<(Vec<usize>, Tensor<B, 1>)>);
    impl<B: Backend> ModuleVisitor<B> for Collect<B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let t = param.val();
            let dims = t.dims();
            self.0.push((dims.to_vec(), t.reshape([dims.iter().product::<usize>()])));
        }
    }
    let mut c = Collect(Vec::new());
    module.visit(&mut c);
    c.0
}

fn to_f32(data: TensorData) -> Result<Vec<f32>, WeightsError> {
    data.convert::<f32>().to_vec().map_err(|e| WeightsError::new(Refusal::Unfit, format!("reading parameters: {e:?}")))
}

fn finish(kind: &str, meta: Value, tensors: Vec<(Vec<usize>, Vec<f32>)>) -> Result<Vec<u8>, WeightsError> {
    if let Some((i, _)) = tensors.iter().enumerate().find(|(_, (_, v))| v.iter().any(|x| !x.is_finite())) {
        return err(Refusal::Damaged, format!("tensor {i} holds a non-finite value; refusing to save"));
    }
    Ok(Weights { kind: kind.to_string(), meta, tensors }.encode())
}

/// Encodes `module`'s float parameters (reading them back synchronously: CPU backends, native wgpu).
/// Refuses a module holding NaN or infinite values.
pub fn save<B: Backend, M: Module<B>>(module: &M, kind: &str, meta: Value) -> Result<Vec<u8>, WeightsError> {
    let mut tensors = Vec::new();
    for (shape, t) in flat_params(module) {
        tensors.push((shape, to_f32(t.into_data())?));
    }
    finish(kind, meta, tensors)
}

/// As `save`, reading the parameters back asynchronously (required on WebGPU in the browser).
pub async fn save_async<B: Backend, M: Module<B>>(module: &M, kind: &str, meta: Value) -> Result<Vec<u8>, WeightsError> {
    let mut tensors = Vec::new();
    for (shape, t) in flat_params(module) {
        let data = t.into_data_async().await.map_err(|e| WeightsError::new(Refusal::Unfit, format!("reading parameters: {e:?}")))?;
        tensors.push((shape, to_f32(data)?));
    }
    finish(kind, meta, tensors)
}

/// Parses `bytes`, checks they are `kind` and fit `module`, and loads them. Returns the module and the
/// file's `meta`.
pub fn load<B: Backend, M: Module<B>>(module: M, bytes: &[u8], kind: &str) -> Result<(M, Value), WeightsError> {
    let w = Weights::parse(bytes)?;
    let module = w.load_into(kind, module)?;
    Ok((module, w.meta))
}

struct Loader<'a> {
    tensors: &'a [(Vec<usize>, Vec<f32>)],
    next: usize,
}

impl<B: Backend> ModuleMapper<B> for Loader<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let (id, old, mapper) = param.consume();
        // `check` ran first: counts and shapes match, so indexing cannot fail.
        let (shape, values) = &self.tensors[self.next];
        self.next += 1;
        let dims: [usize; D] = shape.as_slice().try_into().expect("shape checked");
        let t = Tensor::<B, D>::from_data(TensorData::new(values.clone(), dims), &old.device())
            .set_require_grad(old.is_require_grad());
        Param::from_mapped_value(id, t, mapper)
    }
}
