// Sample rendering: draws the generator's fixed-batch images as an 8 × 8 grid on a canvas.

const SIDE = 28;

/** Draws `pixels` (n × 784 bytes, 0 = background, 255 = ink) as a `cols`-wide grid, white ink on black. */
export function drawGrid(canvas, pixels, cols = 8) {
  const n = Math.floor(pixels.length / (SIDE * SIDE));
  const rows = Math.ceil(n / cols);
  canvas.width = cols * SIDE;
  canvas.height = rows * SIDE;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < n; i++) {
    const ox = (i % cols) * SIDE;
    const oy = Math.floor(i / cols) * SIDE;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const v = pixels[i * SIDE * SIDE + y * SIDE + x];
        const o = ((oy + y) * canvas.width + ox + x) * 4;
        image.data[o] = image.data[o + 1] = image.data[o + 2] = v;
        image.data[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}
