//! GAN playground: models, objectives, training loop and data for training small GANs on MNIST,
//! built both as a WebAssembly module (WebGPU with a CPU fallback) and as a native crate.

pub mod backend;
pub mod config;
pub mod cpu_conv;
#[cfg(feature = "gpu")]
mod gpu;
#[cfg(feature = "gpu")]
mod gpu_conv;
pub mod dense;
pub mod curves;
pub mod data;
pub mod explain;
pub mod lane;
pub mod metrics;
pub mod model;
pub mod objective;
pub mod opt;
pub mod page;
pub mod params;
pub mod plane;
pub mod render;
pub mod readback;
pub mod recovery;
pub mod rng;
pub mod snapshot;
pub mod weights;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

// Natively the CLI and the tests need the GPU backend; only the wasm `threads` build leaves it out.
#[cfg(all(not(feature = "gpu"), not(target_arch = "wasm32")))]
compile_error!("the native build needs the `gpu` feature (a default feature)");
