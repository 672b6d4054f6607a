//! Quality metrics: the weights format (round trip, every damaged file refused), the Fréchet distance
//! against hand-derived values, the class histogram and coverage rule, and the shipped classifier.

mod common;

use burn::backend::Flex;
use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::{backend::Backend, Tensor, TensorData};
use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::data::PIXELS;
use gan_playground::metrics::{self, class_histogram, classes_covered, classifier, frechet, Classifier, Gaussian, Reference};
use gan_playground::weights::{self, Weights, MAGIC, MAX_HEADER};
use rand::{rngs::StdRng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use serde_json::json;

type B = Flex;

/// A module with a BatchNorm, whose running statistics must round-trip too.
#[derive(Module, Debug)]
struct Small<B: Backend> {
    lin: Linear<B>,
    bn: BatchNorm<B>,
}

fn small() -> Small<B> {
    let d = cpu_device();
    Small { lin: LinearConfig::new(3, 4).init(&d), bn: BatchNormConfig::new(4).init(&d) }
}

fn input() -> Tensor<B, 2> {
    Tensor::from_data(TensorData::new((0..6).map(|i| i as f32 * 0.3 - 0.7).collect::<Vec<_>>(), [2, 3]), &cpu_device())
}

fn eval(m: &Small<B>) -> Vec<f32> {
    // Inference through the BatchNorm uses the running statistics.
    let h = m.lin.forward(input()).reshape([2, 4, 1]);
    m.bn.forward(h).into_data().to_vec::<f32>().unwrap()
}

/// A `Small` whose running statistics are not the defaults (0 and 1).
fn trained_small() -> Small<B> {
    let m = small();
    let x = Tensor::<Cpu, 3>::from_data(
        TensorData::new((0..24).map(|i| (i as f32 * 0.37).sin() * 3.0 + 1.0).collect::<Vec<_>>(), [6, 4, 1]),
        &cpu_device(),
    );
    // A training-mode forward pass on the autodiff backend updates the running mean and variance.
    let bn: BatchNorm<Cpu> = BatchNormConfig::new(4).init(&cpu_device());
    let _ = bn.forward(x);
    // The update is pending on this thread until synced: saving must see it.
    let bytes = weights::save(&bn, "bn", json!({})).unwrap();
    let mean = bn.running_mean.value_sync().into_data().to_vec::<f32>().unwrap();
    assert!(mean.iter().any(|v| v.abs() > 1e-3), "running mean moved: {mean:?}");
    let (bn, _) = weights::load(BatchNormConfig::new(4).init::<B>(&cpu_device()), &bytes, "bn").unwrap();
    assert_eq!(bn.running_mean.value().into_data().to_vec::<f32>().unwrap(), mean, "saved after the pending update");
    Small { lin: m.lin, bn }
}

#[test]
fn weights_round_trip_gives_identical_outputs() {
    let a = trained_small();
    let bytes = weights::save(&a, "small", json!({"note": "test", "n": 3})).unwrap();
    assert_eq!(&bytes[..8], MAGIC);
    let (b, meta) = weights::load(small(), &bytes, "small").unwrap();
    assert_eq!(meta, json!({"note": "test", "n": 3}));
    assert_eq!(eval(&a), eval(&b));
    let rm = |m: &Small<B>| m.bn.running_mean.value().into_data().to_vec::<f32>().unwrap();
    assert_eq!(rm(&a), rm(&b));
    assert_ne!(eval(&a), eval(&small()), "a fresh module differs, so the test can fail");
    // Encoding is stable: the loaded module saves to the same bytes.
    assert_eq!(weights::save(&b, "small", json!({"note": "test", "n": 3})).unwrap(), bytes);
}

#[test]
fn weights_load_into_an_autodiff_module_keeps_it_trainable() {
    let bytes = weights::save(&small(), "small", json!(null)).unwrap();
    let d = cpu_device();
    let m = Small::<Cpu> { lin: LinearConfig::new(3, 4).init(&d), bn: BatchNormConfig::new(4).init(&d) };
    let (m, _) = weights::load(m, &bytes, "small").unwrap();
    assert!(m.lin.weight.val().is_require_grad());
    assert!(!m.bn.running_mean.value().is_require_grad());
}

fn refused(bytes: &[u8], kind: &str, needle: &str) {
    match weights::load(small(), bytes, kind) {
        Ok(_) => panic!("accepted a damaged file (expected {needle:?})"),
        Err(e) => assert!(e.to_string().contains(needle), "message {:?} lacks {needle:?}", e.to_string()),
    }
}

/// Builds a file from a header text and raw value bytes.
fn raw(header: &str, values: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(values);
    out
}

#[test]
fn weights_refuse_every_damaged_file_with_a_message() {
    let good = weights::save(&small(), "small", json!({})).unwrap();
    let parsed = Weights::parse(&good).unwrap();

    let mut bad_magic = good.clone();
    bad_magic[0] = b'X';
    refused(&bad_magic, "small", "bad magic");
    refused(&[], "small", "bad magic");
    refused(b"GANWTS0", "small", "bad magic");

    refused(&good[..good.len() - 1], "small", "truncated");
    refused(&good[..good.len() - 40], "small", "truncated");
    refused(&good[..20], "small", "truncated");
    let mut longer = good.clone();
    longer.extend_from_slice(&[0, 0, 0, 0]);
    refused(&longer, "small", "trailing bytes");

    refused(&good, "other", "expected \"other\"");

    let mut fewer = parsed.clone();
    fewer.tensors.pop();
    refused(&fewer.encode(), "small", "tensors, the model has");

    let mut reshaped = parsed.clone();
    reshaped.tensors[0].0.reverse(); // the linear weight's [3, 4] becomes [4, 3]: same count, other shape
    refused(&reshaped.encode(), "small", "shape");
    let mut more_dims = parsed.clone();
    more_dims.tensors[0].0.push(1);
    refused(&more_dims.encode(), "small", "shape");

    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut nan = parsed.clone();
        nan.tensors[1].1[2] = bad;
        refused(&nan.encode(), "small", "not finite");
    }

    let mut huge = MAGIC.to_vec();
    huge.extend_from_slice(&((MAX_HEADER + 1) as u32).to_le_bytes());
    refused(&huge, "small", "at most");
    let mut max = MAGIC.to_vec();
    max.extend_from_slice(&u32::MAX.to_le_bytes());
    refused(&max, "small", "at most");

    refused(&raw("{not json", &[]), "small", "JSON");
    refused(&raw(r#"{"kind":"small","meta":{},"tensors":[{"shape":[4294967295,4294967295,4294967295]}]}"#, &[]), "small", "too large");
    let mut not_utf8 = raw("{}", &[]);
    not_utf8[12] = 0xff;
    refused(&not_utf8, "small", "UTF-8");

    // Saving refuses non-finite parameters as well.
    let nan_module = small().map(&mut NanMapper);
    assert!(weights::save(&nan_module, "small", json!({})).unwrap_err().to_string().contains("non-finite"));
}

struct NanMapper;
impl burn::module::ModuleMapper<B> for NanMapper {
    fn map_float<const D: usize>(&mut self, p: burn::module::Param<Tensor<B, D>>) -> burn::module::Param<Tensor<B, D>> {
        p.map(|t| t.mul_scalar(f32::NAN))
    }
}

fn gaussian_samples(rng: &mut StdRng, n: usize, mean: &[f64], std: &[f64]) -> Vec<f32> {
    (0..n)
        .flat_map(|_| {
            mean.iter()
                .zip(std)
                .map(|(m, s)| {
                    let z: f64 = StandardNormal.sample(&mut *rng);
                    (m + s * z) as f32
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn fid_of_a_set_against_itself_is_zero() {
    let mut rng = StdRng::seed_from_u64(3);
    let dim = 16;
    // Correlated features: mix independent normals.
    let z = gaussian_samples(&mut rng, 400, &[0.0; 16], &[1.0; 16]);
    let x: Vec<f32> = z.chunks(dim).flat_map(|r| (0..dim).map(move |j| r[j] + 0.5 * r[(j + 1) % dim] + j as f32)).collect();
    let d = metrics::fid::fid(&x, &x, dim);
    assert!(d.abs() < 1e-6, "FID(x, x) = {d}");
}

#[test]
fn frechet_of_diagonal_gaussians_matches_the_closed_form() {
    // Diagonal covariances commute: FD = Σ(μ₁ − μ₂)² + Σ(σ₁ − σ₂)².
    let (m1, s1) = ([0.0, 1.0, -2.0], [1.0, 2.0, 0.5]);
    let (m2, s2) = ([1.0, 1.0, 0.0], [3.0, 1.0, 0.5]);
    let g = |m: &[f64; 3], s: &[f64; 3]| {
        Gaussian::new(m.to_vec(), vec![s[0] * s[0], 0.0, 0.0, 0.0, s[1] * s[1], 0.0, 0.0, 0.0, s[2] * s[2]])
    };
    let want = (1.0 + 0.0 + 4.0) + (4.0 + 1.0 + 0.0);
    let got = frechet(&g(&m1, &s1), &g(&m2, &s2));
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    assert!((frechet(&g(&m2, &s2), &g(&m1, &s1)) - want).abs() < 1e-9, "symmetric");

    // The same Gaussians sampled: the fitted FD approaches the closed form.
    let mut rng = StdRng::seed_from_u64(11);
    let a = gaussian_samples(&mut rng, 20_000, &m1, &s1);
    let b = gaussian_samples(&mut rng, 20_000, &m2, &s2);
    let est = metrics::fid::fid(&a, &b, 3);
    assert!((est - want).abs() < 0.15, "sampled FID {est} vs {want}");
}

#[test]
fn frechet_of_non_commuting_covariances_matches_the_2x2_formula() {
    // For 2×2 PSD A with eigenvalues λ₁, λ₂: Tr √A = √λ₁ + √λ₂ = √(tr A + 2√det A). √S₁S₂√S₁ is
    // similar to S₁S₂, so Tr((S₁S₂)^½) = √(tr(S₁S₂) + 2√(det S₁ · det S₂)).
    let s1 = [2.0, 1.0, 1.0, 2.0]; // det 3
    let s2 = [1.0, 0.0, 0.0, 4.0]; // det 4
    let tr_s1s2 = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3]; // 2 + 8 = 10
    let cross = (tr_s1s2 + 2.0 * (3.0f64 * 4.0).sqrt()).sqrt();
    let mean_term = 0.5f64.powi(2) + 2.0f64.powi(2);
    let want = mean_term + (2.0 + 2.0) + (1.0 + 4.0) - 2.0 * cross;
    let got = frechet(&Gaussian::new(vec![0.5, 0.0], s1.to_vec()), &Gaussian::new(vec![0.0, 2.0], s2.to_vec()));
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
}

#[test]
fn histogram_and_coverage_follow_the_documented_rule() {
    // 80 predictions: class 0 ×40, 1 ×20, 2 ×10, 3 ×5, 4 ×2 (2.5 % exactly: covered), 5 ×1, 6 ×1, 7 ×1.
    let mut preds = Vec::new();
    for (class, count) in [(0u8, 40), (1, 20), (2, 10), (3, 5), (4, 2), (5, 1), (6, 1), (7, 1)] {
        preds.extend(std::iter::repeat_n(class, count));
    }
    let h = class_histogram(&preds);
    assert_eq!(h, [40, 20, 10, 5, 2, 1, 1, 1, 0, 0]);
    assert_eq!(classes_covered(&h), 5);
    assert_eq!(classes_covered(&[100; 10]), 10);
    assert_eq!(classes_covered(&[0; 10]), 0);
    assert_eq!(class_histogram(&[12, 3]), [0, 0, 0, 1, 0, 0, 0, 0, 0, 0], "out-of-range classes are not counted");
    assert_eq!(metrics::COVERAGE_SHARE, 1.0 / 40.0);
}

fn shipped() -> Classifier<B> {
    shipped_for("classifier.bin")
}

fn shipped_for(file: &str) -> Classifier<B> {
    let path = format!("{}/assets/{file}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(bytes.len() < 1 << 20, "shipped weights are {} bytes", bytes.len());
    Classifier::from_bytes(&bytes, &cpu_device()).expect("shipped classifier loads").0
}

#[test]
fn fashion_data_and_its_classifier() {
    let data = common::dataset("fashion");
    assert_eq!(data.len(), 10_000);
    let (train, test) = data.split();
    // Fashion-MNIST's test set has exactly 1,000 images per class; every 10th is held out.
    assert_eq!(class_histogram(&test.labels), [100; 10]);
    assert_eq!(class_histogram(&train.labels), [900; 10]);
    let acc = shipped_for("classifier-fashion.bin").accuracy(&test);
    assert!(acc >= 0.80, "held-out accuracy {acc}");
}

#[test]
fn shipped_classifier_reaches_95_percent_on_held_out_digits() {
    let (_, test) = common::digits().split();
    assert_eq!(test.len(), 1000);
    let acc = shipped().accuracy(&test);
    assert!(acc >= 0.95, "held-out accuracy {acc}");
}

#[test]
fn scoring_real_digits_and_blank_images() {
    let (train, test) = common::digits().split();
    let c = shipped();
    let reference = Reference::new(&c, &test.images);
    // The data file is ordered by class: take train digits evenly spaced.
    let real = metrics::score(&c, &reference, &metrics::evenly_spaced(&train, 1000).images).unwrap();
    assert_eq!(real.n, 1000);
    assert_eq!(real.classes_covered, 10);
    assert_eq!(real.histogram.iter().sum::<usize>(), 1000);
    let blank = metrics::score(&c, &reference, &vec![0u8; 200 * PIXELS]).unwrap();
    assert!(blank.classes_covered <= 1, "{blank:?}");
    assert!(blank.fid > 10.0 * real.fid, "blank {} vs real {}", blank.fid, real.fid);
    assert!(metrics::score(&c, &reference, &[0u8; 100]).is_err());
    // Real and generated bytes go through the same scaling as Digits::scaled.
    assert_eq!(classifier::scale(&test.images), test.scaled());
}

#[test]
fn training_is_reproducible_and_learns() {
    let (train, test) = common::digits().split();
    let subset = metrics::evenly_spaced(&train, 1000);
    assert_eq!(subset.class_counts().iter().filter(|&&c| c >= 80).count(), 10, "every class in the subset");
    let mut losses = Vec::new();
    let a = classifier::train::<Cpu>(&subset, 2, 5, &cpu_device(), |_, l| losses.push(l));
    let b = classifier::train::<Cpu>(&subset, 2, 5, &cpu_device(), |_, _| {});
    assert_eq!(losses.len(), 2);
    assert!(losses[1] < losses[0] && losses[0] < 2.31, "losses {losses:?}");
    let (a, b) = (classifier::inference(&a), classifier::inference(&b));
    assert_eq!(a.to_bytes(json!({})).unwrap(), b.to_bytes(json!({})).unwrap());
    assert!(a.accuracy(&test) > 0.5);
    // The saved classifier gives the same features after loading.
    let (c, _) = Classifier::<B>::from_bytes(&a.to_bytes(json!({"x": 1})).unwrap(), &cpu_device()).unwrap();
    assert_eq!(a.features(&test.images[..10 * PIXELS]), c.features(&test.images[..10 * PIXELS]));
    assert_eq!(a.features(&test.images[..10 * PIXELS]).len(), 10 * classifier::FEATURES);
}
