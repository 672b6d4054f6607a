// Latent interpolation: the selected lane's generator along the great circle between two fixed z of the
// sample grid, as a strip of frames and an animation that plays them back and forth, redrawn live.
import { drawGrid } from './samples.js';

const $ = (id) => document.getElementById(id);
/** Frames of the strip. */
export const FRAMES = 12;
const FRAME_MS = 120;
/** Fixed z vectors of the sample grid. */
const GRID = 64;

/** `request(lane, view)` asks the worker for lane `lane`'s strip; `view` is `{a, b, frames}` or null. Returns `{show(lane, n), draw(msg)}`. */
export function setupInterpolation(request) {
  let lane = null;
  let frames = null;
  let timer = null;
  const on = $('interp-on');
  /** The endpoints, or null (with the message at the fields) when one is not a fixed z index. */
  const view = () => {
    const bad = [];
    const read = (id) => {
      const input = $(id);
      const v = input.value.trim() === '' ? NaN : Number(input.value);
      const ok = Number.isInteger(v) && v >= 0 && v <= GRID - 1;
      if (ok) input.removeAttribute('aria-invalid');
      else {
        input.setAttribute('aria-invalid', 'true');
        bad.push(input.value);
      }
      return v;
    };
    const a = read('interp-a');
    const b = read('interp-b');
    $('interp-error').textContent = bad.length ? `a fixed z index is a whole number from 0 to ${GRID - 1}; got ${JSON.stringify(bad[0]).slice(0, 20)}` : '';
    return bad.length ? null : { a, b, frames: FRAMES };
  };
  // The strip and the animation are hidden until "show" is ticked (nothing is drawn before).
  const reveal = () => {
    for (const id of ['interp-strip', 'interp-frame']) $(id).hidden = !on.checked;
  };
  reveal();
  const update = () => {
    reveal();
    if (lane === null) return;
    const v = on.checked ? view() : null;
    if (on.checked && !v) return; // keeps the strip of the last valid endpoints
    request(lane, v);
    if (!on.checked) stop();
  };
  for (const id of ['interp-a', 'interp-b']) $(id).addEventListener('change', update);
  on.addEventListener('change', update);

  function stop() {
    clearInterval(timer);
    timer = null;
    frames = null;
  }

  /** Plays the frames forth and back on the single-frame canvas. */
  function animate() {
    if (timer) return;
    let t = 0;
    timer = setInterval(() => {
      if (!frames) return;
      const n = frames.count;
      const t2 = t % (2 * n - 2);
      const i = t2 < n ? t2 : 2 * n - 2 - t2; // forth, then back
      drawGrid($('interp-frame'), frames.pixels.subarray(i * 784, (i + 1) * 784), 1);
      t++;
    }, FRAME_MS);
  }

  return {
    show(id, n) {
      $('interp-lane').textContent = `(lane ${n})`;
      if (lane !== null && lane !== id) request(lane, null);
      lane = id;
      update();
    },
    draw(msg) {
      if (!on.checked) return;
      frames = { pixels: msg.pixels, count: msg.frames };
      drawGrid($('interp-strip'), msg.pixels, msg.frames);
      animate();
    },
  };
}
