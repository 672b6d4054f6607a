// The time-lapse controls: scrubber, live and replay buttons, GIF/WebM/PNG export and downloads (re-exported by timelapse.js).
import { composeFrame, createGifWriter, recordWebm, webmSupported } from './timelapse.js';

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const nextTask = () => sleep(0);

function element(tag, props = {}, text) {
  const el = Object.assign(document.createElement(tag), props);
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Saves `blob` as `name` through a temporary <a download> and an object URL. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = element('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Builds the time-lapse controls inside `container` for `timelapse` (a TimeLapse):
 *   #timelapse-scrub (input type=range over timelapse.steps()), #timelapse-step (output "step N" or
 *   "live"), #timelapse-live, #timelapse-replay, #timelapse-gif, #timelapse-webm (only where WebM
 *   recording works), #timelapse-png, #timelapse-status (progress and errors, role=status).
 * Options: `draw(step)`: the page redraws every lane's grid at that step (timelapse.frameAt);
 * `lanesInfo()`: [{id, label, pixels?, step?}] in display order, `pixels`/`step` the lane's live grid
 * (else timelapse.latest(id) is used for a live PNG); `onLive()`: the page returns to live grids.
 * `delayMs` (GIF frame time, 150), `fps` (WebM, 8), `scale` ({gif: 1, webm: 2, png: 2}).
 * `renderFrame(canvas, step, scale)` (optional) draws the exported picture at `step` (null: live) into
 * `canvas`, resizing it, and returns {width, height}; by default the lanes' sample grids side by side.
 * Returns {refresh() after new frames, scrubbing() true while the past (or a replay) is shown,
 * exportGif(), exportWebm(), exportPng() (resolve to the bytes / Blob, or null when there is nothing to
 * export; {download: true} also saves the file, as the buttons do), replay(), stopReplay(), goLive()}.
 */
export function setupTimelapse(container, timelapse, { draw, lanesInfo, onLive, delayMs = 150, fps = 8, scale = {}, renderFrame = null } = {}) {
  const scales = { gif: 1, webm: 2, png: 2, ...scale };
  const root = element('div', { className: 'timelapse' });
  const scrub = element('input', { type: 'range', id: 'timelapse-scrub', className: 'timelapse-scrub', min: 0, max: 0, step: 1, value: 0, disabled: true });
  scrub.setAttribute('aria-label', 'time-lapse step');
  const output = element('output', { id: 'timelapse-step', className: 'timelapse-step' }, 'live');
  output.htmlFor = 'timelapse-scrub';
  const liveButton = element('button', { type: 'button', id: 'timelapse-live', className: 'timelapse-live', title: 'Back to the live grids' }, 'Live');
  const replayButton = element('button', { type: 'button', id: 'timelapse-replay', className: 'timelapse-replay', title: 'Play the recorded frames' }, 'Replay');
  const gifButton = element('button', { type: 'button', id: 'timelapse-gif', className: 'timelapse-export', title: 'Download the time-lapse as an animated GIF' }, 'GIF');
  const webmButton = webmSupported()
    ? element('button', { type: 'button', id: 'timelapse-webm', className: 'timelapse-export', title: 'Download the time-lapse as a WebM video' }, 'WebM')
    : null;
  const pngButton = element('button', { type: 'button', id: 'timelapse-png', className: 'timelapse-export', title: 'Download the grids shown now as a PNG' }, 'PNG');
  const status = element('span', { id: 'timelapse-status', className: 'timelapse-status' });
  status.setAttribute('role', 'status');
  root.append(scrub, output, liveButton, replayButton, gifButton, ...(webmButton ? [webmButton] : []), pngButton, status);
  container.append(root);

  let live = true;
  let shown = null; // the step shown while not live
  let replaying = null; // {stop: boolean} while a replay runs
  let busy = false; // an export is running

  const labelHeight = (s) => 12 + 6 * s;

  /** The tiles at `step`, or the live grids when `step` is null. */
  function tilesAt(step) {
    return lanesInfo().map((lane) => {
      const frame = step == null
        ? (lane.pixels ? { step: lane.step, pixels: lane.pixels } : timelapse.latest(lane.id))
        : timelapse.frameAt(lane.id, step);
      const label = frame?.step == null ? String(lane.label) : `${lane.label} · step ${frame.step}`;
      return { pixels: frame?.pixels ?? null, label };
    });
  }

  /** Draws the composed grids at `step` (null: live) with their labels into `canvas` (resized). */
  function renderGrids(canvas, step, s) {
    const frame = composeFrame(tilesAt(step), { scale: s, labelHeight: labelHeight(s) });
    if (canvas.width !== frame.width) canvas.width = frame.width;
    if (canvas.height !== frame.height) canvas.height = frame.height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.putImageData(new ImageData(frame.rgba, frame.width, frame.height), 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.font = `${Math.round(labelHeight(s) * 0.6)}px sans-serif`;
    ctx.textBaseline = 'middle';
    for (const l of frame.labels) ctx.fillText(l.text, l.x + 3, l.y + l.height / 2, Math.max(1, l.width - 6));
    return frame;
  }

  const render = renderFrame ?? renderGrids;

  const liveStep = () => Math.max(-Infinity, ...lanesInfo().map((l) => l.step ?? timelapse.latest(l.id)?.step ?? -Infinity));
  const stepName = (step) => (Number.isFinite(step) ? `step${step}` : 'live');

  function update() {
    const steps = timelapse.steps();
    scrub.max = String(Math.max(0, steps.length - 1));
    scrub.disabled = steps.length === 0;
    replayButton.disabled = steps.length === 0;
    gifButton.disabled = busy || steps.length === 0;
    if (webmButton) webmButton.disabled = busy || steps.length === 0;
    pngButton.disabled = busy;
    liveButton.disabled = live;
    if (live) {
      scrub.value = scrub.max;
      output.textContent = 'live';
    } else {
      let i = 0;
      while (i + 1 < steps.length && steps[i + 1] <= shown) i += 1;
      scrub.value = String(i);
      output.textContent = `step ${shown}`;
    }
  }

  function show(step) {
    live = false;
    shown = step;
    draw(step);
    update();
  }

  function stopReplay() {
    if (replaying) replaying.stop = true;
    replaying = null;
    replayButton.textContent = 'Replay';
    replayButton.setAttribute('aria-pressed', 'false');
  }

  function goLive() {
    stopReplay();
    live = true;
    shown = null;
    onLive();
    update();
  }

  async function replay() {
    stopReplay();
    const run = { stop: false };
    replaying = run;
    replayButton.textContent = 'Stop';
    replayButton.setAttribute('aria-pressed', 'true');
    const wasLive = live;
    for (let i = 0; i < timelapse.steps().length; i++) {
      if (run.stop) return;
      show(timelapse.steps()[i]);
      await sleep(delayMs);
    }
    if (run.stop) return;
    stopReplay();
    if (wasLive) goLive();
  }

  async function exclusive(label, job) {
    if (busy) return null;
    busy = true;
    update();
    status.textContent = label;
    try {
      const result = await job();
      status.textContent = '';
      return result;
    } catch (err) {
      status.textContent = `${label.replace(/…$/, '')} failed: ${err?.message ?? err}`;
      throw err;
    } finally {
      busy = false;
      update();
    }
  }

  function exportGif({ download: save = false } = {}) {
    const steps = timelapse.steps();
    if (steps.length === 0) return Promise.resolve(null);
    return exclusive('encoding GIF…', async () => {
      const canvas = element('canvas');
      const writer = createGifWriter({ delayMs });
      for (const step of steps) {
        const { width, height } = render(canvas, step, scales.gif);
        writer.add({ width, height, rgba: canvas.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, width, height).data });
        await nextTask(); // keeps the page responsive between frames
      }
      const bytes = writer.finish();
      if (save) download(new Blob([bytes], { type: 'image/gif' }), `gan-playground-${stepName(steps.at(-1))}.gif`);
      return bytes;
    });
  }

  function exportWebm({ download: save = false } = {}) {
    const steps = timelapse.steps();
    if (steps.length === 0 || !webmSupported()) return Promise.resolve(null);
    return exclusive(`recording WebM (${Math.ceil(steps.length / fps)} s)…`, async () => {
      const canvas = element('canvas');
      const blob = await recordWebm(canvas, (i) => { render(canvas, steps[i], scales.webm); }, steps.length, { fps });
      if (save) download(blob, `gan-playground-${stepName(steps.at(-1))}.webm`);
      return blob;
    });
  }

  function exportPng({ download: save = false } = {}) {
    return exclusive('saving PNG…', async () => {
      const step = live ? null : shown;
      const canvas = element('canvas');
      render(canvas, step, scales.png);
      const blob = await new Promise((resolve, reject) => {
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png');
      });
      if (save) download(blob, `gan-playground-${stepName(step ?? liveStep())}.png`);
      return blob;
    });
  }

  scrub.addEventListener('input', () => {
    stopReplay();
    const steps = timelapse.steps();
    const step = steps[Number(scrub.value)];
    if (step !== undefined) show(step);
  });
  liveButton.addEventListener('click', goLive);
  replayButton.addEventListener('click', () => (replaying ? stopReplay() : replay()));
  // Errors show in #timelapse-status; the rejected promise is handled here.
  const onClick = (fn) => () => fn({ download: true }).catch(() => {});
  gifButton.addEventListener('click', onClick(exportGif));
  webmButton?.addEventListener('click', onClick(exportWebm));
  pngButton.addEventListener('click', onClick(exportPng));
  update();

  return {
    refresh: update,
    scrubbing: () => !live,
    exportGif,
    exportWebm,
    exportPng,
    replay,
    stopReplay,
    goLive,
    element: root,
  };
}
