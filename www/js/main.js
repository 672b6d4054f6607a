// Page bootstrap: wires the store, the training session, the controller, the page API and the views
// together. Nothing here holds state; the store does (store.js).
import { parseQuery, toQuery } from './url.js';
import { createStore, laneIndex, selectedLane } from './store.js';
import { createSession } from './session.js';
import { makeController, laneStatus } from './controller.js';
import { installApi, emitStatus, emitLane } from './api.js';
import { applyLayout } from './layout.js';
import { mountTransport } from './transport.js';
import { mountControls } from './controls.js';
import { mountLanes } from './lanes.js';
import { mountCharts } from './charts.js';
import { mountNotices, mountLoading } from './notices.js';
import { setupCodeExplorer } from './codes.js';
import { setupInterpolation } from './interp.js';
import { setupTimelapse } from './timelapse-ui.js';
import { mountTeaching } from './teach.js';
import { mountLesson } from './lesson-view.js';
import { mountShare } from './share.js';
import { createAutosave } from './autosave.js';
import { mountResume } from './views/resume.js';

const $ = (id) => document.getElementById(id);
// `test=1` enables the test hooks (README, "Test hooks"); it is not part of the configuration.
const search = new URLSearchParams(window.location.search);
const testMode = search.get('test') === '1';
search.delete('test');
const query = search.toString();
// Before the module's limits are known only the options that start the worker are read.
const early = parseQuery(query);
applyLayout(early.page);

const store = createStore(early);
const report = (e) => store.update('notice', { text: e?.message ?? String(e), level: 'error' });

let firstStart = true;
const session = createSession(store, {
  /** The first time: the URL read against the module's limits, its lanes built and its options applied. */
  async afterReady(info) {
    if (!firstStart) return;
    firstStart = false;
    const full = parseQuery(query, info.limits);
    // One notice for the whole link, a line per problem.
    if (full.notices.length) store.update('notice', { key: 'url', level: 'warn', text: full.notices.join('\n') });
    const { speed, evalEvery, lockstep, workers } = full.page;
    store.update('options', { speed, evalEvery, autostart: full.page.autostart, lockstep, workers });
    await session.request('options', { speed, evalEvery, lockstep });
    // Together: on the CPU backend each lane's worker starts meanwhile (worker-pool.js).
    const ids = full.lanes.map((raw) => store.update('addLane', { raw }).lane);
    await Promise.all(ids.map((lane, i) => session.request('addLane', { lane, config: full.lanes[i] })));
    store.update('select', { lane: store.state.lanes[0].id });
    // `checkpoint=`: lanes that start from a prepared checkpoint of the site (a failure is a notice).
    if (full.page.checkpoints.some(Boolean)) await controller.openPrepared(full.page.checkpoints);
    store.update('options', { autosave: full.page.autosave });
    if (full.page.autostart) await session.request('play');
    autosave.start().catch(report); // storage never holds up the page: a failure is a notice
  },
});
const autosave = createAutosave({ store, session });
const controller = makeController({ store, session, testMode, autosave });
installApi(controller);
mountResume($('autosave'), $('autosave-line'), store, {
  resume: (id) => autosave.resume(id).catch(report), remove: (id) => autosave.delete(id),
  removeAll: () => autosave.deleteAll(), startFresh: () => autosave.startFresh(),
});

const confirmDialog = (text) => new Promise((resolve) => {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  const done = (ok) => () => {
    dialog.close();
    resolve(ok);
  };
  $('confirm-ok').onclick = done(true);
  $('confirm-cancel').onclick = done(false);
  dialog.oncancel = done(false);
  dialog.showModal();
});

mountNotices(store, (action) => (action.run ? action.run() : controller.runAction(action.command)));
mountLoading(store);
mountTransport(store, controller, {
  report,
  toggleSettings() {
    const hidden = document.body.classList.toggle('settings-hidden');
    $('settings-toggle').setAttribute('aria-expanded', String(!hidden));
    if (!hidden && window.matchMedia('(max-width: 1099px)').matches) $('controls').scrollIntoView({ behavior: 'smooth' });
  },
});
mountControls(store, controller, { confirm: confirmDialog, report });

const timelapse = store.state.timelapse;
let timelapseUi = null;
const lanes = mountLanes($('lanes'), store, {
  select: (id) => store.update('select', { lane: id }),
  save: (id) => controller.downloadCheckpoint(laneIndex(store.state, id)).catch(report),
  remove: (id) => controller.removeLane(laneIndex(store.state, id)).catch(report),
  rollback: (id) => controller.rollback(laneIndex(store.state, id)).catch(report),
}, { dataset: early.page.dataset, scrubbing: () => timelapseUi?.scrubbing() ?? false });
const charts = mountCharts(store);
// Teaching (issue 15): explainer and model overview, lessons (`lesson=`; shorter under test=1), the link builder.
const showDiagnostic = (name, options) => charts.showDiagnostic(name, options);
mountTeaching(store, { showDiagnostic });
mountLesson(store, controller, { showDiagnostic, scale: testMode ? 0.05 : 1, testMode });
mountShare(store);

timelapseUi = setupTimelapse($('timelapse'), timelapse, {
  draw: (step) => lanes.drawFrames((id) => timelapse.frameAt(id, step)),
  lanesInfo: () => store.state.lanes.map((l, i) => ({ id: l.id, label: `lane ${i + 1}: ${l.config?.objective ?? ''}` })),
  onLive: () => lanes.drawFrames((id) => timelapse.latest(id)),
});
const codeExplorer = setupCodeExplorer((lane, view) => controller.view('codes', lane, view));
const interp = setupInterpolation((lane, view) => controller.view('interpolate', lane, view));

// The explorers follow the selected lane; the URL and the embedding page follow every change.
store.subscribe((state, change) => {
  const lane = selectedLane(state);
  if (['select', 'laneBuilt', 'removeLane'].includes(change.type) && lane?.config && state.phase === 'ready') {
    codeExplorer.show(lane.id, lane.codes);
    interp.show(lane.id, laneIndex(state, lane.id) + 1);
  }
  if (change.type === 'view' && change.kind === 'codeGrid') codeExplorer.draw(state.views.codeGrid);
  if (change.type === 'view' && change.kind === 'interpolation') interp.draw(state.views.interpolation);
  if (change.type === 'samples') timelapseUi.refresh();
  if (['laneBuilt', 'removeLane', 'options', 'prepared'].includes(change.type)) syncUrl(state);
  if (change.type === 'stats') {
    const l = state.lanes.find((x) => x.id === change.lane);
    if (l) emitLane(laneStatus(state, l));
  }
  scheduleStatusEvent();
});

/** Writes every lane's config (once all are known) and the page options into the address bar. */
function syncUrl(state) {
  const configs = state.lanes.map((l) => l.config);
  if (configs.length === 0 || !configs.every(Boolean)) return;
  const url = new URL(window.location.href);
  url.search = toQuery(configs, state.page, state.limits);
  try {
    window.history.replaceState(null, '', url);
  } catch {
    // A sandboxed iframe (opaque origin) may not rewrite its URL; the link then keeps the original query.
  }
}

let lastEmit = 0;
let emitTimer = null;
/** Status events to an embedding page: at most one per 250 ms, and always one after the last change. */
function scheduleStatusEvent() {
  if (emitTimer !== null) return;
  const wait = Math.max(0, lastEmit + 250 - performance.now());
  emitTimer = setTimeout(() => {
    emitTimer = null;
    lastEmit = performance.now();
    emitStatus(controller.status());
  }, wait);
}

if (testMode) window.ganPlaygroundTest = { charts: () => charts.counts(), state: () => store.state, autosaveNow: () => autosave.save({ force: true }) };
session.start(early.page.backend);
