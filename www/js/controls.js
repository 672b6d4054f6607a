// Controls: training buttons, objective/architecture selectors, hyper-parameter inputs (including the
// selected objective's own parameters), the dataset selector, and the notice area.
import { DATASETS } from './state.js';

const GENERAL_FIELDS = [
  { key: 'lr_g', label: 'G learning rate', step: 'any' },
  { key: 'lr_d', label: 'D learning rate', step: 'any' },
  { key: 'batch', label: 'batch size', step: 1 },
  { key: 'latent', label: 'latent size', step: 1 },
  { key: 'seed', label: 'seed', step: 1 },
];

const $ = (id) => document.getElementById(id);

/**
 * Wires the controls. `actions` has play, pause, step, reset, configure(partialConfig) and
 * setDataset(id); `dataset` is the page's dataset. Returns `{showConfig(config), setRunning(bool), setEnabled(bool)}`.
 */
export function setupControls(objectives, actions, dataset) {
  const datasetSelect = $('dataset');
  datasetSelect.replaceChildren(...Object.entries(DATASETS).map(([id, name]) => new Option(name, id)));
  datasetSelect.value = dataset;
  datasetSelect.addEventListener('change', () => actions.setDataset(datasetSelect.value));
  const objectiveSelect = $('objective');
  objectiveSelect.replaceChildren(...objectives.map((o) => new Option(o.name, o.id)));
  const general = $('general-params');
  general.replaceChildren(...GENERAL_FIELDS.map((f) => numberField(f.key, f.label, f.step)));

  $('play').addEventListener('click', () => actions.play());
  $('pause').addEventListener('click', () => actions.pause());
  $('step').addEventListener('click', () => actions.step(1));
  $('reset').addEventListener('click', () => actions.reset());
  $('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      $('copy-link').textContent = 'link copied';
    } catch {
      window.prompt('Copy this link:', window.location.href);
    }
    setTimeout(() => ($('copy-link').textContent = 'copy link'), 1500);
  });

  objectiveSelect.addEventListener('change', () => actions.configure({ objective: objectiveSelect.value, params: {} }));
  $('arch').addEventListener('change', () => actions.configure({ arch: $('arch').value }));
  general.addEventListener('change', (e) => actions.configure({ [e.target.name]: e.target.value }));
  $('objective-params').addEventListener('change', (e) => {
    const value = e.target.type === 'checkbox' ? (e.target.checked ? 1 : 0) : e.target.value;
    actions.configure({ params: { [e.target.name]: value } });
  });

  return {
    showConfig(config) {
      objectiveSelect.value = config.objective;
      $('arch').value = config.arch;
      for (const f of GENERAL_FIELDS) general.querySelector(`[name="${f.key}"]`).value = config[f.key];
      const info = objectives.find((o) => o.id === config.objective);
      $('objective-summary').textContent = info?.summary ?? '';
      $('objective-params').replaceChildren(
        ...(info?.params ?? []).map((spec) => paramField(spec, config.params?.[spec.key])),
        ...presetButtons(info?.presets ?? [], config.params ?? {}, actions),
      );
    },
    setRunning(running) {
      $('play').disabled = running;
      $('pause').disabled = !running;
    },
    setEnabled(enabled) {
      for (const el of document.querySelectorAll('#controls button, #controls input, #controls select')) el.disabled = !enabled;
    },
  };
}

function numberField(key, label, step) {
  const wrap = document.createElement('label');
  const input = Object.assign(document.createElement('input'), { type: 'number', name: key, step: String(step) });
  input.id = `field-${key}`;
  wrap.append(`${label} `, input);
  return wrap;
}

function paramField(spec, value) {
  const wrap = document.createElement('label');
  wrap.title = spec.help;
  const input = document.createElement('input');
  input.name = spec.key;
  if (spec.toggle) {
    input.type = 'checkbox';
    input.checked = Number(value ?? spec.default) !== 0;
  } else {
    Object.assign(input, { type: 'number', step: spec.integer ? '1' : 'any', min: spec.min, max: spec.max, value: value ?? spec.default });
  }
  wrap.append(input, ` ${spec.label}`);
  return wrap;
}

/** One button per named preset; the one matching the current values is marked pressed. */
function presetButtons(presets, params, actions) {
  if (presets.length === 0) return [];
  const row = document.createElement('div');
  row.className = 'presets';
  row.append('presets: ');
  for (const preset of presets) {
    const values = Object.fromEntries(preset.values);
    const active = Object.entries(values).every(([k, v]) => Number(params[k]) === v);
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: preset.name });
    button.dataset.preset = preset.name;
    button.setAttribute('aria-pressed', String(active));
    button.addEventListener('click', () => actions.configure({ params: values }));
    row.append(button);
  }
  return [row];
}

/**
 * Shows a dismissible notice; `text` is always inserted as text, never as markup. `actions`:
 * buttons `[{label, run}]`; pressing one runs it and dismisses the notice.
 */
export function showNotice(text, kind = 'info', actions = []) {
  const box = document.createElement('div');
  box.className = `notice ${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  const message = document.createElement('span');
  message.textContent = text;
  const buttons = actions.map(({ label, run }) => {
    const button = Object.assign(document.createElement('button'), { type: 'button', textContent: label, className: 'notice-action' });
    button.addEventListener('click', () => { box.remove(); run(); });
    return button;
  });
  const close = Object.assign(document.createElement('button'), { textContent: '×', title: 'dismiss' });
  close.addEventListener('click', () => box.remove());
  box.append(message, ...buttons, close);
  $('notices').append(box);
  return box;
}
