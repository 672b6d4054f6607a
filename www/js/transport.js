// The transport bar: play/pause, step, step D only, step G only, reset, speed, the step counter,
// steps/s, the backend badge, the status line and the keyboard shortcuts (space, →, D, G).
import { allBuilt } from './store.js';

const $ = (id) => document.getElementById(id);
/** Updates that arrive many times a second: rendered at most once a frame. */
const FREQUENT = new Set(['stats', 'samples', 'quality', 'view', 'loading', 'checkpoint']);
const fmtLoss = (v) => (v === null || v === undefined ? '—' : Number(v).toFixed(3));

/** What a manual step changed, in words (shown for a few seconds after the step). */
const PULSE = {
  both: 'one step: D updated on real and generated images, then G updated against the new D',
  d: 'step D: only the discriminator changed (its score histograms move); G and the samples are untouched',
  g: 'step G: only the generator changed (the samples move); D is untouched',
};

export function backendSentence(state) {
  if (!state.backend) return { badge: 'starting…', title: '' };
  if (state.backend === 'webgpu') return { badge: `WebGPU · ${state.adapter}`, title: `Training on your GPU through WebGPU (${state.adapter}).` };
  return { badge: 'CPU', title: `Training on the CPU (${state.backendReason || 'WebGPU unavailable'}).` };
}

/** The one-line status: state, steps, losses (one lane) or per-lane steps. */
export function statusText(state) {
  if (state.phase === 'loading') return 'loading…';
  if (state.phase === 'restarting') return 'restarting the training worker…';
  if (state.phase === 'crashed') return 'crashed — see the notice above';
  if (state.phase === 'failed') return 'could not start — see the notice above';
  const lanes = state.lanes;
  const diverged = lanes.filter((l) => l.diverged !== null);
  const what = !allBuilt(state) ? 'building lanes…' : diverged.length ? `diverged at step ${diverged[0].diverged}` : state.running ? 'training' : state.stepping ? `running ${state.stepping} steps` : 'paused';
  if (lanes.length <= 1) {
    const l = lanes[0];
    return l ? `${what} · step ${l.step} · d loss ${fmtLoss(l.dLoss)} · g loss ${fmtLoss(l.gLoss)}` : what;
  }
  return `${what} · ${lanes.length} lanes · steps ${lanes.map((l) => l.step).join(' / ')}`;
}

export function mountTransport(store, controller, { report, toggleSettings }) {
  const { state } = store;
  const run = (fn) => () => {
    try {
      Promise.resolve(fn()).catch(report);
    } catch (e) {
      report(e);
    }
  };
  $('play').addEventListener('click', run(() => controller.play()));
  $('pause').addEventListener('click', run(() => controller.pause()));
  $('step').addEventListener('click', run(() => controller.step(1)));
  $('step-d').addEventListener('click', run(() => controller.step(1, 'd')));
  $('step-g').addEventListener('click', run(() => controller.step(1, 'g')));
  $('reset').addEventListener('click', run(() => controller.reset()));
  $('speed').addEventListener('change', run(() => controller.options({ speed: Number($('speed').value) })));
  $('settings-toggle').addEventListener('click', () => toggleSettings());
  $('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      $('copy-link').textContent = 'Link copied';
    } catch {
      window.prompt('Copy this link:', window.location.href);
    }
    setTimeout(() => ($('copy-link').textContent = 'Copy link'), 1500);
  });

  // Keyboard: space play/pause, → step, D / G the phase steps; not while typing in a field.
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target;
    if (target.closest?.('input, select, textarea, [contenteditable], dialog')) return;
    if (target.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) return; // the button's own action
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const act = { ' ': () => (state.running ? controller.pause() : controller.play()), ArrowRight: () => controller.step(1), d: () => controller.step(1, 'd'), g: () => controller.step(1, 'g') }[key];
    if (!act || state.phase !== 'ready') return;
    e.preventDefault();
    run(act)();
  });

  let pulseTimer = null;
  function render(s, change) {
    const ready = s.phase === 'ready' && allBuilt(s);
    for (const id of ['step', 'step-d', 'step-g', 'reset', 'speed', 'copy-link']) $(id).disabled = !ready;
    $('play').disabled = !ready || s.running;
    $('pause').disabled = !ready || !s.running;
    $('play').hidden = s.running;
    $('pause').hidden = !s.running;
    const steps = s.lanes.map((l) => l.step);
    $('step-counter').textContent = steps.length > 1 && new Set(steps).size > 1 ? `steps ${steps.join(' / ')}` : `step ${steps[0] ?? 0}`;
    const rates = s.lanes.map((l) => l.stepsPerSec);
    $('rate').textContent = s.running ? `${rates.map((r) => r.toFixed(1)).join(' / ')} steps/s` : '— steps/s';
    const { badge, title } = backendSentence(s);
    $('backend-badge').textContent = badge;
    $('backend-badge').title = title;
    $('backend-badge').dataset.backend = s.backend ?? '';
    $('status').textContent = statusText(s);
    const speed = String(s.page.speed ?? 0);
    if (![...$('speed').options].some((o) => o.value === speed)) $('speed').append(new Option(`${speed} steps/s`, speed));
    $('speed').value = speed;
    if (change.type === 'pulse') {
      $('pulse').textContent = PULSE[s.pulse.phase];
      document.body.dataset.pulse = s.pulse.phase;
      clearTimeout(pulseTimer);
      pulseTimer = setTimeout(() => {
        $('pulse').textContent = '';
        delete document.body.dataset.pulse;
      }, 2500);
    }
  }
  let frame = 0;
  let last = { type: 'init' };
  store.subscribe((s, change) => {
    // Only the high-frequency pushes wait for the next frame; every other change shows at once.
    if (!FREQUENT.has(change.type)) return render(s, change);
    last = change;
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(state, last); });
    return undefined;
  });
  render(state, last);
}
