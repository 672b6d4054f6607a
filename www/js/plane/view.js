// The plane view of one lane: D's score as a heatmap, real and fake points, G's gradient arrows and
// the manifold mesh, each a toggleable layer; and the heatmap's labelled colour scale. Canvas only.

/** Plane coordinates of the view: [-EXTENT, EXTENT]² (src/plane/data.rs). */
export const EXTENT = 1.25;
/** Colours: real (green) and fake (purple) as in GAN Lab; InfoGAN's categories. */
export const REAL = '#2e9e44';
export const FAKE = '#8e44ad';
const CATEGORY = ['#d9534f', '#2a7ae2', '#2e9e44', '#e6a117', '#9b59b6', '#17a2b8', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
/** Longest gradient arrow, in plane units. */
const ARROW = 0.15;

const LOW = [142, 68, 173];
const MID = [246, 246, 246];
const HIGH = [46, 158, 68];
/** t in [0, 1] (1 = looks real to D) → rgb. */
export function colour(t) {
  const c = Math.min(1, Math.max(0, t));
  const [a, b, u] = c < 0.5 ? [LOW, MID, c * 2] : [MID, HIGH, c * 2 - 1];
  return a.map((x, i) => Math.round(x + (b[i] - x) * u));
}
/** `colour` at 256 levels, rgb triples: the heatmap looks its 4096 cells up on every frame. */
const LEVELS = 256;
const PALETTE = Uint8Array.from({ length: 3 * LEVELS }, (_, k) => colour(Math.floor(k / 3) / (LEVELS - 1))[k % 3]);

/**
 * How heat values map to colours for an objective's score (`ObjectiveInfo.d_score`): a bounded
 * probability keeps its range, other scores use the heatmap's own; energies are low for real points.
 */
export function scaleOf(score, heat) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of heat) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const bounded = score?.lo === 0 && score?.hi === 1;
  if (bounded) [lo, hi] = [0, 1];
  if (!(hi > lo)) hi = lo + 1e-6;
  const lowIsReal = /low = real/.test(score?.label ?? '');
  return { lo, hi, lowIsReal, label: score?.label ?? 'D(x)', t: (v) => { const u = (v - lo) / (hi - lo); return lowIsReal ? 1 - u : u; } };
}

export function createPlaneView(canvas, cells) {
  const heat = document.createElement('canvas');
  heat.width = cells;
  heat.height = cells;
  const hctx = heat.getContext('2d');
  const image = hctx.createImageData(cells, cells);
  const ctx = canvas.getContext('2d');

  const toPx = (x, y, s) => [((x + EXTENT) / (2 * EXTENT)) * s, ((EXTENT - y) / (2 * EXTENT)) * s];

  function dots(points, s, color, colors = null) {
    for (let i = 0; i < points.length / 2; i++) {
      const [px, py] = toPx(points[2 * i], points[2 * i + 1], s);
      ctx.fillStyle = colors ? CATEGORY[colors[i] % CATEGORY.length] : color;
      ctx.fillRect(px - 1.5, py - 1.5, 3, 3);
    }
  }

  /** Draws `view` (a `PlaneLane.view()`), the drawn points `extra` and the enabled `layers`; returns the scale used. */
  function draw(view, { layers, score, extra = [] }) {
    // Drawn at the displayed size (device pixels) when the canvas is on the page.
    const side = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1));
    if (side > 0 && canvas.width !== side) canvas.width = canvas.height = side;
    const s = canvas.width;
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(0, 0, s, s);
    let scale = null;
    if (view && layers.heatmap) {
      scale = scaleOf(score, view.heat);
      const px = image.data;
      for (let j = 0; j < cells; j++) {
        for (let i = 0; i < cells; i++) {
          const t = Math.min(1, Math.max(0, scale.t(view.heat[j * cells + i])));
          const c = 3 * Math.round(t * (LEVELS - 1)) || 0;
          const o = ((cells - 1 - j) * cells + i) * 4;
          px[o] = PALETTE[c];
          px[o + 1] = PALETTE[c + 1];
          px[o + 2] = PALETTE[c + 2];
          px[o + 3] = 255;
        }
      }
      hctx.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(heat, 0, 0, s, s);
    }
    if (view && layers.manifold) {
      const { meshRows: rows, meshCols: cols, manifold: m } = view;
      ctx.strokeStyle = 'rgba(60, 60, 60, 0.45)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      const at = (r, c) => toPx(m[2 * (r * cols + c)], m[2 * (r * cols + c) + 1], s);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
        const [x, y] = at(r, c);
        if (c > 0) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      }
      for (let c = 0; rows > 1 && c < cols; c++) for (let r = 0; r < rows; r++) {
        const [x, y] = at(r, c);
        if (r > 0) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      }
      ctx.stroke();
    }
    if (view && layers.real) dots(view.real, s, REAL);
    if (extra.length) dots(extra.flat(), s, '#222');
    if (view && layers.fake) dots(view.fake, s, FAKE, view.categories.length ? view.categories : null);
    if (view && layers.arrows) {
      const a = view.arrows;
      let max = 0;
      for (let i = 0; i < a.length / 2; i++) max = Math.max(max, Math.hypot(a[2 * i], a[2 * i + 1]));
      const k = max > 0 ? ARROW / max : 0;
      ctx.strokeStyle = 'rgba(30, 30, 30, 0.6)';
      ctx.beginPath();
      for (let i = 0; i < a.length / 2; i += 2) {
        const [x0, y0] = toPx(view.fake[2 * i], view.fake[2 * i + 1], s);
        const [x1, y1] = toPx(view.fake[2 * i] + k * a[2 * i], view.fake[2 * i + 1] + k * a[2 * i + 1], s);
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
      }
      ctx.stroke();
      scale = scale ?? {};
      scale.arrowMax = max;
    }
    return scale;
  }

  return { draw, toPlane: (px, py) => [(px / canvas.clientWidth) * 2 * EXTENT - EXTENT, EXTENT - (py / canvas.clientHeight) * 2 * EXTENT] };
}

/** Paints the colour bar of a scale (left = fake-looking, right = real-looking). */
export function drawScaleBar(canvas) {
  const ctx = canvas.getContext('2d');
  for (let x = 0; x < canvas.width; x++) {
    const [r, g, b] = colour(x / (canvas.width - 1));
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(x, 0, 1, canvas.height);
  }
}
