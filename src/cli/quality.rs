//! The `quality` benchmark: trains every objective (CPU or wgpu backend), writes samples for each, scores them
//! (classifier-feature FID against held-out digits, classes covered) and writes a markdown table.

use std::path::{Path, PathBuf};

use serde_json::json;
use web_time::Instant;

use burn::tensor::backend::AutodiffBackend;

use super::{create_dir, load_classifier, read_digits, run_steps, write_file, write_grid_png, BackendArg};
use crate::config::TrainConfig;
use crate::data::Digits;
use crate::lane::Lane;
use crate::metrics::{self, Classifier, Reference, Score};
use crate::objective;

#[derive(clap::Args)]
pub(super) struct QualityArgs {
    #[arg(long, default_value = "dcgan")]
    arch: String,
    /// Generator steps per objective.
    #[arg(long, default_value_t = 5000)]
    steps: usize,
    /// Fresh samples scored per objective (also the size of the real-digit reference row).
    #[arg(long, default_value_t = 1000)]
    samples: usize,
    #[arg(long, default_value = "bench/quality-out")]
    out: PathBuf,
    /// Comma-separated objective ids [default: every registered objective].
    #[arg(long, value_delimiter = ',')]
    objectives: Vec<String>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value = super::DEFAULT_CLASSIFIER)]
    classifier: PathBuf,
    #[arg(long, default_value = super::DEFAULT_DATA)]
    data: PathBuf,
    /// Backend the GANs train on (the classifier always scores on the CPU).
    #[arg(long, value_enum, default_value = "cpu")]
    backend: BackendArg,
    /// Read statistics back every N steps (fewer device stalls on a GPU; divergence is then noticed
    /// up to N-1 steps late).
    #[arg(long, default_value_t = 1)]
    read_every: usize,
    /// Print a progress line every N steps (0: never).
    #[arg(long, default_value_t = 500)]
    log_every: usize,
}

/// One line of the table.
struct Row {
    name: String,
    steps: String,
    rate: String,
    score: Option<Score>,
    note: String,
}

pub(super) fn quality(args: QualityArgs) -> Result<(), String> {
    let ids: Vec<String> = if args.objectives.is_empty() {
        objective::all().iter().map(|i| i.id.to_string()).collect()
    } else {
        args.objectives.clone()
    };
    for id in &ids {
        objective::info(id).map_err(|e| e.to_string())?;
    }
    if args.samples < 2 {
        return Err("--samples must be at least 2 (a covariance needs two samples)".into());
    }
    let (train, test) = read_digits(&args.data)?;
    if args.samples > train.len() {
        return Err(format!("--samples must be at most {} (the reference row uses that many train digits)", train.len()));
    }
    let model = load_classifier(&args.classifier)?;
    let accuracy = model.accuracy(&test);
    let reference = Reference::new(&model, &test.images);
    create_dir(&args.out)?;
    let (choice, backend_name) = args.backend.choice()?.ok_or("quality trains on --backend cpu or wgpu")?;
    println!("training on {backend_name}");
    let start = Instant::now();

    // Real digits disjoint from the held-out ones, as many as samples (FID is biased by n), all classes.
    let real = metrics::evenly_spaced(&train, args.samples).images;
    let mut rows = vec![Row {
        name: format!("real digits ({} train digits)", args.samples),
        steps: "—".into(),
        rate: "—".into(),
        score: Some(metrics::score(&model, &reference, &real)?),
        note: "reference: real digits disjoint from the held-out set".into(),
    }];
    print_row(&rows[0]);
    for id in &ids {
        let row = crate::on_backend!(choice, B, device => objective_row::<B>(&args, id, &train, &model, &reference, device));
        let row = match row {
            Ok(row) => row,
            Err(e) => Row { name: id.clone(), steps: "—".into(), rate: "—".into(), score: None, note: format!("error: {e}") },
        };
        print_row(&row);
        rows.push(row);
        // Rewritten after every objective, so a long run leaves a partial table if stopped.
        write_file(&args.out.join("quality.md"), report(&args, &backend_name, accuracy, &rows, start.elapsed().as_secs_f64()).as_bytes())?;
    }
    let text = report(&args, &backend_name, accuracy, &rows, start.elapsed().as_secs_f64());
    println!("\n{text}");
    write_file(&args.out.join("quality.md"), text.as_bytes())?;
    println!("wrote {}", args.out.join("quality.md").display());
    Ok(())
}

/// Trains objective `id` with its own default learning rates, writes its samples and scores them.
fn objective_row<B: AutodiffBackend>(
    args: &QualityArgs,
    id: &str,
    train: &Digits,
    model: &Classifier<burn::backend::Flex>,
    reference: &Reference,
    device: &B::Device,
) -> Result<Row, String> {
    let map = json!({ "objective": id, "arch": args.arch, "seed": args.seed });
    let config = TrainConfig::from_map(map.as_object().unwrap())
        .map_err(|errs| crate::params::describe(&errs, "; "))?;
    println!(
        "== {id} / {}: {} steps, batch {}, lr_g {}, lr_d {}, seed {}",
        config.arch.id(), args.steps, config.batch, config.lr_g, config.lr_d, config.seed
    );
    let dir = args.out.join(id);
    create_dir(&dir)?;
    let mut lane = Lane::<B>::new(config, train, device)?;
    let metrics_path = dir.join("metrics.jsonl");
    let outcome = run_steps(&mut lane, args.steps, args.log_every, args.read_every, &metrics_path, &mut Vec::new())?;
    let rate = outcome.steps as f64 / outcome.secs.max(1e-9);

    write_grid_png(&dir.join("samples.png"), &pollster::block_on(lane.samples())?)?;
    let samples = pollster::block_on(lane.fresh_samples(args.samples))?;
    write_file(&dir.join("samples.u8"), &samples)?;
    let score = metrics::score(model, reference, &samples)?;
    let note = match outcome.diverged_at {
        Some(step) => format!("diverged at step {step} (samples from that step)"),
        None => String::new(),
    };
    let record = json!({
        "objective": id, "arch": args.arch, "steps": outcome.steps, "steps_per_s": rate,
        "train_secs": outcome.secs, "diverged_at": outcome.diverged_at, "score": score,
    });
    write_file(&dir.join("score.json"), format!("{record:#}\n").as_bytes())?;
    Ok(Row { name: id.to_string(), steps: outcome.steps.to_string(), rate: format!("{rate:.2}"), score: Some(score), note })
}

fn print_row(row: &Row) {
    match &row.score {
        Some(s) => println!(
            "-> {}: FID {:.2}, {} classes covered, histogram {:?} {}",
            row.name, s.fid, s.classes_covered, s.histogram, row.note
        ),
        None => println!("-> {}: {}", row.name, row.note),
    }
}

/// The markdown report: how it was made, what the columns mean, and the table.
fn report(args: &QualityArgs, backend_name: &str, accuracy: f64, rows: &[Row], secs: f64) -> String {
    let mut s = format!("# Sample quality: {}, {} generator steps per objective, on {backend_name}\n\n", args.arch, args.steps);
    let backend = match args.backend {
        BackendArg::Cpu | BackendArg::Ndarray => "cpu",
        BackendArg::Wgpu => "wgpu",
    };
    s += &format!(
        "Made by `gan-playground quality --arch {} --steps {} --samples {} --seed {} --backend {backend}` (total {:.0} s).\n\n",
        args.arch, args.steps, args.samples, args.seed, secs
    );
    s += &format!(
        "- **FID**: Fréchet distance between Gaussian fits of the 64 features of our MNIST classifier \
         (`{}`, {:.1} % accurate on the 1,000 held-out digits) for {} fresh samples and for the 1,000 held-out \
         real digits; lower is better. The first row scores {} real train digits the same way, for scale.\n",
        display(&args.classifier),
        100.0 * accuracy,
        args.samples,
        args.samples
    );
    s += "- **classes covered**: classes (of 10) that the classifier assigns at least 2.5 % of the samples to.\n";
    s += "- **histogram**: samples per predicted class 0 … 9. Each objective uses its own default learning rates.\n\n";
    s += "| objective | steps | steps/s | FID | classes covered | histogram 0…9 | note |\n";
    s += "| --- | ---: | ---: | ---: | ---: | --- | --- |\n";
    for r in rows {
        let (fid, covered, hist) = match &r.score {
            Some(sc) => (
                format!("{:.2}", sc.fid),
                sc.classes_covered.to_string(),
                sc.histogram.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" "),
            ),
            None => ("—".into(), "—".into(), "—".into()),
        };
        s += &format!("| {} | {} | {} | {fid} | {covered} | {hist} | {} |\n", r.name, r.steps, r.rate, r.note);
    }
    s
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
