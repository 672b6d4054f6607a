//! Failure hooks for the worker: Rust panics reported to a JS listener (and to the console), GPU
//! device loss watched and reported, and the triggers the page's test hooks use for both.

use std::cell::RefCell;

#[cfg(feature = "gpu")]
use burn::backend::wgpu::WgpuSetup;
use wasm_bindgen::prelude::*;

thread_local! {
    static PANIC_LISTENER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    static DEVICE_LOST_LISTENER: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// Destroys the GPU device burn runs on (kept for `destroyGpuDevice`).
    static DESTROY_DEVICE: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let message = info.to_string();
        // The module traps right after this hook; the listener lets the worker say why.
        PANIC_LISTENER.with(|l| {
            if let Some(f) = l.try_borrow().ok().as_ref().and_then(|l| l.as_ref()) {
                let _ = f.call1(&JsValue::NULL, &JsValue::from_str(&message));
            }
        });
    }));
}

/// Calls `listener(message)` whenever Rust panics, just before the module traps
/// (`WebAssembly.RuntimeError: unreachable`). The module is unusable afterwards.
#[wasm_bindgen(js_name = onPanic)]
pub fn on_panic(listener: js_sys::Function) {
    PANIC_LISTENER.with(|l| *l.borrow_mut() = Some(listener));
}

/// Panics on purpose, for the page's `testPanic()` hook.
#[wasm_bindgen(js_name = testPanic)]
pub fn test_panic() {
    panic!("test panic requested through the page's test hook");
}

/// Registers `listener(reason, message)` for the loss of the WebGPU device burn was set up on
/// (wgpu's device-lost callback, i.e. the `GPUDevice.lost` promise), and keeps a way to destroy it.
#[cfg(feature = "gpu")]
pub(super) fn watch_device(setup: &WgpuSetup, listener: js_sys::Function) {
    DEVICE_LOST_LISTENER.with(|l| *l.borrow_mut() = Some(listener));
    setup.device.set_device_lost_callback(|reason, message| {
        let reason = format!("{reason:?}").to_lowercase();
        DEVICE_LOST_LISTENER.with(|l| {
            if let Some(f) = l.try_borrow().ok().as_ref().and_then(|l| l.as_ref()) {
                let _ = f.call2(&JsValue::NULL, &JsValue::from_str(&reason), &JsValue::from_str(&message));
            }
        });
    });
    let device = setup.device.clone();
    DESTROY_DEVICE.with(|d| *d.borrow_mut() = Some(Box::new(move || device.destroy())));
}

/// Destroys the WebGPU device (`GPUDevice.destroy()`), which loses it for real: the device-lost
/// listener fires. For the page's `forceDeviceLoss()` test hook. False when no device was set up.
#[wasm_bindgen(js_name = destroyGpuDevice)]
pub fn destroy_gpu_device() -> bool {
    DESTROY_DEVICE.with(|d| d.borrow().as_ref().map(|destroy| destroy()).is_some())
}
