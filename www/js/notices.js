// Notices and the loading screen, rendered from the store: a handful of dismissible global notices
// (with "dismiss all"), and a progress bar with the start-up steps, naming the one that failed.

const $ = (id) => document.getElementById(id);
const STAGES = ['module', 'adapter', 'dataset', 'classifier'];

/** `runAction(action)` runs a notice button's action: `{run}` or `{command}` for the controller. */
export function mountNotices(store, runAction) {
  const box = $('notices');
  const shown = new Map(); // notice id → element
  store.subscribe((state) => {
    const ids = new Set(state.notices.map((n) => n.id));
    for (const [id, node] of shown) {
      if (!ids.has(id)) {
        node.remove();
        shown.delete(id);
      }
    }
    for (const n of state.notices) {
      if (shown.has(n.id)) continue;
      const node = document.createElement('div');
      node.className = `notice ${n.level}`;
      node.setAttribute('role', n.level === 'error' ? 'alert' : 'status');
      const text = document.createElement('span');
      text.textContent = n.text; // always text, never markup
      const buttons = n.actions.map((action) => {
        const b = Object.assign(document.createElement('button'), { type: 'button', textContent: action.label, className: 'btn small notice-action' });
        b.addEventListener('click', () => {
          store.update('dismissNotice', { id: n.id });
          runAction(action);
        });
        return b;
      });
      const close = Object.assign(document.createElement('button'), { type: 'button', textContent: '×', title: 'dismiss', className: 'notice-close' });
      close.setAttribute('aria-label', 'dismiss this notice');
      close.addEventListener('click', () => store.update('dismissNotice', { id: n.id }));
      node.append(text, ...buttons, close);
      box.append(node);
      shown.set(n.id, node);
    }
    $('dismiss-all').hidden = state.notices.length < 2;
  });
  $('dismiss-all').addEventListener('click', () => store.update('dismissAll'));
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;

export function mountLoading(store) {
  const root = $('loading');
  store.subscribe((state, change) => {
    if (!['loading', 'ready', 'failed', 'workerStarting'].includes(change.type)) return;
    const l = state.loading;
    const visible = state.phase === 'loading' || state.phase === 'failed' || (state.phase === 'restarting');
    root.hidden = !visible;
    const index = STAGES.indexOf(l.stage);
    const within = l.total > 0 ? Math.min(1, l.loaded / l.total) : 0;
    const pct = state.phase === 'ready' ? 100 : Math.round(((Math.max(0, index) + within) / STAGES.length) * 100);
    $('loading-fill').style.width = `${pct}%`;
    root.setAttribute('aria-valuenow', String(pct));
    for (const li of root.querySelectorAll('li')) {
      const stage = li.dataset.stage;
      const done = l.done.includes(stage);
      const failed = l.failed === stage;
      li.dataset.state = failed ? 'failed' : done ? 'done' : stage === l.stage ? 'active' : 'waiting';
      const base = li.dataset.label ?? (li.dataset.label = li.textContent);
      const bytes = stage === l.stage && l.loaded > 0 ? ` · ${mb(l.loaded)}${l.total ? ` of ${mb(l.total)}` : ''}` : '';
      li.textContent = `${base}${failed ? ' — failed' : bytes}`;
    }
  });
}
