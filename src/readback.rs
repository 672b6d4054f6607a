//! Reading tensors back to the host, asynchronously: the only way on WebGPU in the browser.

use burn::tensor::{backend::Backend, Tensor};

/// Reads a tensor back to the host as `f32`; `what` names it in the error.
pub async fn read_f32<B: Backend, const D: usize>(t: Tensor<B, D>, what: &str) -> Result<Vec<f32>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading {what}: {e:?}"))?;
    data.convert::<f32>().to_vec().map_err(|e| format!("reading {what}: {e:?}"))
}
