//! The `train` command: one lane headless, with samples and per-step metrics written to a folder.

use std::path::PathBuf;

use burn::tensor::backend::AutodiffBackend;
use serde_json::{json, Map, Value};

use super::{create_dir, gpu_device, read_digits, run_steps, write_file, write_grid_png, BackendArg};
use crate::backend;
use crate::config::TrainConfig;
use crate::data::Digits;
use crate::lane::Lane;

#[derive(clap::Args)]
pub(super) struct TrainArgs {
    #[arg(long, default_value = "nonsaturating")]
    objective: String,
    #[arg(long, default_value = "mlp")]
    arch: String,
    #[arg(long, default_value_t = 1000)]
    steps: usize,
    #[arg(long, default_value_t = 64)]
    batch: u64,
    #[arg(long, default_value_t = 64)]
    latent: u64,
    /// Generator learning rate [default: the objective's].
    #[arg(long)]
    lr_g: Option<f64>,
    /// Discriminator learning rate [default: the objective's].
    #[arg(long)]
    lr_d: Option<f64>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Objective parameter as key=value (repeatable), e.g. --param label_smoothing=1.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    params: Vec<String>,
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Also write K fresh samples to samples.u8 (K × 784 bytes, 0 = background, 255 = ink).
    #[arg(long, value_name = "K")]
    export_samples: Option<usize>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: BackendArg,
    /// Data file written by the build (tools/build-data.mjs).
    #[arg(long, default_value = super::DEFAULT_DATA)]
    data: PathBuf,
    /// Read statistics back every N steps (fewer device stalls on a GPU; divergence is then noticed
    /// up to N-1 steps late).
    #[arg(long, default_value_t = 1)]
    read_every: usize,
    /// Print a progress line every N steps.
    #[arg(long, default_value_t = 100)]
    log_every: usize,
}

/// Validates the arguments into a config; learning rates not given take the objective's defaults.
fn config_from(args: &TrainArgs) -> Result<TrainConfig, String> {
    let mut params = Map::new();
    for p in &args.params {
        let (k, v) = p.split_once('=').ok_or_else(|| format!("--param {p:?}: expected KEY=VALUE"))?;
        params.insert(k.to_string(), Value::String(v.to_string()));
    }
    let mut map = json!({
        "objective": args.objective, "arch": args.arch,
        "batch": args.batch, "latent": args.latent, "seed": args.seed, "params": params,
    });
    // As text, so that NaN and infinities reach the validator as themselves (JSON has no NaN).
    if let Some(lr) = args.lr_g {
        map["lr_g"] = json!(lr.to_string());
    }
    if let Some(lr) = args.lr_d {
        map["lr_d"] = json!(lr.to_string());
    }
    TrainConfig::from_map(map.as_object().unwrap()).map_err(|errs| {
        errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n       ")
    })
}

pub(super) fn train(args: TrainArgs) -> Result<(), String> {
    let config = config_from(&args)?;
    let (train, _) = read_digits(&args.data)?;
    create_dir(&args.out)?;
    match args.backend {
        BackendArg::Cpu => run::<backend::Cpu>(&args, config, &train, &backend::cpu_device(), "cpu (flex)"),
        BackendArg::Ndarray => {
            let device = burn_ndarray::NdArrayDevice::Cpu;
            run::<burn::backend::Autodiff<burn_ndarray::NdArray>>(&args, config, &train, &device, "cpu (ndarray)")
        }
        BackendArg::Wgpu => {
            let (device, name) = gpu_device()?;
            run::<backend::Gpu>(&args, config, &train, &device, &name)
        }
    }
}

fn run<B: AutodiffBackend>(
    args: &TrainArgs,
    config: TrainConfig,
    train: &Digits,
    device: &B::Device,
    backend_name: &str,
) -> Result<(), String> {
    println!(
        "training {} / {} on {backend_name}, {} steps, batch {}, lr_g {}, lr_d {}",
        config.objective, config.arch.id(), args.steps, config.batch, config.lr_g, config.lr_d
    );
    let mut lane = Lane::<B>::new(config, train, device)?;
    let metrics_path = args.out.join("metrics.jsonl");
    let outcome = run_steps(&mut lane, args.steps, args.log_every, args.read_every, &metrics_path)?;
    if let Some(step) = outcome.diverged_at {
        return Err(format!("diverged at step {step}: losses or diagnostics became NaN/inf"));
    }
    println!("done: {} steps in {:.1} s = {:.2} steps/s", outcome.steps, outcome.secs, outcome.steps as f64 / outcome.secs);

    let grid = pollster::block_on(lane.samples())?;
    write_grid_png(&args.out.join("samples.png"), &grid)?;
    if let Some(k) = args.export_samples {
        let bytes = pollster::block_on(lane.fresh_samples(k))?;
        write_file(&args.out.join("samples.u8"), &bytes)?;
    }
    println!("wrote {}", args.out.display());
    Ok(())
}
