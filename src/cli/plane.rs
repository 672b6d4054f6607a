//! The `plane` benchmark: trains one 2-D lane (the page's 2-D mode, `src/plane/`) on the CPU or wgpu
//! backend and prints its generator steps/s and the cost of a view, to choose the 2-D mode's backend by
//! measurement.

use web_time::Instant;

use burn::tensor::backend::AutodiffBackend;

use super::BackendArg;
use crate::lane::Phase;
use crate::plane::lane::PlaneLane;
use crate::plane::PlaneConfig;

#[derive(clap::Args)]
pub(super) struct PlaneArgs {
    /// The lane as a JSON object of 2-D configuration fields (as the 2-D page's lanes take them),
    /// e.g. '{"objective": "wgan-gp", "dataset": "moons"}'; missing fields take the defaults.
    #[arg(long, default_value = r#"{"objective": "nonsaturating", "dataset": "ring"}"#)]
    config: String,
    /// Generator steps timed (after 20 steps of warm-up).
    #[arg(long, default_value_t = 500)]
    steps: usize,
    /// Views timed (each: the heatmap, G's gradient at the fakes and the manifold).
    #[arg(long, default_value_t = 50)]
    views: usize,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: BackendArg,
}

pub(super) fn plane(args: PlaneArgs) -> Result<(), String> {
    if args.steps == 0 || args.views == 0 {
        return Err("--steps and --views must be at least 1".into());
    }
    let config = PlaneConfig::from_json(&args.config).map_err(|errs| format!("--config: {}", crate::params::describe(&errs, "; ")))?;
    let (choice, backend_name) = args.backend.choice()?.ok_or("plane trains on --backend cpu or wgpu")?;
    let (steps_per_sec, view_ms, metrics_ms) = crate::on_backend!(choice, B, device => time::<B>(&args, config, device))?;
    println!("2-D lane {} on {backend_name}: {steps_per_sec:.0} G steps/s; a view {view_ms:.2} ms, {metrics_ms:.2} ms with KL/JS/SWD", args.config);
    Ok(())
}

/// Steps/s over `args.steps` generator steps, then ms per view without and with the distances.
fn time<B: AutodiffBackend>(args: &PlaneArgs, config: PlaneConfig, device: &B::Device) -> Result<(f64, f64, f64), String> {
    let mut lane = PlaneLane::<B>::new(config, device)?;
    lane.train(20, Phase::Both)?;
    let t = Instant::now();
    lane.train(args.steps, Phase::Both)?;
    let steps_per_sec = args.steps as f64 / t.elapsed().as_secs_f64();
    let ms_per = |metrics: bool| {
        let t = Instant::now();
        for _ in 0..args.views {
            lane.view(metrics);
        }
        t.elapsed().as_secs_f64() * 1000.0 / args.views as f64
    };
    Ok((steps_per_sec, ms_per(false), ms_per(true)))
}
