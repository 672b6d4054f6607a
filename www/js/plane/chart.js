// Small line charts of the 2-D mode (KL, JS, SWD, losses): one series per lane, a labelled y range.

/** Draws into `canvas` at its displayed size (device pixels), so the text stays crisp at any width. */
export function drawChart(canvas, title, series) {
  const ratio = window.devicePixelRatio || 1;
  const [cw, ch] = [Math.round(canvas.clientWidth * ratio), Math.round(canvas.clientHeight * ratio)];
  if (cw > 0 && ch > 0 && (canvas.width !== cw || canvas.height !== ch)) [canvas.width, canvas.height] = [cw, ch];
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  const k = h / 150; // the layout below is for a 150-pixel-high chart
  ctx.clearRect(0, 0, w, h);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const { points } of series) {
    for (const p of points) {
      if (!Number.isFinite(p.y)) continue;
      x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
    }
  }
  ctx.fillStyle = getComputedStyle(canvas).color || '#333';
  ctx.font = `${Math.round(13 * k)}px system-ui, sans-serif`;
  ctx.fillText(title, 6 * k, 15 * k);
  if (!(x1 >= x0)) return 0;
  if (!(y1 > y0)) y1 = y0 + 1e-9;
  const pad = { l: 44 * k, r: 6 * k, t: 22 * k, b: 16 * k };
  const X = (x) => pad.l + ((x - x0) / Math.max(1e-9, x1 - x0)) * (w - pad.l - pad.r);
  const Y = (y) => h - pad.b - ((y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  ctx.fillText(y1.toPrecision(3), 2 * k, pad.t + 8 * k);
  ctx.fillText(y0.toPrecision(3), 2, h - pad.b);
  ctx.fillText(`step ${x1}`, w - 70 * k, h - 3 * k);
  let drawn = 0;
  for (const { color, points } of series) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5 * k;
    ctx.beginPath();
    let first = true;
    for (const p of points) {
      if (!Number.isFinite(p.y)) continue;
      if (first) ctx.moveTo(X(p.x), Y(p.y)); else ctx.lineTo(X(p.x), Y(p.y));
      first = false;
      drawn += 1;
    }
    ctx.stroke();
  }
  return drawn;
}
