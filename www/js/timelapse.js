// Time-lapse of each lane's fixed-z sample grid: bounded frame store, DOM-free composition, GIF (gifenc) and WebM export.
import { GIFEncoder, quantize, applyPalette } from '../vendor/gifenc.esm.js';


const SIDE = 28;
const IMAGE = SIDE * SIDE;
/** Grey of the gaps between lanes and of the label bands, so that black grids stay apart. */
const GAP_GREY = 48;

/**
 * Per-lane frames of the sample grid, bounded in memory. A lane records a frame when its step is at
 * least `stride` past its last frame (its first frame always); `stride` starts at `every` (setEvery,
 * default 100 generator steps) and doubles each time the lane's frames are thinned, so that after
 * thinning the frames stay evenly spaced. Past `maxFrames` a lane drops every other frame, keeping its
 * first and last. A step at or before the lane's last frame (a rollback or restore) drops the frames
 * from that step on and records it. `latest(laneId)` keeps the newest grid whether recorded or not.
 */
export class TimeLapse {
  constructor({ maxFrames = 120 } = {}) {
    if (!Number.isInteger(maxFrames) || maxFrames < 2) throw new RangeError(`TimeLapse: maxFrames must be an integer ≥ 2, got ${maxFrames}`);
    this.maxFrames = maxFrames;
    this.every = 100;
    this.byLane = new Map();
  }

  /** Records only every `k` generator steps from now on (k a positive integer). */
  setEvery(k) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`TimeLapse.setEvery: need a positive integer, got ${k}`);
    this.every = k;
    for (const lane of this.byLane.values()) lane.stride = k * 2 ** lane.thinned;
  }

  lane(laneId) {
    let lane = this.byLane.get(laneId);
    if (!lane) {
      lane = { frames: [], thinned: 0, stride: this.every, latest: null };
      this.byLane.set(laneId, lane);
    }
    return lane;
  }

  /** Offers lane `laneId`'s grid at generator `step` (`pixels`: n × 784 bytes, copied). True if kept as a frame. */
  record(laneId, step, pixels) {
    const lane = this.lane(laneId);
    const copy = Uint8Array.from(pixels);
    lane.latest = { step, pixels: copy };
    const frames = lane.frames;
    const last = frames.at(-1);
    if (last && step <= last.step) {
      const keep = frames.findIndex((f) => f.step >= step);
      frames.length = keep;
      if (frames.length === 0) lane.thinned = 0;
      lane.stride = this.every * 2 ** lane.thinned;
    } else if (last && step - last.step < lane.stride) {
      return false;
    }
    frames.push({ step, pixels: copy });
    if (frames.length > this.maxFrames) {
      lane.frames = frames.filter((_, i) => i % 2 === 0 || i === frames.length - 1);
      lane.thinned += 1;
      lane.stride = this.every * 2 ** lane.thinned;
    }
    return true;
  }

  /** The lane's latest frame with frame.step ≤ `step`, or its first frame if all are later; null if none. */
  frameAt(laneId, step) {
    const frames = this.byLane.get(laneId)?.frames;
    if (!frames || frames.length === 0) return null;
    let lo = 0;
    let hi = frames.length - 1;
    if (frames[0].step > step) return frames[0];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (frames[mid].step <= step) lo = mid;
      else hi = mid - 1;
    }
    return frames[lo];
  }

  /** The lane's frames ([{step, pixels}], oldest first; do not modify). */
  frames(laneId) {
    return this.byLane.get(laneId)?.frames ?? [];
  }

  /** The newest grid offered for the lane ({step, pixels}), recorded as a frame or not; null if none. */
  latest(laneId) {
    return this.byLane.get(laneId)?.latest ?? null;
  }

  /** Sorted union of every lane's frame steps. */
  steps() {
    const all = new Set();
    for (const lane of this.byLane.values()) for (const f of lane.frames) all.add(f.step);
    return [...all].sort((a, b) => a - b);
  }

  /** Forgets the lane's frames (e.g. a new run); the lane stays listed. */
  clearLane(laneId) {
    const lane = this.byLane.get(laneId);
    if (!lane) return;
    Object.assign(lane, { frames: [], thinned: 0, stride: this.every, latest: null });
  }

  removeLane(laneId) {
    this.byLane.delete(laneId);
  }

  /** Lane ids, in the order they were first recorded. */
  lanes() {
    return [...this.byLane.keys()];
  }
}

/**
 * Places each tile's grid side by side: tile t is `pixels` (n × 784 bytes, 0 = background; null: an
 * empty black grid of 64) drawn as a `cols`-wide grid of 28 × 28 images, white ink on black, each image
 * pixel `scale` × `scale`, with `gap` grey pixels between tiles and a grey band of `labelHeight` pixels
 * above each grid. Returns {width, height, rgba (opaque RGBA), labels: [{text, x, y, width, height}]}:
 * where each tile's label band lies, for a caller with a canvas to write the text into.
 */
export function composeFrame(tiles, { cols = 8, scale = 1, gap = 8, labelHeight = 0 } = {}) {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`composeFrame: scale must be a positive integer, got ${scale}`);
  const counts = tiles.map((t) => (t.pixels ? Math.floor(t.pixels.length / IMAGE) : 64));
  const rows = Math.max(1, ...counts.map((n) => Math.ceil(n / cols)));
  const tileWidth = cols * SIDE * scale;
  const width = Math.max(1, tiles.length * tileWidth + Math.max(0, tiles.length - 1) * gap);
  const height = labelHeight + rows * SIDE * scale;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let o = 0; o < rgba.length; o += 4) {
    rgba[o] = rgba[o + 1] = rgba[o + 2] = GAP_GREY;
    rgba[o + 3] = 255;
  }
  const labels = [];
  tiles.forEach((tile, t) => {
    const x0 = t * (tileWidth + gap);
    labels.push({ text: tile.label ?? '', x: x0, y: 0, width: tileWidth, height: labelHeight });
    // Black under the whole grid (also where a short grid has no images), then the images.
    for (let y = labelHeight; y < height; y++) {
      for (let o = (y * width + x0) * 4, end = o + tileWidth * 4; o < end; o += 4) rgba[o] = rgba[o + 1] = rgba[o + 2] = 0;
    }
    const pixels = tile.pixels;
    if (!pixels) return;
    for (let i = 0; i < counts[t]; i++) {
      const ox = x0 + (i % cols) * SIDE * scale;
      const oy = labelHeight + Math.floor(i / cols) * SIDE * scale;
      for (let y = 0; y < SIDE * scale; y++) {
        const row = i * IMAGE + Math.floor(y / scale) * SIDE;
        let o = ((oy + y) * width + ox) * 4;
        for (let x = 0; x < SIDE * scale; x++, o += 4) {
          const v = pixels[row + Math.floor(x / scale)];
          rgba[o] = rgba[o + 1] = rgba[o + 2] = v;
        }
      }
    }
  });
  return { width, height, rgba, labels };
}

/** 256 greys: a greyscale frame's index is its red channel. */
const GREYS = Array.from({ length: 256 }, (_, i) => [i, i, i]);

function isGrey(rgba) {
  for (let o = 0; o < rgba.length; o += 4) if (rgba[o] !== rgba[o + 1] || rgba[o] !== rgba[o + 2]) return false;
  return true;
}

/**
 * An incremental GIF89a writer (gifenc) for frames of one size: `add({width, height, rgba})` encodes a
 * frame shown `delayMs`, so a long animation never holds more than one raw frame; `finish()` returns
 * the bytes. Greyscale frames use an exact 256-grey palette; others gifenc's quantizer. Loops forever.
 */
export function createGifWriter({ delayMs = 150 } = {}) {
  const gif = GIFEncoder();
  let size = null;
  let count = 0;
  return {
    add({ width, height, rgba }) {
      size ??= { width, height };
      if (width !== size.width || height !== size.height) throw new RangeError(`GIF frame ${count} is ${width}×${height}, the first ${size.width}×${size.height}`);
      if (rgba.length !== width * height * 4) throw new RangeError(`GIF frame ${count} has ${rgba.length} bytes, not ${width * height * 4}`);
      let index;
      let palette;
      if (isGrey(rgba)) {
        palette = GREYS;
        index = new Uint8Array(width * height);
        for (let p = 0; p < index.length; p++) index[p] = rgba[p * 4];
      } else {
        palette = quantize(rgba, 256);
        index = applyPalette(rgba, palette);
      }
      gif.writeFrame(index, width, height, { palette, delay: delayMs, repeat: 0 });
      count += 1;
    },
    get count() {
      return count;
    },
    finish() {
      if (count === 0) throw new RangeError('GIF: no frames');
      gif.finish();
      return gif.bytes();
    },
  };
}

/** Encodes `frames` ([{width, height, rgba}], all one size; any iterable) as a looping GIF89a. */
export function encodeGif(frames, { delayMs = 150 } = {}) {
  const writer = createGifWriter({ delayMs });
  for (const frame of frames) writer.add(frame);
  return writer.finish();
}

/** True where the browser can record a canvas as WebM (canvas.captureStream and MediaRecorder). */
export function webmSupported() {
  return typeof MediaRecorder !== 'undefined' && typeof HTMLCanvasElement !== 'undefined'
    && typeof HTMLCanvasElement.prototype.captureStream === 'function'
    && (typeof MediaRecorder.isTypeSupported !== 'function' || MediaRecorder.isTypeSupported('video/webm'));
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * Records `count` frames of `canvas` as a WebM video: `drawFrame(i)` (may return a promise) draws frame
 * i, which is then held for 1/fps seconds. Resolves to the video Blob ('video/webm'). Recording runs in
 * real time: count / fps seconds.
 */
export async function recordWebm(canvas, drawFrame, count, { fps = 8 } = {}) {
  if (!webmSupported()) throw new Error('recordWebm: this browser cannot record a canvas as WebM');
  const mimeType = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((m) => MediaRecorder.isTypeSupported?.(m)) ?? 'video/webm';
  // captureStream(0) captures only on requestFrame(), so every drawn frame is captured exactly once.
  await drawFrame(0);
  const stream = canvas.captureStream(0);
  const [track] = stream.getVideoTracks();
  const manual = typeof track?.requestFrame === 'function';
  const live = manual ? stream : canvas.captureStream(fps);
  const recorder = new MediaRecorder(live, { mimeType });
  const chunks = [];
  recorder.ondataavailable = (e) => { if (e.data.size > 0) chunks.push(e.data); };
  const stopped = new Promise((resolve, reject) => {
    recorder.onstop = resolve;
    recorder.onerror = (e) => reject(e.error ?? new Error('MediaRecorder error'));
  });
  recorder.start();
  try {
    for (let i = 0; i < count; i++) {
      if (i > 0) await drawFrame(i);
      if (manual) track.requestFrame();
      await sleep(1000 / fps);
    }
  } finally {
    recorder.stop();
    for (const t of live.getTracks()) t.stop();
    if (live !== stream) for (const t of stream.getTracks()) t.stop();
  }
  await stopped;
  return new Blob(chunks, { type: 'video/webm' });
}
