// Autosave cost in headless Chromium (issue 19): per architecture, the bytes one lane's saved run takes,
// the time a save takes on the page (the main thread's share: encoding and CRC; and until IndexedDB has
// committed it), the worker's time to encode a checkpoint, and steps/s with saves (one every
// `--every` seconds, far more often than the default 30 s) against without, in alternating segments of
// one page. Usage: node bench/autosave.mjs [--arch mlp,dcgan] [--batch 64] [--seconds 15] [--every 5]
// With `--plane nonsaturating,lsgan` the 2-D mode instead (those lanes on the ring; the record holds
// every lane). Needs `make dist` first. Prints figures, not pass/fail.
import { parseArgs } from 'node:util';
import { launch, open, waitForStatus, status } from '../tests/browser/harness.mjs';

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'mlp,dcgan' },
    batch: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '15' },
    every: { type: 'string', default: '5' },
    plane: { type: 'string' },
    segments: { type: 'string', default: '4' },
  },
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = await launch();
try {
  const targets = values.plane
    ? [{ name: `2-D ${values.plane}`, lanes: values.plane.split(',').length, path: `?dataset=ring&lanes=${values.plane}&batch=${values.batch}&test=1&autosave=3600`, snapshotEvery: 50 }]
    : values.arch.split(',').map((arch) => ({ name: arch, lanes: 1, path: `?backend=cpu&arch=${arch}&batch=${values.batch}&test=1&autosave=3600`, snapshotEvery: arch === 'dcgan' ? 5 : 50 }));
  for (const { name, lanes, path, snapshotEvery } of targets) {
    const { page } = await open(env, path);
    await waitForStatus(page, (s) => s.ready && s.lanes.length === lanes, 120_000, 'ready');
    // Frequent snapshots in both halves, so every save has a new checkpoint to write (the snapshot costs the same either way).
    await page.evaluate((n) => window.ganPlayground.setSnapshotEvery(n), snapshotEvery);
    await page.evaluate(() => window.ganPlayground.play());
    await waitForStatus(page, (s) => s.lanes[0].checkpointStep !== null, 600_000, 'a first checkpoint');
    const rates = { on: [], off: [] };
    const saves = [];
    for (let i = 0; i < Number(values.segments); i++) {
      const mode = i % 2 === 0 ? 'off' : 'on';
      const a = await status(page);
      const t0 = Date.now();
      while (Date.now() - t0 < Number(values.seconds) * 1000) {
        const wait = Math.min(Number(values.every) * 1000, Number(values.seconds) * 1000 - (Date.now() - t0));
        await page.waitForTimeout(Math.max(0, wait));
        if (mode === 'on') saves.push(await page.evaluate(() => window.ganPlaygroundTest.autosaveNow()));
      }
      const b = await status(page);
      rates[mode].push((b.lanes[0].step - a.lanes[0].step) / ((Date.now() - t0) / 1000));
    }
    await page.evaluate(() => window.ganPlayground.pause());
    const checkpointBytes = await page.evaluate(() => { const st = window.ganPlaygroundTest.state(); return (st.plane ?? st).lanes[0].checkpoint.bytes.length; });
    const worker = [];
    for (let i = 0; i < 3; i++) {
      worker.push(await page.evaluate(async () => { const t = performance.now(); await window.ganPlayground.saveCheckpoint(0); return performance.now() - t; }));
    }
    const ok = saves.filter((s) => s.saved);
    const on = rates.on.reduce((x, y) => x + y, 0) / rates.on.length;
    const off = rates.off.reduce((x, y) => x + y, 0) / rates.off.length;
    console.log(`${name} batch ${values.batch}: record ${(median(ok.map((s) => s.bytes)) / lanes / 1e6).toFixed(2)} MB per lane (lane 1's checkpoint ${(checkpointBytes / 1e6).toFixed(2)} MB); ` +
      `page save ${median(ok.map((s) => s.syncMs)).toFixed(0)} ms on the main thread, ${median(ok.map((s) => s.ms)).toFixed(0)} ms until committed (median of ${ok.length}); ` +
      `worker checkpoint encode ${median(worker).toFixed(0)} ms (saveCheckpoint${values.plane ? ', as the worker sends each lane every 2 s while training' : ', not used by autosave'}); ` +
      `steps/s off ${off.toFixed(2)} [${rates.off.map((r) => r.toFixed(2)).join(', ')}], with a save every ${values.every} s ${on.toFixed(2)} [${rates.on.map((r) => r.toFixed(2)).join(', ')}]: ${(((on - off) / off) * 100).toFixed(1)} %`);
    await page.close();
  }
} finally {
  await env.close();
}
