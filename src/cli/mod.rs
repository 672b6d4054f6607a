//! Native command-line interface: headless training with sample and metrics export.

use std::io::Write;
use std::path::{Path, PathBuf};

use burn::tensor::backend::AutodiffBackend;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Map, Value};
use web_time::Instant;

use crate::backend;
use crate::config::TrainConfig;
use crate::data::Digits;
use crate::lane::{Lane, GRID};

#[derive(Parser)]
#[command(name = "gan-playground", about = "Train small GANs on MNIST headless (same code as the browser playground)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train one lane and write samples.png and metrics.jsonl to --out.
    Train(TrainArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
    Cpu,
    Wgpu,
}

#[derive(clap::Args)]
struct TrainArgs {
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
    #[arg(long, default_value_t = 2e-4)]
    lr_g: f64,
    #[arg(long, default_value_t = 2e-4)]
    lr_d: f64,
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
    #[arg(long, default_value = "www/data/mnist.bin")]
    data: PathBuf,
    /// Print a progress line every N steps.
    #[arg(long, default_value_t = 100)]
    log_every: usize,
}

/// Runs the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train(args),
    };
    match result {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("error: {msg}");
            1
        }
    }
}

fn config_from(args: &TrainArgs) -> Result<TrainConfig, String> {
    let mut params = Map::new();
    for p in &args.params {
        let (k, v) = p.split_once('=').ok_or_else(|| format!("--param {p:?}: expected KEY=VALUE"))?;
        params.insert(k.to_string(), Value::String(v.to_string()));
    }
    let map = json!({
        "objective": args.objective, "arch": args.arch, "lr_g": args.lr_g, "lr_d": args.lr_d,
        "batch": args.batch, "latent": args.latent, "seed": args.seed, "params": params,
    });
    TrainConfig::from_map(map.as_object().unwrap()).map_err(|errs| {
        errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n       ")
    })
}

fn train(args: TrainArgs) -> Result<(), String> {
    let config = config_from(&args)?;
    let bytes = std::fs::read(&args.data)
        .map_err(|e| format!("cannot read {}: {e} (run `make data` first)", args.data.display()))?;
    let (train, _) = Digits::parse(&bytes).map_err(|e| e.to_string())?.split();
    std::fs::create_dir_all(&args.out).map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    match args.backend {
        BackendArg::Cpu => run::<backend::Cpu>(&args, config, &train, &backend::cpu_device(), "cpu (flex)"),
        BackendArg::Wgpu => {
            let device = backend::gpu_device();
            // burn panics when no adapter is found: turn that into an error message, without the backtrace.
            let quiet = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            let adapter = std::panic::catch_unwind(|| {
                burn::backend::wgpu::init_setup::<burn::backend::wgpu::graphics::AutoGraphicsApi>(
                    &device,
                    Default::default(),
                )
            });
            std::panic::set_hook(quiet);
            let adapter =
                adapter.map_err(|_| "no usable GPU adapter for the wgpu backend (try --backend cpu)".to_string())?;
            let name = format!("wgpu ({})", adapter.adapter.get_info().name);
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
    println!("training {} / {} on {backend_name}, {} steps, batch {}", config.objective, config.arch.id(), args.steps, config.batch);
    let mut lane = Lane::<B>::new(config, train, device)?;
    let metrics_path = args.out.join("metrics.jsonl");
    let mut metrics = std::io::BufWriter::new(
        std::fs::File::create(&metrics_path).map_err(|e| format!("cannot write {}: {e}", metrics_path.display()))?,
    );
    let start = Instant::now();
    for _ in 0..args.steps {
        let stats = pollster::block_on(lane.train_step().read())?;
        let mut line = json!({ "step": stats.step, "d_loss": stats.d_loss, "g_loss": stats.g_loss });
        for (name, v) in &stats.diagnostics {
            line[name] = json!(v);
        }
        writeln!(metrics, "{line}").map_err(|e| e.to_string())?;
        if !stats.finite {
            return Err(format!("diverged at step {}: losses or diagnostics became NaN/inf", stats.step));
        }
        if args.log_every > 0 && stats.step % args.log_every == 0 {
            let rate = stats.step as f64 / start.elapsed().as_secs_f64();
            println!("step {:>6}  d_loss {:>8.4}  g_loss {:>8.4}  {rate:.2} steps/s", stats.step, stats.d_loss, stats.g_loss);
        }
    }
    metrics.flush().map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    println!("done: {} steps in {secs:.1} s = {:.2} steps/s", args.steps, args.steps as f64 / secs);

    let grid = pollster::block_on(lane.samples())?;
    write_grid_png(&args.out.join("samples.png"), &grid)?;
    if let Some(k) = args.export_samples {
        let bytes = pollster::block_on(lane.fresh_samples(k))?;
        std::fs::write(args.out.join("samples.u8"), bytes).map_err(|e| e.to_string())?;
    }
    println!("wrote {}", args.out.display());
    Ok(())
}

fn write_grid_png(path: &Path, images: &[u8]) -> Result<(), String> {
    let side = (GRID as f64).sqrt() as usize;
    let (w, h, px) = crate::render::grid(images, side, side);
    let file = std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(&px).map_err(|e| e.to_string())
}
