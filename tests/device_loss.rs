//! A real GPU device loss on the native wgpu backend (Mesa's lavapipe in CI): wgpu's device-lost
//! callback fires for the device burn trains on when that device is destroyed, and the lane's last
//! checkpoint, read before the loss, rebuilds it on the CPU backend, where training goes on.
//! Skipped when no adapter exists, unless GAN_REQUIRE_WGPU=1 (as in tests/wgpu.rs).

mod common;

use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use gan_playground::backend::{cpu_device, gpu_device, Cpu, Gpu};
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::Lane;
use gan_playground::recovery::Recoverable;

#[test]
fn a_lane_survives_the_loss_of_its_gpu_device_through_its_checkpoint() {
    let device = gpu_device();
    let Some(setup) = common::wgpu_setup() else { return };
    let lost = Arc::new(Mutex::new(None));
    let seen = lost.clone();
    setup.device.set_device_lost_callback(move |reason, message| {
        *seen.lock().unwrap() = Some(format!("{reason:?} {message}"));
    });

    let (train, _) = common::digits().split();
    let small = Digits { images: train.images[..256 * PIXELS].to_vec(), labels: train.labels[..256].to_vec() };
    let mut lane = Lane::<Gpu>::new(common::config(r#"{"arch": "mlp", "batch": 8, "seed": 5}"#), &small, &device).unwrap();
    lane.set_snapshot_every(2);
    let stats = pollster::block_on(lane.train(3)).unwrap();
    assert!(stats.iter().all(|s| s.finite), "{stats:?}");
    let bytes = pollster::block_on(lane.checkpoint()).unwrap();
    assert_eq!(lane.snapshot_step(), 2);

    setup.device.destroy();
    // wgpu delivers the loss when it next maintains the device.
    for _ in 0..200 {
        let _ = setup.device.poll(wgpu::PollType::Poll);
        if lost.lock().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let reason = lost.lock().unwrap().clone();
    assert!(reason.as_deref().is_some_and(|r| r.starts_with("Destroyed")), "device-lost callback: {reason:?}");
    // The lane cannot go on there: burn's next read-back fails (on this backend, a panic). It must not hang.
    let (done, wait) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pollster::block_on(lane.train(1)).map(|_| ())));
        let _ = done.send(!matches!(outcome, Ok(Ok(()))));
    });
    let failed = wait.recv_timeout(Duration::from_secs(120)).expect("training on the destroyed device hung");
    assert!(failed, "training on a destroyed device succeeded");

    let mut cpu = Lane::<Cpu>::from_checkpoint(&bytes, &small, &cpu_device()).unwrap();
    assert_eq!(cpu.steps(), 2, "restored at the snapshot taken on the GPU");
    let stats = pollster::block_on(cpu.train(3)).unwrap();
    assert_eq!(stats.iter().map(|s| s.step).collect::<Vec<_>>(), [3, 4, 5]);
    assert!(stats.iter().all(|s| s.finite), "{stats:?}");
}
