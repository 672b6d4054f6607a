//! The `train-classifier` and `score` commands: train and save the MNIST classifier; score a samples file.

use std::path::PathBuf;

use burn::module::AutodiffModule;
use serde_json::json;
use web_time::Instant;

use super::{create_dir, load_classifier, read_digits, write_file};
use crate::backend;
use crate::data::PIXELS;
use crate::metrics::{self, classifier, Reference};

#[derive(clap::Args)]
pub(super) struct TrainClassifierArgs {
    /// Where to write the weights.
    #[arg(long, default_value = super::DEFAULT_CLASSIFIER)]
    out: PathBuf,
    /// Passes over the 9,000 training digits.
    #[arg(long, default_value_t = 8)]
    epochs: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Data file written by the build (tools/build-data.mjs).
    #[arg(long, default_value = super::DEFAULT_DATA)]
    data: PathBuf,
}

pub(super) fn train_classifier(args: TrainClassifierArgs) -> Result<(), String> {
    if args.epochs == 0 {
        return Err("--epochs must be at least 1".into());
    }
    let (train, test) = read_digits(&args.data)?;
    println!(
        "training the classifier on {} digits, {} epochs, batch {}, Adam lr {}, seed {} (cpu)",
        train.len(), args.epochs, classifier::BATCH, classifier::LR, args.seed
    );
    let start = Instant::now();
    let model = classifier::train::<backend::Cpu>(&train, args.epochs, args.seed, &backend::cpu_device(), |epoch, loss| {
        println!("epoch {epoch:>3}  mean loss {loss:.4}  {:.1} s", start.elapsed().as_secs_f64());
    });
    let model = model.valid();
    let secs = start.elapsed().as_secs_f64();
    let train_acc = model.accuracy(&train);
    let acc = model.accuracy(&test);
    println!("train accuracy {:.2} %, held-out accuracy {:.2} % ({} digits); trained in {secs:.1} s", 100.0 * train_acc, 100.0 * acc, test.len());
    let meta = json!({
        "architecture": "conv 1-16 k4s2 / leaky 0.2 / conv 16-32 k4s2 / leaky 0.2 / linear 1568-64 relu (features) / linear 64-10",
        "epochs": args.epochs, "seed": args.seed, "batch": classifier::BATCH, "lr": classifier::LR,
        "train_digits": train.len(), "train_accuracy": train_acc,
        "held_out_digits": test.len(), "held_out_accuracy": acc,
    });
    let bytes = model.to_bytes(meta).map_err(|e| e.to_string())?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    write_file(&args.out, &bytes)?;
    println!("wrote {} ({} bytes)", args.out.display(), bytes.len());
    Ok(())
}

#[derive(clap::Args)]
pub(super) struct ScoreArgs {
    /// Samples file: K × 784 bytes, 0 = background, 255 = ink (`train --export-samples K` writes one).
    #[arg(long)]
    samples: PathBuf,
    #[arg(long, default_value = super::DEFAULT_CLASSIFIER)]
    classifier: PathBuf,
    /// Data file; its 1,000 held-out digits are the FID reference.
    #[arg(long, default_value = super::DEFAULT_DATA)]
    data: PathBuf,
}

pub(super) fn score(args: ScoreArgs) -> Result<(), String> {
    let model = load_classifier(&args.classifier)?;
    let (_, test) = read_digits(&args.data)?;
    let samples = std::fs::read(&args.samples).map_err(|e| format!("cannot read {}: {e}", args.samples.display()))?;
    if samples.is_empty() || samples.len() % PIXELS != 0 {
        return Err(format!("{}: {} bytes is not a whole number of {PIXELS}-byte images", args.samples.display(), samples.len()));
    }
    let reference = Reference::new(&model, &test.images);
    let s = metrics::score(&model, &reference, &samples)?;
    println!("{}", serde_json::to_string(&s).map_err(|e| e.to_string())?);
    Ok(())
}
