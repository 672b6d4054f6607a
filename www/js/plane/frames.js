// A plane view as one byte array, so the image mode's TimeLapse store (../timelapse.js) keeps 2-D
// frames too: the fakes, arrows, heatmap, manifold and InfoGAN's categories of one view, about 27 kB.
// The real points are the lane's own and do not change, so they are not kept. DOM-free.

/** Time-lapse frames are kept every this many generator steps (doubling as the store thins them). */
export const PLANE_TIMELAPSE_EVERY = 20;

const FIELDS = ['fake', 'arrows', 'heat', 'manifold'];

/** `view` (a PlaneLane view) → bytes: a header of 4 + 4 counts, the float arrays, then the categories. */
export function packView(view) {
  const counts = FIELDS.map((k) => view[k].length);
  const floats = new Float32Array(8 + counts.reduce((a, b) => a + b, 0));
  floats.set([view.meshRows, view.meshCols, view.categories.length, view.step, ...counts]);
  let at = 8;
  for (const k of FIELDS) {
    floats.set(view[k], at);
    at += view[k].length;
  }
  const bytes = new Uint8Array(floats.byteLength + view.categories.length);
  bytes.set(new Uint8Array(floats.buffer));
  bytes.set(view.categories, floats.byteLength);
  return bytes;
}

/** `packView`'s bytes → a view with `real` (the lane's real points, not stored) and no distances. */
export function unpackView(bytes, real) {
  const head = new Float32Array(bytes.buffer, bytes.byteOffset, 8);
  const [meshRows, meshCols, nCat, step, ...counts] = Array.from(head);
  const view = { step, meshRows, meshCols, real, kl: null, js: null, swd: null };
  let at = 8;
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, 8 + counts.reduce((a, b) => a + b, 0));
  FIELDS.forEach((k, i) => {
    view[k] = all.subarray(at, at + counts[i]);
    at += counts[i];
  });
  view.categories = bytes.subarray(4 * at, 4 * at + nCat);
  return view;
}
