// Small line charts of the 2-D mode (KL, JS, SWD, losses): one series per lane, a labelled y range.

export function drawChart(canvas, title, series) {
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const { points } of series) {
    for (const p of points) {
      if (!Number.isFinite(p.y)) continue;
      x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
    }
  }
  ctx.fillStyle = getComputedStyle(canvas).color || '#333';
  ctx.font = `${Math.round(h / 11)}px system-ui, sans-serif`;
  ctx.fillText(title, 6, h / 11 + 2);
  if (!(x1 >= x0)) return 0;
  if (!(y1 > y0)) y1 = y0 + 1e-9;
  const pad = { l: 44, r: 6, t: h / 11 + 8, b: 16 };
  const X = (x) => pad.l + ((x - x0) / Math.max(1e-9, x1 - x0)) * (w - pad.l - pad.r);
  const Y = (y) => h - pad.b - ((y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  ctx.fillText(y1.toPrecision(3), 2, pad.t + 8);
  ctx.fillText(y0.toPrecision(3), 2, h - pad.b);
  ctx.fillText(`step ${x1}`, w - 70, h - 3);
  let drawn = 0;
  for (const { color, points } of series) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
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
