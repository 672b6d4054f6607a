// The 2-D mode's time-lapse: the image mode's controls (../timelapse-ui.js: scrubber, Replay, GIF,
// WebM, PNG) over the plane views the store records (`state.timelapse`, frames packed by frames.js),
// drawn with the page's layers; the export puts every lane's plane side by side under a label band.
import { setupTimelapse } from '../timelapse-ui.js';
import { createPlaneView } from './view.js';
import { unpackView } from './frames.js';

/** Side of one lane's plane in an exported frame, at scale 1 (GIF); WebM and PNG use scale 2. */
const TILE = 200;
const GAP = 8;
const BAND = '#303030';

/**
 * Mounts the controls in `container`. `lanes()`: the page's lanes ([{id, objective, view, color}]);
 * `drawOptions(lane)`: the options the cards draw with ({layers, score, extra}); `redraw()`: the page
 * redraws its cards (they ask `viewAt(lane)` which view to show). Returns the controls plus `viewAt`.
 */
export function setupPlaneTimelapse(container, timelapse, { lanes, drawOptions, redraw, cells }) {
  let shown = null; // the step the cards show while scrubbing; null: live

  /** The view a card shows: the recorded one at the scrubbed step, else the live one. */
  function viewAt(lane, step = shown) {
    if (step === null || !lane.view) return lane.view;
    const frame = timelapse.frameAt(lane.id, step);
    return frame ? unpackView(frame.pixels, lane.view.real) : lane.view;
  }

  const tile = document.createElement('canvas');
  function renderFrame(canvas, step, s) {
    const list = lanes();
    const side = TILE * s;
    const band = 12 + 6 * s;
    const width = Math.max(1, list.length * side + Math.max(0, list.length - 1) * GAP);
    canvas.width = width;
    canvas.height = band + side;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.fillStyle = BAND;
    ctx.fillRect(0, 0, width, canvas.height);
    tile.width = side;
    tile.height = side;
    const plane = createPlaneView(tile, cells);
    ctx.font = `${Math.round(band * 0.6)}px sans-serif`;
    ctx.textBaseline = 'middle';
    list.forEach((lane, i) => {
      const view = viewAt(lane, step);
      plane.draw(view, drawOptions(lane));
      const x = i * (side + GAP);
      ctx.drawImage(tile, x, band);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(`lane ${i + 1}: ${lane.objective}${view ? ` · step ${view.step}` : ''}`, x + 3, band / 2, side - 6);
    });
    return { width, height: canvas.height };
  }

  const ui = setupTimelapse(container, timelapse, {
    draw: (step) => { shown = step; redraw(); },
    onLive: () => { shown = null; redraw(); },
    lanesInfo: () => lanes().map((l, i) => ({ id: l.id, label: `lane ${i + 1}: ${l.objective}`, step: l.view?.step })),
    renderFrame,
  });
  return { ...ui, viewAt };
}
