//! The 2-D mode: grid KL/JS against closed forms, the sliced Wasserstein distance against a 1-D
//! closed form, every objective on every data set, and what D-only and G-only steps leave alone.

use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::lane::Phase;
use gan_playground::objective;
use gan_playground::plane::data::Shape;
use gan_playground::plane::lane::PlaneLane;
use gan_playground::plane::metrics::{grid_of, js, kde, kl, sliced_wasserstein};
use gan_playground::plane::PlaneConfig;

fn gaussian(mx: f32, my: f32, s: f32) -> impl Fn(f32, f32) -> f64 {
    move |x, y| f64::from((-((x - mx).powi(2) + (y - my).powi(2)) / (2.0 * s * s)).exp())
}

/// KL(N(μ₁, s₁²I) ‖ N(μ₂, s₂²I)) in two dimensions.
fn kl_closed(d2: f64, s1: f64, s2: f64) -> f64 {
    2.0 * (s2 / s1).ln() + (2.0 * s1 * s1 + d2) / (2.0 * s2 * s2) - 1.0
}

#[test]
fn grid_kl_and_js_match_closed_forms() {
    let cells = 128;
    for &(mx, s1, s2) in &[(0.3f32, 0.2f32, 0.2f32), (0.0, 0.15, 0.25), (0.2, 0.2, 0.3)] {
        let p = grid_of(cells, gaussian(0.0, 0.0, s1));
        let q = grid_of(cells, gaussian(mx, 0.0, s2));
        let want = kl_closed(f64::from(mx * mx), f64::from(s1), f64::from(s2));
        let got = kl(&p, &q);
        assert!((got - want).abs() < 0.02 * want.max(0.1), "KL {got} vs closed form {want}");
    }
    let p = grid_of(64, gaussian(-0.7, 0.0, 0.08));
    let q = grid_of(64, gaussian(0.7, 0.0, 0.08));
    assert!((js(&p, &q) - std::f64::consts::LN_2).abs() < 1e-3, "disjoint: JS = ln 2, got {}", js(&p, &q));
    assert!(js(&p, &p).abs() < 1e-12 && kl(&p, &p).abs() < 1e-12);
    // From samples: the kernel estimate of N(0, s²) is about N(0, s² + h²).
    let pts: Vec<f32> = (0..4000).flat_map(|i| {
        let (u, v) = ((i as f32 + 0.5) / 4000.0, ((i * 7919) % 4000) as f32 / 4000.0 + 1.0 / 8000.0);
        let r = (-2.0 * u.ln()).sqrt() * 0.2;
        [r * (6.2831855 * v).cos(), r * (6.2831855 * v).sin()]
    }).collect();
    let est = kde(&pts, 32, 0.06);
    let closed = grid_of(32, gaussian(0.0, 0.0, (0.04f32 + 0.0036).sqrt()));
    assert!(kl(&closed, &est) < 0.02, "KDE of a Gaussian sample vs its closed form: KL {}", kl(&closed, &est));
}

#[test]
fn sliced_wasserstein_of_a_shift_is_two_over_pi_times_it() {
    let a: Vec<f32> = (0..400).flat_map(|i| [((i * 37) % 400) as f32 / 400.0 - 0.5, (i as f32 / 400.0) - 0.5]).collect();
    let c = 0.3f32;
    let b: Vec<f32> = a.chunks(2).flat_map(|p| [p[0] + c, p[1]]).collect();
    // Each direction θ sees the 1-D shift c·|cos θ|; the mean of |cos θ| over a half turn is 2/π.
    let want = f64::from(c) * 2.0 / std::f64::consts::PI;
    let got = sliced_wasserstein(&a, &b);
    assert!((got - want).abs() < 0.01 * want, "SWD {got} vs {want}");
    assert_eq!(sliced_wasserstein(&a, &a), 0.0);
}

fn lane(objective: &str, dataset: &str) -> PlaneLane<Cpu> {
    let points = if dataset == "drawn" { r#","points":[[0.5,0.5],[-0.5,0.2],[0.1,-0.6]]"# } else { "" };
    let cfg = PlaneConfig::from_json(&format!(r#"{{"objective":"{objective}","dataset":"{dataset}","batch":32,"seed":3{points}}}"#)).unwrap();
    PlaneLane::new(cfg, &cpu_device()).unwrap()
}

#[test]
fn every_objective_trains_on_every_dataset_with_finite_values() {
    for info in objective::all() {
        for shape in Shape::ALL {
            let mut l = lane(info.id, shape.id());
            for _ in 0..15 {
                let s = l.step(Phase::Both).unwrap();
                assert!(s.finite, "{} on {}: {s:?}", info.id, shape.id());
            }
            let v = l.view(true);
            let all = v.fake.iter().chain(&v.arrows).chain(&v.heat).chain(&v.manifold);
            assert!(all.clone().all(|x| x.is_finite()), "{} on {}: view not finite", info.id, shape.id());
            assert!(v.kl.is_finite() && v.js.is_finite() && v.swd.is_finite());
            assert_eq!(v.heat.len(), 64 * 64);
            assert!(v.arrows.iter().any(|&a| a != 0.0), "{}: G's gradient at the fakes is zero", info.id);
        }
    }
}

#[test]
fn d_only_steps_leave_fakes_and_g_only_steps_leave_the_heatmap() {
    for info in objective::all() {
        let mut l = lane(info.id, "ring");
        l.step(Phase::Both).unwrap();
        let (f0, h0) = (l.fakes(), l.heatmap());
        l.step(Phase::D).unwrap();
        assert_eq!(l.fakes(), f0, "{}: a D step moved the fakes", info.id);
        let h1 = l.heatmap();
        assert_ne!(h1, h0, "{}: a D step did not change the heatmap", info.id);
        l.step(Phase::G).unwrap();
        assert_eq!(l.heatmap(), h1, "{}: a G step changed the heatmap", info.id);
        assert_ne!(l.fakes(), f0, "{}: a G step did not move the fakes", info.id);
    }
}

#[test]
fn bad_plane_fields_are_reported() {
    let e = PlaneConfig::from_json(r#"{"dataset":"blob","g_layers":9,"activation":"x","latent":3,"arch":"mlp"}"#).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    for f in ["dataset", "g_layers", "activation", "latent", "arch"] {
        assert!(fields.contains(&f), "{f} not reported: {fields:?}");
    }
    let e = PlaneConfig::from_json(r#"{"dataset":"drawn"}"#).unwrap_err();
    assert_eq!(e[0].field, "points");
    let cfg = PlaneConfig::from_json(r#"{"dataset":"drawn","points":[[0.1,0.2]]}"#).unwrap();
    assert_eq!(PlaneConfig::from_json(&cfg.to_json()).unwrap(), cfg);
}

/// Native steps/s of one lane (printed; `cargo test --release --test plane -- --nocapture speed`).
#[test]
fn speed() {
    let mut l = lane("nonsaturating", "ring");
    let t = std::time::Instant::now();
    for _ in 0..200 {
        l.step(Phase::Both).unwrap();
    }
    let steps = 200.0 / t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    for _ in 0..20 {
        l.view(false);
    }
    let view_ms = t.elapsed().as_secs_f64() * 1000.0 / 20.0;
    let t = std::time::Instant::now();
    for _ in 0..20 {
        l.view(true);
    }
    println!("plane: {steps:.0} steps/s, {view_ms:.1} ms per view, {:.1} ms with the distances", t.elapsed().as_secs_f64() * 1000.0 / 20.0);
}
