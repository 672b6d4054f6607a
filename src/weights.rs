//! Our own small weights format: any burn `Module`'s float parameters (BatchNorm running statistics
//! included) to and from bytes, with a caller-chosen `kind` and JSON `meta`; refuses damaged files.
//!
//! Layout (all little-endian): the 8 magic bytes `GANWTS01`, a `u32` header length `h`, `h` bytes of
//! UTF-8 JSON `{"kind": "...", "meta": {...}, "tensors": [{"shape": [..]}, ...]}`, then every tensor's
//! values as `f32`, row-major, in the order burn's `ModuleVisitor` visits the module's float
//! parameters. Nothing follows the last value. No file system access: callers read and write bytes.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{backend::Backend, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Magic bytes at the start of every weights file.
pub const MAGIC: &[u8; 8] = b"GANWTS01";
/// Largest JSON header accepted (16 MiB: room for a checkpoint's curves; a header announcing more is
/// refused before anything is read).
pub const MAX_HEADER: usize = 1 << 24;
/// Largest file accepted (64 MiB; the biggest model of the playground is a few MB). Callers that read
/// files should check the size before reading.
pub const MAX_FILE_BYTES: usize = 1 << 26;
/// Largest number of values accepted (as many as fit in `MAX_FILE_BYTES`).
pub const MAX_VALUES: usize = MAX_FILE_BYTES / 4;

/// Why weights were refused.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsError(pub String);

impl std::fmt::Display for WeightsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "weights: {}", self.0)
    }
}

impl std::error::Error for WeightsError {}

fn err<T>(msg: impl Into<String>) -> Result<T, WeightsError> {
    Err(WeightsError(msg.into()))
}

#[derive(Serialize, Deserialize)]
struct TensorEntry {
    shape: Vec<usize>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    kind: String,
    meta: Value,
    tensors: Vec<TensorEntry>,
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
    /// Encodes in the format `parse` reads.
    pub fn encode(&self) -> Vec<u8> {
        let header = Header {
            kind: self.kind.clone(),
            meta: self.meta.clone(),
            tensors: self.tensors.iter().map(|(shape, _)| TensorEntry { shape: shape.clone() }).collect(),
        };
        let json = serde_json::to_vec(&header).expect("header serialises");
        let count: usize = self.tensors.iter().map(|(_, v)| v.len()).sum();
        let mut out = Vec::with_capacity(12 + json.len() + 4 * count);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(json.len() as u32).to_le_bytes());
        out.extend_from_slice(&json);
        for (_, values) in &self.tensors {
            for v in values {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out
    }

    /// Parses and validates bytes written by `encode`.
    pub fn parse(bytes: &[u8]) -> Result<Weights, WeightsError> {
        if bytes.len() > MAX_FILE_BYTES {
            return err(format!("file size: {} bytes; at most {MAX_FILE_BYTES} accepted", bytes.len()));
        }
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return err("magic: not a weights file (bad magic; expected the 8 bytes GANWTS01)");
        }
        let h = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        if h > MAX_HEADER {
            return err(format!("header length: {h} bytes announced; at most {MAX_HEADER} accepted"));
        }
        let Some(json) = bytes.get(12..12 + h) else {
            return err(format!("header: truncated: {h} bytes announced, {} bytes follow", bytes.len() - 12));
        };
        let text = std::str::from_utf8(json).map_err(|_| WeightsError("header: not UTF-8 JSON".into()))?;
        let header: Header = serde_json::from_str(text).map_err(|e| {
            WeightsError(format!("header: not the expected JSON {{kind, meta, tensors: [{{shape}}]}}: {e}"))
        })?;
        let mut count = 0usize;
        for (i, t) in header.tensors.iter().enumerate() {
            let n = t.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
            count = match n.and_then(|n| count.checked_add(n)) {
                Some(c) if c <= MAX_VALUES => c,
                _ => {
                    let shape = crate::config::shorten(&format!("{:?}", t.shape));
                    return err(format!("tensor {i} shape: {shape} is too large; at most {MAX_VALUES} values in all"));
                }
            };
        }
        let body = &bytes[12 + h..];
        if body.len() != 4 * count {
            let what = if body.len() < 4 * count { "truncated" } else { "trailing bytes" };
            return err(format!("values: {what}: {count} values ({} bytes) announced, {} bytes found", 4 * count, body.len()));
        }
        let mut values = body.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap()));
        let mut tensors = Vec::with_capacity(header.tensors.len());
        for (i, t) in header.tensors.into_iter().enumerate() {
            let n = t.shape.iter().product::<usize>();
            let v: Vec<f32> = values.by_ref().take(n).collect();
            if let Some(bad) = v.iter().position(|x| !x.is_finite()) {
                return err(format!("tensor {i} value {bad}: {} (not finite; values must be finite)", v[bad]));
            }
            tensors.push((t.shape, v));
        }
        Ok(Weights { kind: header.kind, meta: header.meta, tensors })
    }

    /// Checks that these weights are of `kind` and fit `module`'s parameters one for one.
    pub fn check<B: Backend, M: Module<B>>(&self, kind: &str, module: &M) -> Result<(), WeightsError> {
        if self.kind != kind {
            return err(format!("kind: file holds {:?}, expected {kind:?}", crate::config::shorten(&self.kind)));
        }
        let shapes = shapes(module);
        if shapes.len() != self.tensors.len() {
            return err(format!("tensor count: file holds {} tensors, the model has {}", self.tensors.len(), shapes.len()));
        }
        for (i, (want, (got, _))) in shapes.iter().zip(&self.tensors).enumerate() {
            if want != got {
                let got = crate::config::shorten(&format!("{got:?}"));
                return err(format!("tensor {i} shape: file has {got}, the model expects {want:?}"));
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
    data.convert::<f32>().to_vec().map_err(|e| WeightsError(format!("reading parameters: {e:?}")))
}

fn finish(kind: &str, meta: Value, tensors: Vec<(Vec<usize>, Vec<f32>)>) -> Result<Vec<u8>, WeightsError> {
    if let Some((i, _)) = tensors.iter().enumerate().find(|(_, (_, v))| v.iter().any(|x| !x.is_finite())) {
        return err(format!("tensor {i} holds a non-finite value; refusing to save"));
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
        let data = t.into_data_async().await.map_err(|e| WeightsError(format!("reading parameters: {e:?}")))?;
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
