// The settings panel: the selected lane's objective, architecture and the objective's parameters (with
// presets), optimisation (learning rates, batch, latent size), the run (seed, dataset, quality
// interval), adding lanes and loading checkpoints. Every field shows its valid range; a refused value
// stays in the field, marked with the validator's message, and nothing changes until it is valid.
import { DATASETS } from './url.js';
import { selectedLane, objectiveInfo, laneIndex } from './store.js';
import { el } from './dom.js';

const OPTIMISATION = [
  { key: 'lr_g', label: 'G learning rate' },
  { key: 'lr_d', label: 'D learning rate' },
  { key: 'batch', label: 'batch size' },
];
const ADVANCED = [{ key: 'latent', label: 'latent size (z dimensions)' }];
const RUN = [{ key: 'seed', label: 'seed (shared by all lanes)' }];

const $ = (id) => document.getElementById(id);
const fmt = (v) => (Math.abs(v) >= 1e4 ? v.toExponential(0) : String(v));

/** A labelled number field with its range and an error slot; `name` is the validator's field name. */
function numberField({ key, label }, spec, name = key) {
  const input = el('input', { type: 'number', name: key, id: `field-${key}`, step: spec.integer ? '1' : 'any', min: spec.min, max: spec.max });
  input.dataset.field = name;
  const error = el('span', { className: 'field-error', id: `error-${key}` });
  error.setAttribute('role', 'alert');
  input.setAttribute('aria-describedby', error.id);
  const range = el('span', { className: 'range', textContent: `${fmt(spec.min)} – ${fmt(spec.max)}${spec.integer ? ', whole' : ''}` });
  return el('label', { className: 'field' }, `${label} `, input, range, error);
}

function paramField(spec, value) {
  const input = el('input', { name: spec.key, id: `param-${spec.key}` });
  input.dataset.field = `params.${spec.key}`;
  const error = el('span', { className: 'field-error', id: `error-param-${spec.key}` });
  error.setAttribute('role', 'alert');
  input.setAttribute('aria-describedby', error.id);
  const wrap = el('label', { className: spec.toggle ? 'field toggle' : 'field', title: spec.help });
  const name = el('span', { textContent: spec.label });
  name.dataset.term = spec.key; // a glossary entry where there is one (k, n_critic, …)
  if (spec.toggle) {
    Object.assign(input, { type: 'checkbox', checked: Number(value ?? spec.default) !== 0 });
    wrap.append(input, ' ', name, error);
  } else {
    Object.assign(input, { type: 'number', step: spec.integer ? '1' : 'any', min: spec.min, max: spec.max, value: value ?? spec.default });
    wrap.append(name, input, el('span', { className: 'range', textContent: `${fmt(spec.min)} – ${fmt(spec.max)}` }), error);
  }
  return wrap;
}

/** One button per named preset; the one matching the current values is marked pressed. */
function presetButtons(presets, params, configure) {
  if (presets.length === 0) return [];
  const row = el('div', { className: 'presets' }, 'presets: ');
  for (const preset of presets) {
    const values = Object.fromEntries(preset.values);
    const active = Object.entries(values).every(([k, v]) => Number(params[k]) === v);
    const button = el('button', { type: 'button', className: 'btn small', textContent: preset.name });
    button.dataset.preset = preset.name;
    button.setAttribute('aria-pressed', String(active));
    button.addEventListener('click', () => configure({ params: values }));
    row.append(button);
  }
  return [row];
}

/** Wires the panel to `store` and `controller`; `confirm(text)` resolves to whether the user agreed. */
export function mountControls(store, controller, { confirm, report }) {
  const { state } = store;
  const attempt = (run) => (...args) => {
    try {
      Promise.resolve(run(...args)).catch(report);
    } catch (e) {
      report(e);
    }
  };
  const configure = attempt((partial) => controller.configureSelected(partial));
  let built = false;

  function build() {
    const { limits, objectives } = state;
    const options = objectives.map((o) => new Option(o.name, o.id));
    $('objective').replaceChildren(...options);
    $('add-objective').replaceChildren(...objectives.map((o) => new Option(o.name, o.id)));
    $('dataset').replaceChildren(
      ...Object.entries(DATASETS).map(([id, name]) => new Option(name, id)),
      // The 2-D mode's data sets (docs/plane.md): choosing one opens that mode with the lanes' objectives.
      ...(limits.plane?.datasets ?? []).map((d) => new Option(`2-D: ${d.label}`, d.id)),
    );
    $('general-params').replaceChildren(
      ...OPTIMISATION.map((f) => numberField(f, limits.fields[f.key])),
      el('details', { className: 'advanced' }, el('summary', { textContent: 'advanced' }), ...ADVANCED.map((f) => numberField(f, limits.fields[f.key]))),
    );
    $('run-params').replaceChildren(...RUN.map((f) => numberField(f, limits.fields[f.key])));
    const ev = limits.evalEvery;
    Object.assign($('eval-every'), { min: ev.min, max: ev.max });
    $('eval-range').textContent = `${ev.min} – ${fmt(ev.max)}, whole`;
    built = true;
  }

  $('objective').addEventListener('change', () => configure({ objective: $('objective').value, params: {} }));
  $('arch').addEventListener('change', () => configure({ arch: $('arch').value }));
  for (const id of ['general-params', 'run-params']) $(id).addEventListener('change', (e) => configure({ [e.target.name]: e.target.value }));
  $('objective-params').addEventListener('change', (e) => {
    if (!e.target.name) return;
    const value = e.target.type === 'checkbox' ? (e.target.checked ? 1 : 0) : e.target.value;
    configure({ params: { [e.target.name]: value } });
  });
  $('dataset').addEventListener('change', attempt(async () => {
    const id = $('dataset').value;
    if (!Object.hasOwn(DATASETS, id)) {
      window.location.search = `dataset=${encodeURIComponent(id)}&lanes=${state.lanes.map((l) => l.config?.objective ?? 'nonsaturating').join(',')}`;
      return;
    }
    const ok = await confirm(`Switch to ${DATASETS[id]}? The page reloads with the same settings and every lane starts again from step 0; save a checkpoint first to keep this run.`);
    if (ok) controller.setDataset(id);
    else $('dataset').value = state.page.dataset;
  }));
  $('eval-every').addEventListener('change', attempt(async () => {
    try {
      await controller.options({ eval_every: $('eval-every').value });
      $('eval-error').textContent = '';
      $('eval-every').removeAttribute('aria-invalid');
    } catch (e) {
      $('eval-error').textContent = e.message.replace(/^eval_every: /, '');
      $('eval-every').setAttribute('aria-invalid', 'true');
    }
  }));
  $('lockstep').addEventListener('change', attempt(() => controller.options({ lockstep: $('lockstep').checked })));
  $('add-lane').addEventListener('click', attempt(() => controller.addLane({ objective: $('add-objective').value })));
  $('load-checkpoint').addEventListener('change', attempt(async () => {
    const file = $('load-checkpoint').files[0];
    $('load-checkpoint').value = '';
    if (!file) return;
    const { lane, step } = await controller.loadCheckpoint(new Uint8Array(await file.arrayBuffer()));
    store.update('notice', { text: `Loaded ${file.name} as lane ${lane + 1} at step ${step}.`, level: 'info' });
  }));

  /** The selected lane's values in every field; fields with a pending error keep what the user typed. */
  function showConfig() {
    const lane = selectedLane(state);
    const config = lane?.config;
    $('editing').textContent = `Lane ${laneIndex(state, lane?.id) + 1} settings`;
    if (!config) return;
    $('objective').value = config.objective;
    $('arch').value = config.arch;
    for (const f of [...OPTIMISATION, ...ADVANCED, ...RUN]) {
      const input = $(`field-${f.key}`);
      if (!(f.key in state.fieldErrors)) input.value = config[f.key];
    }
    const info = objectiveInfo(state, config.objective);
    $('objective-params').replaceChildren(
      ...(info?.params ?? []).map((spec) => paramField(spec, config.params?.[spec.key])),
      ...presetButtons(info?.presets ?? [], config.params ?? {}, configure),
    );
    showErrors();
  }

  function showErrors() {
    for (const input of document.querySelectorAll('#controls [data-field]')) {
      const message = state.fieldErrors[input.dataset.field] ?? '';
      const slot = document.getElementById(input.getAttribute('aria-describedby'));
      if (slot) slot.textContent = message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  function enable() {
    const ready = state.phase === 'ready';
    for (const node of document.querySelectorAll('#controls button, #controls input, #controls select')) node.disabled = !ready;
    const full = state.lanes.length >= (state.limits?.maxLanes ?? 1);
    for (const id of ['add-lane', 'add-objective', 'load-checkpoint']) $(id).disabled = !ready || full;
    $('add-lane').title = full ? `at most ${state.limits.maxLanes} lanes; remove one first` : '';
  }

  store.subscribe((s, change) => {
    if (change.type === 'ready' && !built) {
      build();
      $('dataset').value = s.page.dataset;
    }
    if (!built) return;
    if (['ready', 'select', 'addLane', 'removeLane', 'laneBuilt'].includes(change.type)) {
      if (change.type !== 'laneBuilt' || change.lane === selectedLane(s)?.id) showConfig();
    }
    if (change.type === 'fieldErrors' || change.type === 'clearFieldErrors') showErrors();
    if (change.type === 'options' && s.page.evalEvery !== null) $('eval-every').value = String(s.page.evalEvery);
    if (change.type === 'options' || change.type === 'ready') $('lockstep').checked = Boolean(s.page.lockstep);
    if (['ready', 'crashed', 'failed', 'workerStarting', 'addLane', 'removeLane'].includes(change.type)) enable();
  });
}
