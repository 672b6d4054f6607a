// Latent interpolation: the selected lane's generator along the great circle between two fixed z of the
// sample grid, as a strip of frames and an animation that plays them back and forth, redrawn live.
import { drawGrid } from './samples.js';

const $ = (id) => document.getElementById(id);
/** Frames of the strip. */
export const FRAMES = 12;
const FRAME_MS = 120;

/** `request(lane, view)` asks the worker for lane `lane`'s strip; `view` is `{a, b, frames}` or null. Returns `{show(lane, n), draw(msg)}`. */
export function setupInterpolation(request) {
  let lane = null;
  let frames = null;
  let timer = null;
  const on = $('interp-on');
  const view = () => {
    const clamp = (v) => Math.min(63, Math.max(0, Math.round(Number(v) || 0)));
    return { a: clamp($('interp-a').value), b: clamp($('interp-b').value), frames: FRAMES };
  };
  // The strip and the animation are hidden until "show" is ticked (nothing is drawn before).
  const reveal = () => {
    for (const id of ['interp-strip', 'interp-frame']) $(id).hidden = !on.checked;
  };
  reveal();
  const update = () => {
    reveal();
    if (lane === null) return;
    request(lane, on.checked ? view() : null);
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
