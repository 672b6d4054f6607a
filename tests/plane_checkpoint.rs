//! 2-D lane checkpoints: training 5 steps, saving, loading and training 5 more is the same lane, byte
//! for byte, as training 10; damaged, foreign and unfitting files are refused with a clear message.

use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::lane::Phase;
use gan_playground::plane::lane::{PlaneLane, PLANE_CHECKPOINT_KIND};
use gan_playground::plane::PlaneConfig;
use gan_playground::weights::{Refused, Weights};
use serde_json::json;

fn lane(json: &str) -> PlaneLane<Cpu> {
    PlaneLane::new(PlaneConfig::from_json(json).unwrap(), &cpu_device()).unwrap()
}

fn load(bytes: &[u8]) -> Result<PlaneLane<Cpu>, Refused> {
    PlaneLane::<Cpu>::from_checkpoint(bytes, &cpu_device()).map(|(l, _)| l)
}

fn losses(l: &mut PlaneLane<Cpu>, n: usize, phase: Phase) -> Vec<(Option<f32>, Option<f32>)> {
    (0..n).map(|_| { let s = l.step(phase).unwrap(); (s.d_loss, s.g_loss) }).collect()
}

#[test]
fn train_5_save_load_train_5_is_train_10_exactly() {
    // Adam and RMSprop, InfoGAN's codes, WGAN-GP's critic steps, a drawn data set, a Gaussian 1-D latent.
    let configs = [
        r#"{"objective":"nonsaturating","dataset":"ring","batch":16,"seed":4}"#,
        r#"{"objective":"wgan","dataset":"moons","batch":16,"seed":5,"g_layers":1,"d_neurons":16}"#,
        r#"{"objective":"wgan-gp","dataset":"spiral","batch":8,"seed":6}"#,
        r#"{"objective":"infogan","dataset":"grid","batch":16,"seed":7,"activation":"tanh"}"#,
        r#"{"objective":"ebgan","dataset":"drawn","points":[[0.5,0.5],[-0.4,0.1]],"batch":8,"latent":1,"latent_dist":"gaussian"}"#,
    ];
    for json in configs {
        let mut whole = lane(json);
        let mut first = lane(json);
        let a = losses(&mut whole, 10, Phase::Both);
        let mut b = losses(&mut first, 5, Phase::Both);
        let curves = json!({"version": 1, "loss": [[1, 0.5]]});
        let bytes = first.save(Some(&curves)).unwrap();
        drop(first);
        let (mut resumed, back) = PlaneLane::<Cpu>::from_checkpoint(&bytes, &cpu_device()).unwrap();
        assert_eq!(back.as_ref(), Some(&curves), "{json}: the curves come back");
        assert_eq!(resumed.steps(), 5);
        assert_eq!(resumed.config(), whole.config(), "{json}: the config comes back");
        b.extend(losses(&mut resumed, 5, Phase::Both));
        assert_eq!(a, b, "{json}: the losses of steps 6–10 differ after a reload");
        // Weights, optimizer state, random streams and step: the two files are identical.
        assert_eq!(resumed.save(None).unwrap(), whole.save(None).unwrap(), "{json}: state after 10 steps differs");
        let (v, w) = (resumed.view(false), whole.view(false));
        assert_eq!((v.fake, v.heat, v.arrows), (w.fake, w.heat, w.arrows), "{json}: views differ");
    }
}

#[test]
fn phases_resume_exactly_too() {
    let json = r#"{"objective":"lsgan","dataset":"gaussians","batch":16}"#;
    let mut whole = lane(json);
    let mut part = lane(json);
    for l in [&mut whole, &mut part] {
        l.step(Phase::D).unwrap();
        l.step(Phase::G).unwrap();
    }
    let mut resumed = load(&part.save(None).unwrap()).unwrap();
    whole.step(Phase::D).unwrap();
    resumed.step(Phase::D).unwrap();
    assert_eq!(resumed.save(None).unwrap(), whole.save(None).unwrap());
}

fn refusal(bytes: &[u8]) -> Refused {
    match load(bytes) {
        Ok(_) => panic!("a bad file was accepted"),
        Err(r) => r,
    }
}

/// The file's header and tensors with `edit` applied to its meta, encoded again (a valid checksum).
fn edited(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut w = Weights::parse(bytes).unwrap();
    edit(&mut w.meta);
    w.encode()
}

#[test]
fn corrupt_foreign_and_unfitting_files_are_refused_with_clear_messages() {
    let mut l = lane(r#"{"objective":"nonsaturating","dataset":"ring","batch":16}"#);
    l.step(Phase::Both).unwrap();
    let good = l.save(None).unwrap();
    assert!(load(&good).is_ok());

    let mut flipped = good.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0x10;
    let r = refusal(&flipped);
    assert_eq!(r.code, "damaged");
    assert!(r.message.contains("checksum mismatch"), "{}", r.message);

    let r = refusal(&good[..good.len() - 7]);
    assert_eq!(r.code, "damaged");
    assert!(r.message.contains("cut short"), "{}", r.message);

    let r = refusal(b"PK\x03\x04 a zip file, not a checkpoint");
    assert_eq!(r.code, "not-a-checkpoint");
    assert!(r.message.contains("not a playground checkpoint"), "{}", r.message);

    let image = Weights { kind: "gan-lane-checkpoint".into(), meta: json!({}), tensors: vec![] }.encode();
    let r = refusal(&image);
    assert_eq!(r.code, "image-checkpoint");
    assert!(r.message.contains("load it in the image mode"), "{}", r.message);

    let other = Weights { kind: "gan-generator".into(), meta: json!({}), tensors: vec![] }.encode();
    assert_eq!(refusal(&other).code, "not-a-checkpoint");

    // Intact files that do not fit: an invalid config, a config whose networks are another size, an
    // optimizer state that is missing, a random stream that is not one.
    let r = refusal(&edited(&good, |m| m["config"]["g_layers"] = json!(9)));
    assert_eq!(r.code, "incompatible");
    assert!(r.message.contains("g_layers") && r.message.contains("from 1 to 4"), "{}", r.message);
    let r = refusal(&edited(&good, |m| m["config"]["d_neurons"] = json!(16)));
    assert!(r.message.contains("the discriminator's tensors do not fit"), "{}", r.message);
    let r = refusal(&edited(&good, |m| m["opts"] = json!([])));
    assert!(r.message.contains("missing optimizer states"), "{}", r.message);
    let r = refusal(&edited(&good, |m| m["noise"] = json!({"seed": "zz"})));
    assert!(r.message.contains("noise"), "{}", r.message);
    let r = refusal(&edited(&good, |m| m["g"] = json!(1000)));
    assert!(r.message.contains("fewer tensors than announced"), "{}", r.message);
    assert_eq!(Weights::parse(&good).unwrap().kind, PLANE_CHECKPOINT_KIND);
}
