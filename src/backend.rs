//! Backend choices: burn's pure-Rust CPU backend (`flex`) and its WebGPU/wgpu backend, both under
//! autodiff, and the one dispatch (`Choice`, `on_backend!`) the wasm binding and the CLI share. The
//! GPU backend is the `gpu` feature (on by default; only the CPU-only wasm `threads` build lacks it).

use std::any::{Any, TypeId};

#[cfg(feature = "gpu")]
use burn::backend::Wgpu;
use burn::backend::{Autodiff, Flex};

/// CPU backend used by tests, the CLI default and the browser fallback.
pub type Cpu = Autodiff<Flex>;
/// GPU backend: WebGPU in the browser, Vulkan/Metal/DX12 natively.
#[cfg(feature = "gpu")]
pub type Gpu = Autodiff<Wgpu>;

/// Device of the CPU backend.
pub fn cpu_device() -> burn::backend::flex::FlexDevice {
    Default::default()
}

/// Device of the GPU backend (the default adapter).
#[cfg(feature = "gpu")]
pub fn gpu_device() -> burn::backend::wgpu::WgpuDevice {
    Default::default()
}

/// Which of the two backends a lane trains on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Cpu,
    #[cfg(feature = "gpu")]
    Gpu,
}

impl Choice {
    /// `"cpu"`, or the GPU under the name the caller knows it by (`"webgpu"` in the browser, `"wgpu"`
    /// natively); anything else is refused with the two names `gpu_name` and `"cpu"`.
    pub fn parse(name: &str, gpu_name: &str) -> Result<Choice, String> {
        match name {
            "cpu" => Ok(Choice::Cpu),
            #[cfg(feature = "gpu")]
            n if n == gpu_name => Ok(Choice::Gpu),
            #[cfg(not(feature = "gpu"))]
            n if n == gpu_name => Err(format!("this build has no {gpu_name} backend (the CPU-only threads build); use cpu")),
            other => Err(format!("unknown backend {:?}; expected {gpu_name} or cpu", crate::params::shorten(other))),
        }
    }
}

/// Runs `$body` on the backend `$choice` names, with the type `$B` (`Cpu` or `Gpu`) and `$device`
/// (a reference to its default device) in scope: one arm per backend, so `$body` is compiled for
/// each. `on_backend!(choice, B, device => Lane::<B>::new(config, &train, device))`.
#[macro_export]
macro_rules! on_backend {
    ($choice:expr, $B:ident, $device:ident => $body:expr) => {
        match $choice {
            $crate::backend::Choice::Cpu => {
                type $B = $crate::backend::Cpu;
                let $device = &$crate::backend::cpu_device();
                $body
            }
            #[cfg(feature = "gpu")]
            $crate::backend::Choice::Gpu => {
                type $B = $crate::backend::Gpu;
                let $device = &$crate::backend::gpu_device();
                $body
            }
        }
    };
}

/// `t` as a `U` when `T` is `U` (the backend is known only at run time inside generic model code).
pub(crate) fn same<T: 'static, U: 'static>(t: T) -> Result<U, T> {
    if TypeId::of::<T>() != TypeId::of::<U>() {
        return Err(t);
    }
    let boxed: Box<dyn Any> = Box::new(t);
    Ok(*boxed.downcast::<U>().expect("type ids are equal"))
}
