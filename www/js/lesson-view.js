// The lesson panel (issue 15, section 3): `lesson=<id>` opens a lesson from lessons.js, `lesson=` (or an
// unknown id) the index. Entering a step applies its configuration through the controller (lanes and
// parameters, speed), its hidden controls (`hide=` names, through the store's options) and its chart;
// on every update the step's observation is evaluated and, once it holds, ticked in the store. The
// panel renders from `state.lesson`.
import { LESSONS, lessonById, checkHelpers } from './lessons.js';
import { objectiveInfo } from './store.js';
import { applyLayout } from './layout.js';

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

/** A link to lesson `id` (or the index for null) that keeps the page's embed and test options. */
export function lessonHref(id, { embed = false, test = false } = {}) {
  const params = new URLSearchParams();
  params.set('lesson', id ?? '');
  const lesson = id ? lessonById(id) : null;
  if (lesson?.page?.backend) params.set('backend', lesson.page.backend);
  if (embed) params.set('embed', '1');
  if (test) params.set('test', '1');
  return `?${params}`;
}

/**
 * `controller`: the page's commands; `showDiagnostic(name)`: the charts' selector; `scale`: factor on
 * the lessons' step counts (the test hook shortens them); `testMode` keeps `test=1` in lesson links.
 */
export function mountLesson(store, controller, { showDiagnostic, scale = 1, testMode = false }) {
  const { state } = store;
  if (state.page.lesson === null || state.page.lesson === undefined) return;
  const baseHide = [...state.page.hide];
  const title = el('h2', { id: 'lesson-title' });
  const meta = el('p', { className: 'lesson-meta' });
  const body = el('div', { className: 'lesson-body' });
  const status = el('p', { className: 'lesson-status' });
  status.setAttribute('role', 'status');
  const panel = el('section', { id: 'lesson', className: 'panel lesson' }, title, meta, body, status);
  panel.setAttribute('aria-labelledby', title.id);
  document.querySelector('.stage').prepend(panel);

  const requested = state.page.lesson;
  const lesson = requested ? lessonById(requested) : null;
  if (requested && !lesson) store.update('notice', { level: 'warn', text: `There is no lesson "${requested.slice(0, 40)}"; here is the list.` });
  store.update('openLesson', { id: lesson?.id ?? null });
  let applying = false;
  let token = 0;

  /** A lane entry of a step as a full partial config: named parameters over the objective's defaults. */
  // A lesson's lane starts from the module's lane defaults and its objective's learning rate and
  // parameters (what the lessons were checked with), whatever the lanes on the page were.
  const laneConfig = (entry) => {
    const { checkpoint: _, ...partial } = typeof entry === 'string' ? { objective: entry } : entry;
    const info = objectiveInfo(state, partial.objective);
    const defaults = Object.fromEntries((info?.params ?? []).map((p) => [p.key, p.default]));
    const rates = info ? { lr_g: info.lr_default, lr_d: info.lr_default } : {};
    return { ...state.limits.laneDefaults, ...rates, ...partial, params: { ...defaults, ...(partial.params ?? {}) } };
  };

  async function apply(i) {
    const step = lesson.steps[i];
    const mine = ++token;
    applying = true;
    render();
    try {
      await controller.ready;
      if (step.hide) {
        store.update('options', { hide: [...new Set([...baseHide, ...step.hide])] });
        applyLayout(state.page);
      }
      const partial = {};
      if (step.configure?.lanes) partial.lanes = step.configure.lanes.map(laneConfig);
      if (step.speed !== undefined) partial.speed = step.speed;
      if (Object.keys(partial).length) {
        const { errors } = await controller.configure(partial);
        if (errors?.length) throw new Error(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
      }
      // Lanes that start from a prepared checkpoint of the site (a failure is the controller's notice).
      const prepared = (step.configure?.lanes ?? []).map((entry) => entry?.checkpoint ?? '');
      if (prepared.some(Boolean)) await controller.openPrepared(prepared);
      if (mine === token && step.watch) showDiagnostic(step.watch, { scroll: false }); // the lesson text stays in view
    } catch (e) {
      store.update('notice', { level: 'error', text: `lesson step ${i + 1}: ${e?.message ?? e}` });
    } finally {
      if (mine === token) applying = false;
      render();
      evaluate();
    }
  }

  function go(i) {
    store.update('lessonStep', { step: i });
    apply(i);
  }

  function evaluate() {
    const l = state.lesson;
    if (!lesson || !l || applying || state.phase !== 'ready') return;
    const check = lesson.steps[l.step]?.check;
    if (!check || l.ticked.includes(l.step)) return;
    let ok = false;
    try {
      ok = Boolean(check.test(checkHelpers(state, scale)));
    } catch {
      ok = false; // a check over values not there yet
    }
    if (ok) store.update('lessonTick', { step: l.step });
  }

  function renderIndex() {
    title.textContent = 'Lessons';
    meta.textContent = 'Each lesson sets up the lanes, tells you what to look at, and ticks each observation when it happens.';
    const list = el('ol', { className: 'lesson-index' });
    for (const l of LESSONS) {
      const link = el('a', { href: lessonHref(l.id, { embed: state.page.embed, test: testMode }), textContent: l.title });
      link.dataset.lesson = l.id;
      list.append(el('li', {}, link, el('span', { className: 'lesson-summary', textContent: ` — ${l.summary}` })));
    }
    body.replaceChildren(list);
  }

  function render() {
    const l = state.lesson;
    if (!lesson || !l) return renderIndex();
    panel.dataset.lesson = lesson.id;
    panel.dataset.step = String(l.step);
    title.textContent = `Lesson: ${lesson.title}`;
    const from = lesson.prepared ? ` · starts from ${lesson.prepared}` : '';
    meta.textContent = `Step ${l.step + 1} of ${lesson.steps.length} · draws on ${lesson.seed}${lesson.page?.backend === 'cpu' ? ' · CPU backend, so the numbers match on every machine' : ''}${from}`;
    const steps = el('ol', { className: 'lesson-steps' });
    lesson.steps.forEach((s, i) => {
      const done = l.ticked.includes(i);
      const item = el('li', { className: 'lesson-step' });
      item.dataset.state = i === l.step ? 'current' : done ? 'done' : 'todo';
      if (i === l.step) item.setAttribute('aria-current', 'step');
      if (i === l.step) item.append(el('p', { className: 'lesson-text', textContent: s.text }));
      if (s.check) {
        const mark = el('span', { className: 'lesson-mark', textContent: done ? '✓' : '○' });
        mark.setAttribute('aria-hidden', 'true');
        const check = el('p', { className: 'lesson-check' }, mark, ` ${done ? 'seen' : 'watch for'}: ${s.check.text}`);
        check.dataset.done = String(done);
        item.append(check);
      }
      steps.append(item);
    });
    const back = el('button', { type: 'button', className: 'btn', textContent: '← Back', disabled: l.step === 0 });
    back.addEventListener('click', () => go(l.step - 1));
    const last = l.step === lesson.steps.length - 1;
    const next = el('button', { type: 'button', className: 'btn primary', textContent: last ? 'Start again' : 'Next step →' });
    next.id = 'lesson-next';
    next.addEventListener('click', () => go(last ? 0 : l.step + 1));
    const index = el('a', { href: lessonHref(null, { embed: state.page.embed, test: testMode }), className: 'lesson-all', textContent: 'All lessons' });
    body.replaceChildren(steps, el('div', { className: 'lesson-nav' }, back, next, index));
    panel.dataset.applying = String(applying);
  }

  let started = false;
  store.subscribe((s, change) => {
    if (change.type === 'lessonTick') status.textContent = `Seen: ${lesson.steps[change.step].check.text}.`;
    if (['openLesson', 'lessonStep', 'lessonTick'].includes(change.type)) render();
    if (!started && lesson && s.phase === 'ready' && s.lanes.length > 0 && s.lanes.every((x) => x.config && !x.restoring)) {
      started = true;
      apply(s.lesson.step);
    }
    if (['stats', 'quality', 'laneBuilt'].includes(change.type)) evaluate();
  });
  render();
}
