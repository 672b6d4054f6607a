//! Checkpoints that cannot be silently wrong: the weights format's CRC-32 refuses any damaged byte
//! (header, tensors, the checksum itself), a format-1 file (before checksums) still loads and says it
//! was not verified, a checkpoint records its data set and one trained on Fashion-MNIST is refused on
//! an MNIST page with a structured refusal, and every refusal has plain words.

use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::config::TrainConfig;
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::Lane;
use gan_playground::snapshot::CHECKPOINT_KIND;
use gan_playground::weights::{self, crc32, Crc32, Integrity, Refusal, Weights, MAGIC};
use serde_json::{json, Value};

/// Four synthetic images: enough for a lane of batch 1.
fn data() -> Digits {
    Digits { images: (0..4 * PIXELS).map(|i| (i * 7 % 253) as u8).collect(), labels: vec![0, 1, 2, 3] }
}

fn lane(data: &Digits) -> Lane<Cpu> {
    let config = TrainConfig::from_json(r#"{"latent": 2, "batch": 1, "seed": 9}"#).unwrap();
    Lane::<Cpu>::new(config, data, &cpu_device()).unwrap()
}

/// A tiny lane trained three steps, saved recording `dataset`.
fn checkpoint(data: &Digits, dataset: Option<&str>) -> Vec<u8> {
    let mut l = lane(data);
    pollster::block_on(l.train(3)).unwrap();
    pollster::block_on(l.save_for(Some(&json!({"version": 1, "stats": []})), dataset)).unwrap()
}

fn header_len(bytes: &[u8]) -> usize {
    u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize
}

/// The same contents written as a build before checksums wrote them (format 1): no `format` key, no
/// CRC. Written here independently of the library's encoder.
fn as_format_1(bytes: &[u8]) -> Vec<u8> {
    let w = Weights::parse(bytes).unwrap();
    let shapes: Vec<Value> = w.tensors.iter().map(|(s, _)| json!({ "shape": s })).collect();
    let header = json!({"kind": w.kind, "meta": w.meta, "tensors": shapes}).to_string();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for (_, v) in &w.tensors {
        for x in v {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    out
}

/// Bit by bit, the textbook way.
fn crc_bitwise(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
    }
    !c
}

#[test]
fn crc32_gives_the_standard_check_value_and_agrees_with_a_bitwise_reference() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
    let bytes: Vec<u8> = (0..1000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for len in [1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 999, 1000] {
        assert_eq!(crc32(&bytes[..len]), crc_bitwise(&bytes[..len]), "length {len}");
    }
    // Fed in pieces, the same as whole.
    let mut c = Crc32::new();
    for piece in bytes.chunks(13) {
        c.update(piece);
    }
    assert_eq!(c.finish(), crc32(&bytes));
}

#[test]
fn every_damaged_byte_of_a_small_weights_file_is_refused() {
    let w = Weights {
        kind: "small".into(),
        meta: json!({"note": "x", "dataset": "mnist"}),
        tensors: vec![(vec![2, 3], vec![0.5, -1.0, 2.0, 3.25, 0.0, 1e-3]), (vec![3], vec![7.0, 8.0, 9.0])],
    };
    let good = w.encode();
    assert_eq!(Weights::parse_checked(&good).unwrap(), (w.clone(), Integrity::Verified));
    let values_start = 12 + header_len(&good);
    assert_eq!(good.len(), values_start + 9 * 4 + 4, "values then a 4-byte checksum");
    for at in 0..good.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = good.clone();
            bad[at] ^= mask;
            let e = Weights::parse(&bad).expect_err(&format!("byte {at} ^ {mask:#x} accepted"));
            assert!(matches!(e.refusal, Refusal::Damaged | Refusal::NotWeights | Refusal::OtherVersion), "byte {at}: {e:?}");
            if at >= values_start {
                assert!(e.message.starts_with("checksum: mismatch"), "byte {at} (tensor area or checksum): {e}");
                assert!(e.plain().contains("checksum mismatch"), "{}", e.plain());
            }
        }
    }
}

#[test]
fn a_flipped_byte_anywhere_in_a_lane_checkpoint_is_refused() {
    let data = data();
    let good = checkpoint(&data, Some("mnist"));
    let summary = weights::vet(&good, CHECKPOINT_KIND, Some("mnist")).unwrap();
    assert_eq!((summary.format, summary.integrity, summary.dataset()), (2, Integrity::Verified, Some("mnist")));
    Lane::<Cpu>::from_checkpoint(&good, &data, &cpu_device()).expect("the untouched checkpoint loads");

    let values_start = 12 + header_len(&good);
    let n = good.len();
    // Every byte of magic and length, ~400 spread over the header, ~400 over the tensors, the last
    // value's bytes and the checksum's.
    let mut at: Vec<usize> = (0..12).collect();
    at.extend((12..values_start).step_by((values_start / 400).max(1)));
    at.extend((values_start..n).step_by(((n - values_start) / 400).max(1)));
    at.extend(n - 8..n);
    for &i in &at {
        let mut bad = good.clone();
        bad[i] ^= 0xff;
        let r = weights::vet(&bad, CHECKPOINT_KIND, Some("mnist")).expect_err(&format!("byte {i} of {n} flipped, accepted"));
        assert!(["damaged", "not-a-checkpoint", "other-version"].contains(&r.code), "byte {i}: {r:?}");
        if i >= values_start {
            assert_eq!(r.code, "damaged", "byte {i}: {r:?}");
            assert!(r.message.starts_with("this checkpoint is damaged (checksum mismatch"), "byte {i}: {}", r.message);
        }
    }
    // The lane loader refuses it too (the worker's path without vetting).
    let mut bad = good.clone();
    bad[values_start + (n - values_start) / 2] ^= 0x01;
    let e = Lane::<Cpu>::from_checkpoint(&bad, &data, &cpu_device()).err().expect("refused");
    assert!(e.contains("checksum: mismatch"), "{e}");
}

#[test]
fn a_checkpoint_from_before_checksums_still_loads_and_says_it_had_none() {
    let data = data();
    let v2 = checkpoint(&data, None);
    let v1 = as_format_1(&v2);
    assert_eq!(v1.len(), v2.len() - 4 - r#""format":2,"#.len());
    let s = weights::vet(&v1, CHECKPOINT_KIND, Some("mnist")).expect("a format-1 checkpoint is accepted");
    assert_eq!((s.format, s.integrity, s.dataset()), (1, Integrity::NoChecksum, None));
    assert_eq!(weights::inspect(&v2).unwrap().integrity, Integrity::Verified);
    // It continues the run exactly as the checksummed file does.
    let mut a = Lane::<Cpu>::from_checkpoint(&v1, &data, &cpu_device()).unwrap();
    let mut b = Lane::<Cpu>::from_checkpoint(&v2, &data, &cpu_device()).unwrap();
    let (sa, sb) = (pollster::block_on(a.train(2)).unwrap(), pollster::block_on(b.train(2)).unwrap());
    let key = |s: &[gan_playground::lane::StepStats]| s.iter().map(|x| (x.step, x.d_loss.map(f32::to_bits), x.g_loss.map(f32::to_bits))).collect::<Vec<_>>();
    assert_eq!(key(&sa), key(&sb));
    // Saved again, it gets a checksum.
    let resaved = pollster::block_on(a.save(None)).unwrap();
    assert_eq!(weights::inspect(&resaved).unwrap().integrity, Integrity::Verified);
    // The classifiers shipped before checksums are format-1 files too.
    let shipped = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/classifier.bin")).unwrap();
    let s = weights::inspect(&shipped).unwrap();
    assert_eq!((s.format, s.integrity), (1, Integrity::NoChecksum));
    assert!(weights::NO_CHECKSUM_NOTICE.contains("without a checksum"));
}

#[test]
fn a_fashion_checkpoint_on_an_mnist_page_gets_a_structured_refusal() {
    let data = data();
    let fashion = checkpoint(&data, Some("fashion"));
    assert_eq!(Weights::parse(&fashion).unwrap().meta["dataset"], "fashion", "the checkpoint records its data set");
    let r = weights::vet(&fashion, CHECKPOINT_KIND, Some("mnist")).expect_err("a Fashion-MNIST checkpoint on an MNIST page");
    assert_eq!(r.code, "dataset-mismatch");
    assert_eq!((r.file_dataset.as_deref(), r.page_dataset.as_deref()), (Some("fashion"), Some("mnist")));
    assert_eq!(
        r.message,
        "this checkpoint was trained on Fashion-MNIST; this page uses MNIST: switch the dataset to Fashion-MNIST to continue it"
    );
    // On a Fashion-MNIST page, or where the page names no data set, it loads.
    assert_eq!(weights::vet(&fashion, CHECKPOINT_KIND, Some("fashion")).unwrap().dataset(), Some("fashion"));
    assert!(weights::vet(&fashion, CHECKPOINT_KIND, None).is_ok());
    // A checkpoint that records no data set (saved before, or by the CLI) loads anywhere.
    let unnamed = checkpoint(&data, None);
    assert!(Weights::parse(&unnamed).unwrap().meta.get("dataset").is_none());
    assert!(weights::vet(&unnamed, CHECKPOINT_KIND, Some("fashion")).is_ok());
    // The last snapshot (`checkpoint_for`) records it as well.
    let mut l = lane(&data);
    pollster::block_on(l.train(1)).unwrap();
    let snap = pollster::block_on(l.checkpoint_for(Some("fashion"))).unwrap();
    assert_eq!(weights::vet(&snap, CHECKPOINT_KIND, Some("mnist")).unwrap_err().code, "dataset-mismatch");
}

#[test]
fn refusals_say_in_plain_words_what_the_file_is() {
    let data = data();
    let good = checkpoint(&data, None);
    let vet = |b: &[u8]| weights::vet(b, CHECKPOINT_KIND, Some("mnist")).unwrap_err();

    let r = vet(b"PK\x03\x04 a zip file, say");
    assert_eq!((r.code, r.message.as_str()), ("not-a-checkpoint", "this file is not a playground checkpoint"));
    assert!(r.detail.contains("bad magic"), "{}", r.detail);

    let mut l = lane(&data);
    pollster::block_on(l.train(1)).unwrap();
    let generator = weights::save(l.generator(), "generator", json!({})).unwrap();
    let r = vet(&generator);
    assert_eq!(r.code, "not-a-checkpoint");
    assert!(r.message.starts_with("this file is not a playground checkpoint (it holds weights of kind \"generator\")"), "{}", r.message);

    let r = vet(&good[..good.len() - 10]);
    assert_eq!((r.code, r.message.as_str()), ("damaged", "this checkpoint is damaged (it is cut short) and was not loaded"));

    let mut w = Weights::parse(&good).unwrap();
    let newer = {
        let e = w.encode();
        let text = std::str::from_utf8(&e[12..12 + header_len(&e)]).unwrap().replacen(r#""format":2"#, r#""format":4"#, 1);
        [&e[..8], &(text.len() as u32).to_le_bytes(), text.as_bytes(), &e[12 + header_len(&e)..]].concat()
    };
    let r = vet(&newer);
    assert_eq!(r.code, "other-version");
    assert!(r.message.contains("newer version of the playground (format 4)"), "{}", r.message);

    w.tensors[0].1[0] = f32::NAN;
    let r = vet(&w.encode());
    assert_eq!(r.code, "damaged");
    assert!(r.message.contains("not finite"), "{}", r.message);

    assert_eq!(weights::Refused::incompatible("checkpoint config: lr_g: expected a number").code, "incompatible");
    let big = vec![0u8; weights::MAX_FILE_BYTES + 1];
    assert_eq!(vet(&big).code, "too-large");
}
