//! Compact checkpoints, the ones shipped with the site: weights format 3 stores every value as an
//! IEEE half-precision float (checked against hand-computed bit patterns), refuses what f16 cannot
//! hold and any damaged byte, and a compact lane checkpoint (no optimizer state) resumes a lane at
//! its step with weights within 2^-11 of the original and says so in a notice.

use gan_playground::backend::{cpu_device, Cpu};
use gan_playground::config::TrainConfig;
use gan_playground::data::{Digits, PIXELS};
use gan_playground::lane::Lane;
use gan_playground::snapshot::{Checkpoint, CHECKPOINT_KIND};
use gan_playground::weights::{self, crc32, Refusal, Weights, FORMAT_F16};
use serde_json::json;

fn weights(values: Vec<f32>) -> Weights {
    Weights { kind: "test".into(), meta: json!({}), tensors: vec![(vec![values.len()], values)] }
}

fn header_len(bytes: &[u8]) -> usize {
    u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize
}

#[test]
fn half_precision_values_have_the_hand_computed_bits_and_round_trip() {
    // f16: sign, 5 exponent bits (bias 15), 10 fraction bits.
    // 1.0 = 0 01111 0000000000 = 0x3C00; -2.5 = 1 10000 0100000000 = 0xC100;
    // 65504 = 0 11110 1111111111 = 0x7BFF (the largest finite f16);
    // 0.1 = 1.6 × 2^-4: fraction 0.6 × 1024 = 614.4 → 614, so 0 01011 1001100110 = 0x2E66,
    // which is (1024 + 614) / 1024 × 2^-4 = 0.0999755859375.
    let w = weights(vec![1.0, -2.5, 65504.0, 0.1]);
    let bytes = w.encode_f16().unwrap();
    let h = header_len(&bytes);
    assert_eq!(bytes.len(), 12 + h + 2 * 4 + 4, "2 bytes per value and a 4-byte checksum");
    let header: serde_json::Value = serde_json::from_slice(&bytes[12..12 + h]).unwrap();
    assert_eq!(header["format"], json!(FORMAT_F16));
    let halves: Vec<u16> = bytes[12 + h..12 + h + 8].chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    assert_eq!(halves, vec![0x3C00, 0xC100, 0x7BFF, 0x2E66]);
    assert_eq!(u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().unwrap()), crc32(&bytes[..bytes.len() - 4]));
    let back = Weights::parse(&bytes).unwrap();
    assert_eq!(back.tensors[0].1, vec![1.0, -2.5, 65504.0, 0.0999755859375]);
    let s = weights::inspect(&bytes).unwrap();
    assert_eq!((s.format, s.values, s.integrity), (3, 4, weights::Integrity::Verified));
}

#[test]
fn values_beyond_half_precision_are_refused_not_saturated() {
    // 65520 is halfway to the next power of two and rounds to infinity; 70000 is beyond.
    for big in [70000.0f32, -1e6, 65520.0] {
        let e = weights(vec![0.5, big]).encode_f16().unwrap_err();
        assert_eq!(e.refusal, Refusal::Unfit);
        assert!(e.message.contains("tensor 0 value 1") && e.message.contains("half precision"), "{e}");
    }
    assert!(weights(vec![65519.0]).encode_f16().is_ok(), "65519 rounds down to 65504");
}

#[test]
fn every_damaged_byte_of_a_half_precision_file_is_refused() {
    let bytes = weights(vec![1.0, -0.25, 3.0e-3, 1234.0, 7.0]).encode_f16().unwrap();
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x10;
        assert!(Weights::parse(&bad).is_err(), "byte {i} of {} changed and the file still parsed", bytes.len());
    }
    // Cut short by one value's bytes: named as truncated values.
    let mut short = bytes[..bytes.len() - 6].to_vec();
    let crc = crc32(&short);
    short.extend_from_slice(&crc.to_le_bytes());
    let e = Weights::parse(&short).unwrap_err();
    assert!(e.message.starts_with("values: truncated: 5 values (10 bytes)"), "{e}");
}

#[test]
fn a_non_finite_half_with_a_valid_checksum_is_refused() {
    let mut bytes = weights(vec![1.0, 2.0]).encode_f16().unwrap();
    let at = 12 + header_len(&bytes) + 2;
    bytes[at..at + 2].copy_from_slice(&0x7E00u16.to_le_bytes()); // a NaN
    let end = bytes.len() - 4;
    let crc = crc32(&bytes[..end]);
    bytes[end..].copy_from_slice(&crc.to_le_bytes());
    let e = Weights::parse(&bytes).unwrap_err();
    assert_eq!(e.refusal, Refusal::Damaged);
    assert!(e.message.starts_with("tensor 0 value 1: NaN"), "{e}");
}

#[test]
fn a_newer_format_is_refused_with_the_formats_this_build_reads() {
    let bytes = weights(vec![1.0]).encode_f16().unwrap();
    let h = header_len(&bytes);
    let text = std::str::from_utf8(&bytes[12..12 + h]).unwrap().replace("\"format\":3", "\"format\":4");
    let mut out = bytes[..12].to_vec();
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&bytes[12 + h..bytes.len() - 4]);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    let e = Weights::parse(&out).unwrap_err();
    assert_eq!(e.refusal, Refusal::OtherVersion);
    assert!(e.plain().contains("reads formats 1 to 3"), "{}", e.plain());
}

fn data() -> Digits {
    Digits { images: (0..8 * PIXELS).map(|i| (i * 13 % 251) as u8).collect(), labels: (0..8).collect() }
}

#[test]
fn a_compact_lane_checkpoint_resumes_at_its_step_close_to_the_full_one() {
    let data = data();
    let config = TrainConfig::from_json(r#"{"objective": "infogan", "latent": 4, "batch": 2, "seed": 3}"#).unwrap();
    let mut lane = Lane::<Cpu>::new(config, &data, &cpu_device()).unwrap();
    pollster::block_on(lane.train(4)).unwrap();
    let full = pollster::block_on(lane.save(None)).unwrap();
    let compact = pollster::block_on(lane.save_compact(None, Some("mnist"))).unwrap();
    // Adam keeps two moments per value: f32 with them is 12 bytes a value, f16 without them 2.
    let (f, c) = (Weights::parse(&full).unwrap(), Weights::parse(&compact).unwrap());
    let values = |w: &Weights| w.tensors.iter().map(|(_, v)| v.len()).sum::<usize>();
    assert_eq!(values(&f), 3 * values(&c), "the full file holds the values and Adam's two moments");
    assert!(compact.len() * 5 < full.len(), "compact {} bytes, full {}", compact.len(), full.len());

    let s = weights::vet(&compact, CHECKPOINT_KIND, Some("mnist")).unwrap();
    assert_eq!((s.format, s.meta["compact"].clone(), s.dataset()), (3, json!(true), Some("mnist")));
    assert_eq!(s.notice(), Some(weights::COMPACT_NOTICE));
    assert_eq!(weights::inspect(&full).unwrap().notice(), None);
    assert!(s.meta["opts"].as_array().unwrap().iter().flat_map(|o| o.as_array().unwrap()).all(|e| e.is_null()));

    // G's and D's values within half precision's rounding of the full file's.
    let (fc, cc) = (Checkpoint::parse(&full).unwrap(), Checkpoint::parse(&compact).unwrap());
    for (a, b) in fc.g.iter().chain(&fc.d).zip(cc.g.iter().chain(&cc.d)) {
        assert_eq!(a.0, b.0);
        for (x, y) in a.1.iter().zip(&b.1) {
            // Relative 2^-11 for normal halves; below 2^-14 halves are subnormal, spaced 2^-24.
            assert!((x - y).abs() <= x.abs() * 2f32.powi(-11) + 2f32.powi(-25), "{x} became {y}");
        }
    }
    assert_eq!((cc.step, &cc.order, &cc.noise, &cc.loss_noise), (4, &fc.order, &fc.noise, &fc.loss_noise));

    // It resumes at step 4 with fresh optimizers and trains on.
    let mut resumed = Lane::<Cpu>::from_checkpoint(&compact, &data, &cpu_device()).unwrap();
    assert_eq!(resumed.steps(), 4);
    let stats = pollster::block_on(resumed.train(2)).unwrap();
    assert_eq!(stats.iter().map(|s| s.step).collect::<Vec<_>>(), vec![5, 6]);
    assert!(stats.iter().all(|s| s.d_loss.is_some_and(f32::is_finite) && s.g_loss.is_some_and(f32::is_finite)));
    // Saved again in full, it carries optimizer state once more (Adam's moments from the restart).
    let again = Checkpoint::parse(&pollster::block_on(resumed.save(None)).unwrap()).unwrap();
    assert!(again.opts[0].iter().any(Option::is_some));
}
