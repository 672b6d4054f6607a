// Unit tests of www/js/timelapse.js in node: frame store thinning and lookup, frame composition, GIF bytes.
// timelapse.js imports gifenc from www/vendor/, which `make dist` (or `make www/vendor/gifenc.esm.js`) fills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { parseGif } from './gif.mjs';

const VENDORED = new URL('../../www/vendor/gifenc.esm.js', import.meta.url);
if (!existsSync(VENDORED)) throw new Error('www/vendor/gifenc.esm.js is missing: run `make www/vendor/gifenc.esm.js` (or `make dist`) first');
const { TimeLapse, composeFrame, encodeGif, createGifWriter } = await import('../../www/js/timelapse.js');

const GRID = 64 * 784;
const grid = (fill) => new Uint8Array(GRID).fill(fill);
const stepsOf = (tl, lane) => tl.frames(lane).map((f) => f.step);

test('a lane records its first frame, then one every `every` steps; setEvery changes that', () => {
  const tl = new TimeLapse();
  assert.equal(tl.record('a', 37, grid(1)), true, 'the first frame is always kept, whatever its step');
  for (let s = 38; s <= 400; s++) tl.record('a', s, grid(2));
  assert.deepEqual(stepsOf(tl, 'a'), [37, 137, 237, 337]);
  tl.setEvery(10);
  for (let s = 401; s <= 430; s++) tl.record('a', s, grid(3));
  assert.deepEqual(stepsOf(tl, 'a'), [37, 137, 237, 337, 401, 411, 421]);
  assert.throws(() => tl.setEvery(0), RangeError);
  assert.throws(() => tl.setEvery(2.5), RangeError);
});

test('thinning keeps the first and last frames, bounds the frames and keeps them evenly spaced', () => {
  const max = 20;
  const tl = new TimeLapse({ maxFrames: max });
  tl.setEvery(1);
  let peak = 0;
  for (let s = 0; s <= 10_000; s++) {
    tl.record('a', s, grid(s & 255));
    peak = Math.max(peak, tl.frames('a').length);
    const steps = stepsOf(tl, 'a');
    assert.equal(steps[0], 0, `the first frame is kept (step ${s})`);
  }
  assert.ok(peak <= max, `at most ${max} frames held (peak ${peak})`);
  const steps = stepsOf(tl, 'a');
  assert.ok(steps.length >= max / 2, `thinning keeps about half (${steps.length})`);
  // The last frame kept is the newest recorded one, and the spacing is uniform (the stride doubles).
  const gaps = new Set(steps.slice(1).map((s, i) => s - steps[i]));
  assert.equal(gaps.size, 1, `even spacing, got gaps ${[...gaps]}`);
  const stride = [...gaps][0];
  assert.ok(10_000 - steps.at(-1) < stride, 'the newest frame is at most one stride old');
  // Each frame holds its own step's pixels (a copy).
  for (const f of tl.frames('a')) assert.equal(f.pixels[123], f.step & 255);

  // Thinning keeps the very frame that triggered it (the last), not only even indices.
  const odd = new TimeLapse({ maxFrames: 4 });
  odd.setEvery(1);
  for (let s = 0; s <= 4; s++) odd.record('b', s, grid(s));
  assert.deepEqual(stepsOf(odd, 'b'), [0, 2, 4]);
  const even = new TimeLapse({ maxFrames: 5 });
  even.setEvery(1);
  for (let s = 0; s <= 5; s++) even.record('b', s, grid(s));
  assert.deepEqual(stepsOf(even, 'b'), [0, 2, 4, 5]);
});

test('the total memory stays bounded across lanes', () => {
  const tl = new TimeLapse({ maxFrames: 8 });
  tl.setEvery(5);
  for (let s = 0; s < 5000; s++) for (const lane of ['a', 'b', 'c']) tl.record(lane, s, grid(1));
  const bytes = tl.lanes().reduce((sum, id) => sum + tl.frames(id).reduce((n, f) => n + f.pixels.byteLength, 0), 0);
  assert.ok(bytes <= 3 * 8 * GRID, `${bytes} bytes held`);
});

test('frameAt: the latest frame at or before the step, else the first; null for an unknown lane', () => {
  const tl = new TimeLapse();
  for (const s of [100, 200, 300, 400, 500]) tl.record('a', s, grid(s / 100));
  const at = (step) => tl.frameAt('a', step).step;
  assert.equal(at(0), 100, 'before the first frame: the first');
  assert.equal(at(100), 100);
  assert.equal(at(299), 200);
  assert.equal(at(300), 300);
  assert.equal(at(450), 400);
  assert.equal(at(1e9), 500);
  assert.equal(tl.frameAt('a', 250).pixels[0], 2);
  assert.equal(tl.frameAt('nobody', 100), null);
  tl.record('one', 7, grid(9));
  assert.equal(tl.frameAt('one', 0).step, 7);
  assert.equal(tl.frameAt('one', 8).step, 7);
});

test('steps() is the sorted union; clearLane, removeLane, lanes(), latest()', () => {
  const tl = new TimeLapse();
  tl.record('b', 50, grid(1));
  tl.record('a', 0, grid(1));
  tl.record('a', 100, grid(1));
  tl.record('b', 150, grid(1));
  tl.record('b', 170, grid(5)); // not a frame (within the stride) but the latest grid
  assert.deepEqual(tl.steps(), [0, 50, 100, 150]);
  assert.deepEqual(tl.lanes(), ['b', 'a']);
  assert.equal(tl.latest('b').step, 170);
  assert.equal(tl.latest('b').pixels[0], 5);
  tl.clearLane('b');
  assert.deepEqual(tl.lanes(), ['b', 'a']);
  assert.deepEqual(tl.steps(), [0, 100]);
  assert.equal(tl.frameAt('b', 100), null);
  assert.equal(tl.latest('b'), null);
  assert.equal(tl.record('b', 900, grid(1)), true, 'a cleared lane starts again with a kept frame');
  tl.removeLane('a');
  assert.deepEqual(tl.lanes(), ['b']);
  assert.deepEqual(tl.steps(), [900]);
});

test('a rollback (a step at or before the last frame) drops the later frames; pixels are copied', () => {
  const tl = new TimeLapse();
  for (const s of [0, 100, 200, 300]) tl.record('a', s, grid(1));
  assert.equal(tl.record('a', 150, grid(7)), true);
  assert.deepEqual(stepsOf(tl, 'a'), [0, 100, 150]);
  tl.record('a', 100, grid(8));
  assert.deepEqual(stepsOf(tl, 'a'), [0, 100]);
  assert.equal(tl.frameAt('a', 100).pixels[0], 8);
  const source = grid(3);
  tl.record('a', 400, source);
  source.fill(99);
  assert.equal(tl.frameAt('a', 400).pixels[0], 3, 'the stored frame does not alias the caller\'s buffer');
});

const px = (frame, x, y) => frame.rgba[(y * frame.width + x) * 4];

test('composeFrame: dimensions and where a known pixel lands', () => {
  const a = new Uint8Array(GRID);
  const b = new Uint8Array(GRID);
  b[9 * 784 + 3 * 28 + 5] = 200; // image 9 (row 1, column 1), pixel x = 5, y = 3
  const frame = composeFrame([{ pixels: a, label: 'A' }, { pixels: b, label: 'B' }], { scale: 2, gap: 8, labelHeight: 10 });
  assert.equal(frame.width, 2 * 8 * 28 * 2 + 8);
  assert.equal(frame.height, 10 + 8 * 28 * 2);
  assert.equal(frame.rgba.length, frame.width * frame.height * 4);
  const x = 8 * 28 * 2 + 8 + (28 + 5) * 2;
  const y = 10 + (28 + 3) * 2;
  for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
    assert.equal(px(frame, x + dx, y + dy), 200, `pixel (${x + dx}, ${y + dy})`);
    assert.deepEqual([...frame.rgba.subarray(((y + dy) * frame.width + x + dx) * 4, ((y + dy) * frame.width + x + dx) * 4 + 4)], [200, 200, 200, 255]);
  }
  for (const [dx, dy] of [[-1, 0], [2, 0], [0, -1], [0, 2]]) assert.equal(px(frame, x + dx, y + dy), 0, 'the neighbours stay black');
  let ink = 0;
  for (let i = 0; i < frame.rgba.length; i += 4) if (frame.rgba[i] === 200) ink += 1;
  assert.equal(ink, 4, 'exactly one scaled pixel is lit');
  assert.ok(px(frame, 8 * 28 * 2 + 3, 100) > 0, 'the gap between lanes is grey, not black');
  assert.ok(px(frame, 5, 5) > 0, 'the label band is grey');
  assert.equal(frame.rgba[3], 255, 'opaque');
  assert.deepEqual(frame.labels.map((l) => [l.text, l.x, l.y, l.width, l.height]), [['A', 0, 0, 448, 10], ['B', 456, 0, 448, 10]]);

  const single = composeFrame([{ pixels: grid(255) }]);
  assert.deepEqual([single.width, single.height], [224, 224]);
  assert.equal(px(single, 223, 223), 255);
  const empty = composeFrame([{ pixels: null, label: 'no frame yet' }, { pixels: grid(1) }], { gap: 4 });
  assert.deepEqual([empty.width, empty.height], [452, 224]);
  assert.equal(px(empty, 10, 10), 0, 'a lane without a frame is an empty black grid');
  const few = composeFrame([{ pixels: new Uint8Array(3 * 784).fill(9) }], { cols: 2 });
  assert.deepEqual([few.width, few.height], [56, 56]);
  assert.equal(px(few, 40, 40), 0, 'the missing fourth image is black');
  assert.equal(px(few, 10, 40), 9);
});

test('encodeGif: GIF89a, one image descriptor per frame, the delay, exact grey pixels, the 0x3B trailer', () => {
  const frames = [0, 1, 2].map((k) => {
    const pixels = new Uint8Array(GRID);
    pixels[k * 784 + 100] = 255;
    pixels[5000] = 17 * (k + 1);
    return composeFrame([{ pixels }, { pixels: grid(k) }], { labelHeight: 18 });
  });
  const bytes = encodeGif(frames, { delayMs: 150 });
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(String.fromCharCode(...bytes.subarray(0, 6)), 'GIF89a');
  assert.equal(bytes.at(-1), 0x3b);
  const gif = parseGif(bytes);
  assert.equal(gif.trailer, bytes.length - 1, 'the trailer ends the blocks');
  assert.deepEqual([gif.width, gif.height], [frames[0].width, frames[0].height]);
  assert.equal(gif.frames.length, 3, 'one image descriptor (0x2C) per frame');
  assert.equal(gif.loop, 0, 'loops forever');
  for (const [k, f] of gif.frames.entries()) {
    assert.equal(f.delayCs, 15);
    const grey = Uint8Array.from(f.indices, (i) => f.palette[i][0]);
    const source = Uint8Array.from({ length: grey.length }, (_, p) => frames[k].rgba[p * 4]);
    assert.deepEqual(grey, source, `frame ${k} decodes to its source greys`);
  }
  assert.throws(() => encodeGif([]), RangeError);
  assert.throws(() => encodeGif([frames[0], composeFrame([{ pixels: grid(0) }])]), RangeError, 'frames of another size are refused');
});

test('encodeGif: a coloured frame goes through the quantizer', () => {
  const width = 4;
  const height = 2;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
  for (let p = 0; p < width * height; p++) rgba.set([...colours[p % 4], 255], p * 4);
  const writer = createGifWriter({ delayMs: 40 });
  writer.add({ width, height, rgba });
  writer.add({ width, height, rgba });
  assert.equal(writer.count, 2);
  const gif = parseGif(writer.finish());
  assert.equal(gif.frames.length, 2);
  assert.equal(gif.frames[0].delayCs, 4);
  const decoded = [...gif.frames[0].indices].map((i) => gif.frames[0].palette[i]);
  decoded.forEach((c, p) => c.forEach((v, ch) => assert.ok(Math.abs(v - colours[p % 4][ch]) <= 8, `pixel ${p} channel ${ch}: ${v}`)));
});
