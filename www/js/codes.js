// Code explorer: for objectives whose generator takes latent codes (InfoGAN), a 10 × k grid over one
// fixed z of the selected lane — rows are the categorical code, columns sweep one continuous code — redrawn live.
import { drawGrid } from './samples.js';

const $ = (id) => document.getElementById(id);
/** Columns of the continuous sweep. */
export const SWEEP_COLUMNS = 8;

/**
 * Wires the explorer's inputs. `request(lane, view)` asks the worker for lane `lane`'s grid; `view` is
 * `{zIndex, sweep, other, cols}` or null (closed). Returns `{show(lane, codes), draw(msg)}`.
 */
export function setupCodeExplorer(request) {
  const panel = $('code-explorer');
  const sweep = $('code-sweep');
  const other = $('code-other');
  const zIndex = $('code-z');
  let visible = false;
  let lane = null;

  const view = () => ({
    zIndex: Number(zIndex.value), sweep: Number(sweep.value), other: Number(other.value), cols: SWEEP_COLUMNS,
  });
  const update = () => {
    $('code-other-value').textContent = Number(other.value).toFixed(2);
    $('code-z-value').textContent = zIndex.value;
    if (visible) request(lane, view());
  };
  for (const input of [sweep, other, zIndex]) input.addEventListener('input', update);

  return {
    /** `codes` is `[categorical, continuous]` of lane `id`; the panel shows only when both exist. */
    show(id, codes) {
      const [categorical, continuous] = codes ?? [0, 0];
      if (lane !== null && lane !== id) request(lane, null); // the previously selected lane stops drawing it
      lane = id;
      visible = categorical > 0 && continuous > 0;
      panel.hidden = !visible;
      if (!visible) {
        request(lane, null);
        return;
      }
      sweep.replaceChildren(...Array.from({ length: continuous }, (_, i) => new Option(`c${i + 1}`, String(i))));
      $('code-other-label').textContent = continuous > 1 ? 'other continuous codes' : '(no other code)';
      other.disabled = continuous < 2;
      update();
    },
    draw(msg) {
      if (!visible) return;
      drawGrid($('code-grid'), msg.pixels, msg.cols);
      $('code-caption').textContent =
        `step ${msg.step}: rows = categorical code 0–${msg.rows - 1}, columns = c${msg.sweep + 1} from −1 to 1`;
    },
  };
}
