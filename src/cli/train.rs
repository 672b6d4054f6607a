//! The `train` command: one lane headless, with samples and per-step metrics written to a folder.

use std::path::{Path, PathBuf};

use burn::tensor::backend::AutodiffBackend;
use serde_json::{json, Map, Value};

use super::{create_dir, read_digits, run_steps, write_file, write_grid_png, BackendArg};
use crate::config::TrainConfig;
use crate::data::Digits;
use crate::lane::Lane;
use crate::recovery::Recoverable;

// The configuration flags conflict with --resume: a resumed run keeps its checkpoint's configuration
// (clap refuses them only when given, not for their defaults).
#[derive(clap::Args)]
pub(super) struct TrainArgs {
    #[arg(long, default_value = "nonsaturating", conflicts_with = "resume")]
    objective: String,
    #[arg(long, default_value = "mlp", conflicts_with = "resume")]
    arch: String,
    /// Generator steps to train in this run (with --resume: after the checkpoint's step).
    #[arg(long, default_value_t = 1000)]
    steps: usize,
    #[arg(long, default_value_t = 64, conflicts_with = "resume")]
    batch: u64,
    #[arg(long, default_value_t = 64, conflicts_with = "resume")]
    latent: u64,
    /// Generator learning rate [default: the objective's].
    #[arg(long, conflicts_with = "resume")]
    lr_g: Option<f64>,
    /// Discriminator learning rate [default: the objective's].
    #[arg(long, conflicts_with = "resume")]
    lr_d: Option<f64>,
    #[arg(long, default_value_t = 1, conflicts_with = "resume")]
    seed: u64,
    /// Objective parameter as key=value (repeatable), e.g. --param label_smoothing=1.
    #[arg(long = "param", value_name = "KEY=VALUE", conflicts_with = "resume")]
    params: Vec<String>,
    /// Continue the run a checkpoint holds (one saved by the page or by --save): configuration,
    /// weights, optimizer state, random streams and step all come from the file.
    #[arg(long, value_name = "FILE")]
    resume: Option<PathBuf>,
    /// At the end, write a checkpoint of the current state (the last healthy one if training
    /// diverged) with the run's loss curves, in the page's format: the page can load it.
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// At the end, also write a compact checkpoint to ship with the site: weights rounded to half
    /// precision (relative error at most 2^-11), no optimizer state (a resumed run restarts Adam's
    /// moments), no curves; batch order, random streams and step exact.
    #[arg(long, value_name = "FILE")]
    save_compact: Option<PathBuf>,
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
        crate::params::describe(&errs, "\n       ")
    })
}

/// Where a run starts: a new lane from the flags, or a checkpoint's bytes.
enum Start {
    New(TrainConfig),
    Resume(Vec<u8>),
}

pub(super) fn train(args: TrainArgs) -> Result<(), String> {
    let start = match &args.resume {
        Some(path) => Start::Resume(read_checkpoint(path)?),
        None => Start::New(config_from(&args)?),
    };
    let (train, _) = read_digits(&args.data)?;
    create_dir(&args.out)?;
    match args.backend.choice()? {
        None => run::<burn::backend::Autodiff<burn_ndarray::NdArray>>(&args, start, &train, &burn_ndarray::NdArrayDevice::Cpu, "cpu (ndarray)"),
        Some((choice, name)) => crate::on_backend!(choice, B, device => run::<B>(&args, start, &train, device, &name)),
    }
}

/// Reads a checkpoint file, refusing an oversized one before reading it.
fn read_checkpoint(path: &Path) -> Result<Vec<u8>, String> {
    let size = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?.len();
    if size > crate::weights::MAX_FILE_BYTES as u64 {
        let max = crate::weights::MAX_FILE_BYTES;
        return Err(format!("{}: checkpoint of {size} bytes; at most {max} accepted", path.display()));
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn run<B: AutodiffBackend>(args: &TrainArgs, start: Start, train: &Digits, device: &B::Device, backend_name: &str) -> Result<(), String> {
    let (mut lane, previous) = match start {
        Start::New(config) => (Lane::<B>::new(config, train, device)?, None),
        Start::Resume(bytes) => {
            let path = args.resume.as_deref().unwrap_or(Path::new("")).display().to_string();
            Lane::<B>::from_checkpoint_with_curves(&bytes, train, device).map_err(|e| format!("{path}: {e}"))?
        }
    };
    let (config, from) = (lane.config().clone(), lane.steps());
    println!(
        "training {} / {} on {backend_name}, {} steps from step {from}, batch {}, lr_g {}, lr_d {}",
        config.objective, config.arch.id(), args.steps, config.batch, config.lr_g, config.lr_d
    );
    let metrics_path = args.out.join("metrics.jsonl");
    let mut stats = Vec::new();
    let outcome = run_steps(&mut lane, args.steps, args.log_every, args.read_every, &metrics_path, &mut stats)?;
    // A save writes the last healthy snapshot of a diverged lane.
    let saved_step = if lane.diverged_at().is_some() { lane.snapshot_step() } else { lane.steps() };
    if let Some(path) = &args.save {
        let curves = crate::curves::build(previous.as_ref(), from, stats);
        let bytes = pollster::block_on(lane.save(Some(&curves)))?;
        write_file(path, &bytes)?;
        println!("saved checkpoint of step {saved_step} to {}", path.display());
    }
    if let Some(path) = &args.save_compact {
        write_file(path, &pollster::block_on(lane.save_compact(None, None))?)?;
        println!("saved compact checkpoint of step {saved_step} to {}", path.display());
    }
    if let Some(step) = outcome.diverged_at {
        return Err(format!("diverged at step {step}: losses or diagnostics became NaN/inf"));
    }
    println!("done: {} steps in {:.1} s = {:.2} steps/s", outcome.ran, outcome.secs, outcome.ran as f64 / outcome.secs);

    let grid = pollster::block_on(lane.samples())?;
    write_grid_png(&args.out.join("samples.png"), &grid)?;
    if let Some(k) = args.export_samples {
        let bytes = pollster::block_on(lane.fresh_samples(k))?;
        write_file(&args.out.join("samples.u8"), &bytes)?;
    }
    println!("wrote {}", args.out.display());
    Ok(())
}
