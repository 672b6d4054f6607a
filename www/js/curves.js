// Curve arithmetic for the charts, DOM-free: the loss and diagnostic points of a lane's statistics,
// exponential smoothing, and the CSV of every lane's curves.

/** `[step, value]` of `key` ('d_loss' or 'g_loss'); a D-only step has no g loss and a G-only step no d loss. */
export function lossPoints(stats, key) {
  const skip = key === 'd_loss' ? 'g' : 'd';
  return stats.filter((s) => s.phase !== skip).map((s) => [s.step, s[key]]);
}

export function diagnosticPoints(stats, name) {
  return stats.filter((s) => s.diagnostics && name in s.diagnostics).map((s) => [s.step, s.diagnostics[name]]);
}

/**
 * Exponential moving average with weight `alpha` on the past (0: raw), debiased like TensorBoard's so
 * the first points are not pulled towards 0; gaps (null) are kept and do not reset the average.
 */
export function smooth(points, alpha) {
  if (!(alpha > 0)) return points;
  let avg = 0;
  let weight = 0;
  return points.map(([x, y]) => {
    if (!Number.isFinite(y)) return [x, null];
    avg = alpha * avg + (1 - alpha) * y;
    weight = alpha * weight + (1 - alpha);
    return [x, avg / weight];
  });
}

const csvCell = (v) => (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v));

/** One row per lane and recorded step: lane, objective, arch, step, phase, d_loss, g_loss, every diagnostic, fid. */
export function curvesCsv(lanes) {
  const diagnostics = [...new Set(lanes.flatMap((l) => l.curves.stats.flatMap((s) => Object.keys(s.diagnostics ?? {}))))].sort();
  const header = ['lane', 'objective', 'arch', 'step', 'phase', 'd_loss', 'g_loss', ...diagnostics, 'fid', 'classes_covered'];
  const rows = [header.join(',')];
  lanes.forEach((lane, i) => {
    const quality = new Map(lane.curves.quality.map((q) => [q.step, q]));
    const seen = new Set();
    for (const s of lane.curves.stats) {
      const q = quality.get(s.step);
      seen.add(s.step);
      rows.push([i + 1, lane.config?.objective, lane.config?.arch, s.step, s.phase ?? 'both', s.d_loss, s.g_loss,
        ...diagnostics.map((d) => s.diagnostics?.[d]), q?.fid, q?.classesCovered].map(csvCell).join(','));
    }
    for (const q of lane.curves.quality) {
      if (!seen.has(q.step)) rows.push([i + 1, lane.config?.objective, lane.config?.arch, q.step, '', '', '', ...diagnostics.map(() => ''), q.fid, q.classesCovered].map(csvCell).join(','));
    }
  });
  return `${rows.join('\n')}\n`;
}
