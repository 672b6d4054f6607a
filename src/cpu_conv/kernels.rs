//! The data movement around the matrix products of a convolution: patch extraction (im2col), its
//! adjoint (col2im) and swapping the first two axes of a `[A, B, L]` array, on plain `f32` slices.

/// Where a square-strided kernel sits on an image: `channels` maps of `height × width`, a
/// `kernel[0] × kernel[1]` window moved by `stride` over the image padded by `padding` on every side,
/// giving `out_h × out_w` positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: [usize; 2],
    pub stride: usize,
    pub padding: usize,
    pub out_h: usize,
    pub out_w: usize,
}

impl Geometry {
    /// The window positions of a convolution over a `height × width` image; `None` when the kernel
    /// does not fit in the padded image or the stride is zero.
    pub fn new(channels: usize, [height, width]: [usize; 2], kernel: [usize; 2], stride: usize, padding: usize) -> Option<Geometry> {
        let span = |side: usize, k: usize| (side + 2 * padding).checked_sub(k).map(|room| room / stride + 1);
        if stride == 0 {
            return None;
        }
        Some(Geometry { channels, height, width, kernel, stride, padding, out_h: span(height, kernel[0])?, out_w: span(width, kernel[1])? })
    }

    /// Rows of a patch matrix: one per (channel, kernel row, kernel column).
    pub fn patch_len(&self) -> usize {
        self.channels * self.kernel[0] * self.kernel[1]
    }

    /// Window positions per image.
    pub fn positions(&self) -> usize {
        self.out_h * self.out_w
    }

    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// For kernel offset `k` along an axis, the output positions `o` whose input index
    /// `o·stride + k − padding` lies inside `0..side`, as a half-open range.
    fn valid(&self, k: usize, side: usize, out: usize) -> (usize, usize) {
        let s = self.stride;
        // o·s + k ≥ p  ⇔  o ≥ ceil((p − k) / s)
        let lo = self.padding.saturating_sub(k).div_ceil(s);
        // o·s + k − p ≤ side − 1  ⇔  o ≤ (side − 1 + p − k) / s
        let hi = match (side + self.padding).checked_sub(k + 1) {
            Some(top) => (top / s + 1).min(out),
            None => 0,
        };
        (lo.min(hi), hi)
    }
}

/// Runs `f(index, chunk)` on consecutive `len`-sized chunks of `data`: on every core natively and in
/// the browser's `threads` build, in order in the ordinary browser build (one thread).
fn chunks(data: &mut [f32], len: usize, f: impl Fn(usize, &mut [f32]) + Send + Sync) {
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    {
        use rayon::prelude::*;
        data.par_chunks_mut(len).enumerate().for_each(|(i, chunk)| f(i, chunk));
    }
    #[cfg(all(target_arch = "wasm32", not(feature = "threads")))]
    data.chunks_mut(len).enumerate().for_each(|(i, chunk)| f(i, chunk));
}

/// Calls `f(position, pixel)` for every output position of kernel tap `(i, j)` that reads a pixel
/// inside the image (the zero padding is skipped): `position` indexes one image's `out_h × out_w`
/// positions, `pixel` one channel's `height × width` map.
#[inline(always)]
fn for_each_tap(g: &Geometry, i: usize, j: usize, mut f: impl FnMut(usize, usize)) {
    let (oy_lo, oy_hi) = g.valid(i, g.height, g.out_h);
    let (ox_lo, ox_hi) = g.valid(j, g.width, g.out_w);
    for oy in oy_lo..oy_hi {
        let row = (oy * g.stride + i - g.padding) * g.width;
        for ox in ox_lo..ox_hi {
            f(oy * g.out_w + ox, row + ox * g.stride + j - g.padding);
        }
    }
}

/// Patch matrix `[channels·kh·kw, n·out_h·out_w]` of `n` images `[n, channels, height, width]`:
/// row `(c, i, j)`, column `(b, oy, ox)` holds `image[b, c, oy·s + i − p, ox·s + j − p]` (0 outside).
pub fn im2col(images: &[f32], n: usize, g: &Geometry) -> Vec<f32> {
    debug_assert_eq!(images.len(), n * g.image_len());
    let (kh, kw, map) = (g.kernel[0], g.kernel[1], g.height * g.width);
    let mut cols = vec![0.0f32; g.patch_len() * n * g.positions()];
    chunks(&mut cols, n * g.positions(), |r, row| {
        let (c, i, j) = (r / (kh * kw), r / kw % kh, r % kw);
        for (b, out) in row.chunks_mut(g.positions()).enumerate() {
            let image = &images[(b * g.channels + c) * map..][..map];
            for_each_tap(g, i, j, |pos, px| out[pos] = image[px]);
        }
    });
    cols
}

/// The adjoint of [`im2col`]: every patch entry is added back onto the pixel it was read from.
pub fn col2im(cols: &[f32], n: usize, g: &Geometry) -> Vec<f32> {
    debug_assert_eq!(cols.len(), g.patch_len() * n * g.positions());
    let (kh, kw, map, width) = (g.kernel[0], g.kernel[1], g.height * g.width, n * g.positions());
    let mut images = vec![0.0f32; n * g.image_len()];
    chunks(&mut images, g.image_len(), |b, image| {
        for (c, channel) in image.chunks_mut(map).enumerate() {
            for i in 0..kh {
                for j in 0..kw {
                    let row = &cols[((c * kh + i) * kw + j) * width + b * g.positions()..][..g.positions()];
                    for_each_tap(g, i, j, |pos, px| channel[px] += row[pos]);
                }
            }
        }
    });
    images
}

/// `[a, b, len]` → `[b, a, len]`, moving whole rows of `len` values.
pub fn swap_outer(data: &[f32], a: usize, b: usize, len: usize) -> Vec<f32> {
    debug_assert_eq!(data.len(), a * b * len);
    let mut out = vec![0.0f32; data.len()];
    for i in 0..a {
        for j in 0..b {
            let src = (i * b + j) * len;
            let dst = (j * a + i) * len;
            out[dst..dst + len].copy_from_slice(&data[src..src + len]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct definition, one entry at a time.
    fn naive_im2col(images: &[f32], n: usize, g: &Geometry) -> Vec<f32> {
        let cols = n * g.positions();
        let mut out = vec![0.0; g.patch_len() * cols];
        for c in 0..g.channels {
            for i in 0..g.kernel[0] {
                for j in 0..g.kernel[1] {
                    let row = (c * g.kernel[0] + i) * g.kernel[1] + j;
                    for b in 0..n {
                        for oy in 0..g.out_h {
                            for ox in 0..g.out_w {
                                let iy = (oy * g.stride + i) as isize - g.padding as isize;
                                let ix = (ox * g.stride + j) as isize - g.padding as isize;
                                let inside = iy >= 0 && ix >= 0 && (iy as usize) < g.height && (ix as usize) < g.width;
                                let v = if inside { images[((b * g.channels + c) * g.height + iy as usize) * g.width + ix as usize] } else { 0.0 };
                                out[row * cols + b * g.positions() + oy * g.out_w + ox] = v;
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn values(len: usize, seed: u32) -> Vec<f32> {
        (0..len).map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) % 1000) as f32 / 500.0 - 1.0).collect()
    }

    const CASES: [([usize; 2], [usize; 2], usize, usize); 6] =
        [([28, 28], [4, 4], 2, 1), ([7, 7], [4, 4], 2, 1), ([1, 1], [7, 7], 1, 6), ([5, 6], [3, 2], 1, 0), ([6, 5], [3, 3], 3, 2), ([4, 4], [1, 1], 1, 0)];

    #[test]
    fn im2col_matches_the_definition() {
        for (side, kernel, stride, padding) in CASES {
            let g = Geometry::new(3, side, kernel, stride, padding).unwrap();
            let x = values(2 * g.image_len(), 7);
            assert_eq!(im2col(&x, 2, &g), naive_im2col(&x, 2, &g), "{g:?}");
        }
    }

    /// ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ for every x, y: col2im is the adjoint.
    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        for (side, kernel, stride, padding) in CASES {
            let g = Geometry::new(2, side, kernel, stride, padding).unwrap();
            let x = values(3 * g.image_len(), 1);
            let y = values(g.patch_len() * 3 * g.positions(), 2);
            let lhs: f64 = im2col(&x, 3, &g).iter().zip(&y).map(|(a, b)| (*a as f64) * (*b as f64)).sum();
            let rhs: f64 = x.iter().zip(&col2im(&y, 3, &g)).map(|(a, b)| (*a as f64) * (*b as f64)).sum();
            assert!((lhs - rhs).abs() < 1e-6 * lhs.abs().max(1.0), "{g:?}: {lhs} vs {rhs}");
        }
    }

    #[test]
    fn geometry_sizes() {
        let g = Geometry::new(1, [28, 28], [4, 4], 2, 1).unwrap();
        assert_eq!((g.out_h, g.out_w), (14, 14));
        assert!(Geometry::new(1, [2, 2], [5, 5], 1, 1).is_none());
        assert!(Geometry::new(1, [2, 2], [1, 1], 0, 0).is_none());
    }

    #[test]
    fn swap_outer_moves_rows() {
        let x: Vec<f32> = (0..12).map(|v| v as f32).collect();
        assert_eq!(swap_outer(&x, 2, 3, 2), vec![0., 1., 6., 7., 2., 3., 8., 9., 4., 5., 10., 11.]);
    }
}
