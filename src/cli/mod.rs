//! Native command-line interface: argument parsing, dispatch, and helpers the commands share.

use std::io::Write;
use std::path::Path;

use burn::backend::Flex;
use burn::tensor::backend::AutodiffBackend;
use clap::{Parser, Subcommand, ValueEnum};
use web_time::Instant;

use crate::backend;
use crate::data::Digits;
use crate::lane::{Lane, GRID};
use crate::metrics::Classifier;

mod classifier;
mod plane;
mod quality;
mod sweep;
mod train;

#[derive(Parser)]
#[command(name = "gan-playground", about = "Train small GANs on MNIST headless (same code as the browser playground)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train one lane and write samples.png and metrics.jsonl to --out.
    Train(train::TrainArgs),
    /// Train the MNIST classifier used by the quality metrics and write its weights.
    TrainClassifier(classifier::TrainClassifierArgs),
    /// Score generated samples (a .u8 file): classifier-feature FID against held-out digits and class coverage, as JSON.
    Score(classifier::ScoreArgs),
    /// Benchmark: train every objective (CPU or wgpu), write samples, and tabulate FID and class coverage.
    Quality(quality::QualityArgs),
    /// Benchmark: train candidate configurations, measured as the page measures them, for choosing defaults.
    Sweep(sweep::SweepArgs),
    /// Benchmark: train one 2-D lane (the page's 2-D mode) and print its steps/s and the cost of a view.
    Plane(plane::PlaneArgs),
}

/// Which burn backend a command trains on.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum BackendArg {
    /// burn's pure-Rust CPU backend (flex), the default.
    Cpu,
    /// burn's ndarray CPU backend, for comparison.
    Ndarray,
    /// burn's wgpu backend (Vulkan, Metal or DX12).
    Wgpu,
}

impl BackendArg {
    /// The backend as the wasm binding chooses it too (`backend::Choice`, dispatched by
    /// `on_backend!`), with a name for messages; `None` for ndarray, which only the CLI offers. The
    /// wgpu adapter is probed first, so a machine without one gets a message, not a panic.
    fn choice(self) -> Result<Option<(backend::Choice, String)>, String> {
        match self {
            BackendArg::Cpu => Ok(Some((backend::Choice::Cpu, "cpu (flex)".into()))),
            BackendArg::Ndarray => Ok(None),
            BackendArg::Wgpu => Ok(Some((backend::Choice::Gpu, probe_gpu()?))),
        }
    }
}

/// Initialises the default wgpu device up front so that a machine without a usable adapter gets an
/// error message rather than burn's panic; returns the adapter's name.
fn probe_gpu() -> Result<String, String> {
    let device = backend::gpu_device();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let adapter = std::panic::catch_unwind(|| {
        burn::backend::wgpu::init_setup::<burn::backend::wgpu::graphics::AutoGraphicsApi>(&device, Default::default())
    });
    std::panic::set_hook(quiet);
    let adapter = adapter.map_err(|_| "no usable GPU adapter for the wgpu backend (try --backend cpu)".to_string())?;
    Ok(format!("wgpu ({})", adapter.adapter.get_info().name))
}

/// Runs the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::train(args),
        Command::TrainClassifier(args) => classifier::train_classifier(args),
        Command::Score(args) => classifier::score(args),
        Command::Quality(args) => quality::quality(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Plane(args) => plane::plane(args),
    };
    match result {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("error: {msg}");
            1
        }
    }
}

/// The data file `tools/build-data.mjs` writes.
pub(crate) const DEFAULT_DATA: &str = "www/data/mnist.bin";
/// The shipped classifier weights.
pub(crate) const DEFAULT_CLASSIFIER: &str = "assets/classifier.bin";

/// Reads the digits file and splits it into (9,000 train, 1,000 held out).
fn read_digits(path: &Path) -> Result<(Digits, Digits), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e} (run `make data` first)", path.display()))?;
    Ok(Digits::parse(&bytes).map_err(|e| e.to_string())?.split())
}

/// Loads classifier weights for inference on the CPU.
fn load_classifier(path: &Path) -> Result<Classifier<Flex>, String> {
    // Refuse an oversized file before reading it into memory.
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > crate::weights::MAX_FILE_BYTES as u64 {
        let max = crate::weights::MAX_FILE_BYTES;
        return Err(format!("{}: weights: file size: {size} bytes; at most {max} accepted", path.display()));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read {}: {e} (run `make classifier` to train one)", path.display()))?;
    let (c, _meta) = Classifier::from_bytes(&bytes, &backend::cpu_device()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(c)
}

fn create_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// How a run of generator steps ended.
struct RunOutcome {
    /// Generator steps completed (those of a resumed checkpoint included).
    steps: usize,
    /// Generator steps this run trained.
    ran: usize,
    /// Wall-clock seconds spent training.
    secs: f64,
    /// The step whose statistics first became NaN or infinite; training stopped there.
    diverged_at: Option<usize>,
}

/// Trains `lane` for `steps` generator steps, writing every step's statistics to `metrics_path` and
/// printing progress every `log_every` steps (0: never), and appending them to `curves` in the page's
/// format (`StepStats::to_json`). Statistics are read back from the device
/// `read_every` steps at a time (one transfer per batch instead of a stall per step, which matters on
/// a GPU); training stops at the first non-finite step, and the lane is then diverged.
fn run_steps<B: AutodiffBackend>(
    lane: &mut Lane<B>,
    steps: usize,
    log_every: usize,
    read_every: usize,
    metrics_path: &Path,
    curves: &mut Vec<serde_json::Value>,
) -> Result<RunOutcome, String> {
    let mut metrics = std::io::BufWriter::new(
        std::fs::File::create(metrics_path).map_err(|e| format!("cannot write {}: {e}", metrics_path.display()))?,
    );
    let start = Instant::now();
    let first = lane.steps();
    let mut diverged_at = None;
    let mut done = 0;
    while done < steps && diverged_at.is_none() {
        let n = read_every.max(1).min(steps - done);
        done += n;
        // The lane's own batched training: it stops and marks itself diverged at the first
        // non-finite step, and keeps the last healthy snapshot (for --save).
        for stats in pollster::block_on(lane.train(n))? {
            let line = stats.to_json();
            writeln!(metrics, "{line}").map_err(|e| e.to_string())?;
            curves.push(line);
            if !stats.finite {
                diverged_at = Some(stats.step);
                break;
            }
            if log_every > 0 && stats.step % log_every == 0 {
                let rate = (stats.step - first) as f64 / start.elapsed().as_secs_f64();
                let (d, g) = (stats.d_loss.unwrap_or(f32::NAN), stats.g_loss.unwrap_or(f32::NAN));
                println!("step {:>6}  d_loss {d:>8.4}  g_loss {g:>8.4}  {rate:.2} steps/s", stats.step);
            }
        }
    }
    metrics.flush().map_err(|e| e.to_string())?;
    Ok(RunOutcome { steps: lane.steps(), ran: lane.steps() - first, secs: start.elapsed().as_secs_f64(), diverged_at })
}

/// Writes the lane's fixed-z sample grid as an 8×8 PNG.
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

