// Controls: training buttons, objective/architecture selectors, hyper-parameter inputs (including the
// selected objective's own parameters) of the selected lane, step modes, speed, lanes (add, load a
// checkpoint), the dataset selector, and the notice area.
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
 * Wires the controls. `actions` is the page controller (play, pause, step, reset, configureSelected,
 * addLane, loadCheckpoint, options, setDataset); `page` the page options. Returns `{showConfig(config),
 * showOptions(page), setRunning(bool), setEnabled(bool), setLaneCount(n, max)}`.
 */
export function setupControls(objectives, actions, page) {
  const report = (promise) => Promise.resolve(promise).catch((e) => showNotice(e?.message ?? String(e), 'error'));
  const attempt = (run) => (...args) => {
    try {
      report(run(...args));
    } catch (e) {
      showNotice(e?.message ?? String(e), 'error');
    }
  };
  const datasetSelect = $('dataset');
  datasetSelect.replaceChildren(...Object.entries(DATASETS).map(([id, name]) => new Option(name, id)));
  datasetSelect.value = page.dataset;
  datasetSelect.addEventListener('change', attempt(() => actions.setDataset(datasetSelect.value)));
  const objectiveSelect = $('objective');
  objectiveSelect.replaceChildren(...objectives.map((o) => new Option(o.name, o.id)));
  $('add-objective').replaceChildren(...objectives.map((o) => new Option(o.name, o.id)));
  const general = $('general-params');
  general.replaceChildren(...GENERAL_FIELDS.map((f) => numberField(f.key, f.label, f.step)));

  $('play').addEventListener('click', attempt(() => actions.play()));
  $('pause').addEventListener('click', attempt(() => actions.pause()));
  $('step').addEventListener('click', attempt(() => actions.step(1)));
  $('step-d').addEventListener('click', attempt(() => actions.step(1, 'd')));
  $('step-g').addEventListener('click', attempt(() => actions.step(1, 'g')));
  $('reset').addEventListener('click', attempt(() => actions.reset()));
  $('speed').addEventListener('change', attempt(() => actions.options({ speed: Number($('speed').value) })));
  $('eval-every').addEventListener('change', attempt(() => actions.options({ eval_every: Number($('eval-every').value) })));
  $('add-lane').addEventListener('click', attempt(() => actions.addLane({ objective: $('add-objective').value })));
  $('load-checkpoint').addEventListener('change', attempt(async () => {
    const file = $('load-checkpoint').files[0];
    $('load-checkpoint').value = '';
    if (!file) return;
    const { lane, step } = await actions.loadCheckpoint(new Uint8Array(await file.arrayBuffer()));
    showNotice(`Loaded ${file.name} as lane ${lane + 1} at step ${step}.`, 'info');
  }));
  $('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      $('copy-link').textContent = 'link copied';
    } catch {
      window.prompt('Copy this link:', window.location.href);
    }
    setTimeout(() => ($('copy-link').textContent = 'copy link'), 1500);
  });

  objectiveSelect.addEventListener('change', attempt(() => actions.configureSelected({ objective: objectiveSelect.value, params: {} })));
  $('arch').addEventListener('change', attempt(() => actions.configureSelected({ arch: $('arch').value })));
  general.addEventListener('change', attempt((e) => actions.configureSelected({ [e.target.name]: e.target.value })));
  $('objective-params').addEventListener('change', (e) => {
    const value = e.target.type === 'checkbox' ? (e.target.checked ? 1 : 0) : e.target.value;
    attempt(() => actions.configureSelected({ params: { [e.target.name]: value } }))();
  });

  const controls = {
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
    showOptions(options) {
      const speed = String(options.speed ?? 0);
      if (![...$('speed').options].some((o) => o.value === speed)) $('speed').append(new Option(`${speed} steps/s`, speed));
      $('speed').value = speed;
      $('eval-every').value = String(options.evalEvery);
    },
    setRunning(running) {
      $('play').disabled = running;
      $('pause').disabled = !running;
    },
    setEnabled(enabled) {
      laneCount.enabled = enabled;
      for (const el of document.querySelectorAll('#controls button, #controls input, #controls select')) el.disabled = !enabled;
      controls.setLaneCount(laneCount.n, laneCount.max);
    },
    setLaneCount(n, max) {
      Object.assign(laneCount, { n, max });
      const full = n >= max;
      for (const id of ['add-lane', 'add-objective', 'load-checkpoint']) $(id).disabled = full || !laneCount.enabled;
    },
  };
  const laneCount = { n: 1, max: 4, enabled: false };
  controls.showOptions(page);
  return controls;
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
    button.addEventListener('click', () => Promise.resolve(actions.configureSelected({ params: values })).catch((e) => showNotice(e.message, 'error')));
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
