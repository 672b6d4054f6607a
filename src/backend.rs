//! Backend choices: burn's pure-Rust CPU backend (`flex`) and its WebGPU/wgpu backend, both under autodiff.

use burn::backend::{Autodiff, Flex, Wgpu};

/// CPU backend used by tests, the CLI default and the browser fallback.
pub type Cpu = Autodiff<Flex>;
/// GPU backend: WebGPU in the browser, Vulkan/Metal/DX12 natively.
pub type Gpu = Autodiff<Wgpu>;

/// Device of the CPU backend.
pub fn cpu_device() -> burn::backend::flex::FlexDevice {
    Default::default()
}

/// Device of the GPU backend (the default adapter).
pub fn gpu_device() -> burn::backend::wgpu::WgpuDevice {
    Default::default()
}
