// Example course page: embeds the playground in an iframe with a lesson link, drives it with postMessage
// commands ({type: 'gan-playground', command, args, id}), shows its status events and sizes the frame to
// the height the playground reports (`gan-playground:resize`). The iframe is not sandboxed: a
// sandbox="allow-scripts" frame has an opaque origin, which works only where the server sends CORS
// headers for the site's files (docs/embedding.md).
const LESSON = {
  lanes: 'minimax,nonsaturating', arch: 'mlp', seed: '7', embed: '1', eval_every: '100',
  hide: 'controls,dataset,lanes,checkpoints,codes,interpolation,timelapse,copy-link',
};
const $ = (id) => document.getElementById(id);
const frame = $('playground');
// `?backend=cpu` on this page is passed on (the browser tests use it); everything else is the lesson's.
const own = new URLSearchParams(window.location.search);
const query = new URLSearchParams(LESSON);
if (own.get('backend')) query.set('backend', own.get('backend'));
frame.src = new URL(`../index.html?${query}`, window.location.href).href;

let nextId = 1;
const waiting = new Map();
/** Sends a command to the playground; resolves with its reply's result or rejects with its error. */
function command(name, ...args) {
  const id = nextId++;
  frame.contentWindow.postMessage({ type: 'gan-playground', command: name, args, id }, '*');
  return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || !event.data || typeof event.data !== 'object') return;
  const { type } = event.data;
  if (type === 'gan-playground:reply') {
    const entry = waiting.get(event.data.id);
    waiting.delete(event.data.id);
    if (event.data.ok) entry?.resolve(event.data.result);
    else entry?.reject(new Error(event.data.error));
  } else if (type === 'gan-playground:status' || type === 'gan-playground:ready') {
    showStatus(event.data.status);
  } else if (type === 'gan-playground:resize' && Number.isFinite(event.data.height)) {
    frame.style.height = `${Math.min(4000, Math.max(300, event.data.height))}px`;
  }
});

function showStatus(status) {
  const ready = Boolean(status.ready);
  for (const id of ['run', 'play', 'pause', 'lsgan', 'slow', 'fast']) $(id).disabled = !ready;
  $('lsgan').disabled = !ready || status.lanes.length >= status.limits.maxLanes;
  const what = status.running ? 'training' : status.stepping ? `running ${status.stepping} more steps` : 'paused';
  $('course-status').textContent = `${status.backend === 'webgpu' ? 'GPU' : 'CPU'} · ${what}${status.speed ? ` · slow motion (${status.speed} steps/s)` : ''}`;
  $('slow').hidden = Boolean(status.speed);
  $('fast').hidden = !status.speed;
  $('lane-list').replaceChildren(...status.lanes.map((lane) => {
    const item = document.createElement('li');
    const fid = lane.quality ? ` · FID ${lane.quality.fid.toFixed(1)}` : '';
    item.textContent = `lane ${lane.index + 1} ${lane.objective}: step ${lane.step}${fid}`;
    return item;
  }));
}

const report = (promise) => promise.catch((e) => { $('course-status').textContent = `error: ${e.message}`; });
$('run').addEventListener('click', () => report(command('step', 200)));
$('play').addEventListener('click', () => report(command('play')));
$('pause').addEventListener('click', () => report(command('pause')));
$('lsgan').addEventListener('click', () => report(command('addLane', { objective: 'lsgan' })));
$('slow').addEventListener('click', () => report(command('configure', { speed: 2 })));
$('fast').addEventListener('click', () => report(command('configure', { speed: 'max' })));
