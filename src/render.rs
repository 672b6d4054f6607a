//! Turning generator output into pixels: bytes per image and an 8×8 grid image.

use crate::data::{PIXELS, SIDE};

/// Maps values in [-1, 1] to bytes, 0 = background (-1), 255 = ink (+1); NaN becomes 0.
pub fn to_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().map(|&v| if v.is_nan() { 0 } else { ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8 }).collect()
}

/// Tiles `cols × rows` images of 28×28 bytes into one grayscale image with a 1-px gap.
/// Returns `(width, height, pixels)`.
pub fn grid(images: &[u8], cols: usize, rows: usize) -> (usize, usize, Vec<u8>) {
    let gap = 1;
    let (w, h) = (cols * (SIDE + gap) + gap, rows * (SIDE + gap) + gap);
    let mut out = vec![40u8; w * h];
    for (i, img) in images.chunks_exact(PIXELS).take(cols * rows).enumerate() {
        let (ox, oy) = (gap + (i % cols) * (SIDE + gap), gap + (i / cols) * (SIDE + gap));
        for y in 0..SIDE {
            out[(oy + y) * w + ox..(oy + y) * w + ox + SIDE].copy_from_slice(&img[y * SIDE..(y + 1) * SIDE]);
        }
    }
    (w, h, out)
}
