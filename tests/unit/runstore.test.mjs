// www/js/runstore.js on fake-indexeddb: round trip, atomic saves, damaged and other-version records
// refused, quota exceeded keeps the older save, run ids independent, the Web Lock helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { open, claimRun, tabRunId, newRunId, StorageError, DB_NAME } from '../../www/js/runstore.js';
import { crc32 } from '../../www/js/crc32.js';

function record(step, fill = 1) {
  return {
    savedAt: 1_700_000_000_000 + step,
    options: { dataset: 'mnist', backend: 'cpu', autosave: true },
    lanes: [
      { config: { objective: 'lsgan', seed: 5 }, step, checkpointBytes: new Uint8Array([71, 65, 78, fill, step & 255, 9]), curves: { version: 1, stats: [[1, 0.5]] }, quality: [{ step, fid: 12.5 }] },
      { config: { objective: 'wgan', seed: 6 }, step: step + 1, checkpointBytes: new Uint8Array(1000).fill(fill), curves: null, quality: [] },
    ],
    frames: [{ step, images: new Uint8Array(784).fill(fill) }],
  };
}

/** Makes the `n`-th put (1-based) from now on throw `error`. */
function failNthPut(n, error) {
  const put = IDBObjectStore.prototype.put;
  let calls = 0;
  IDBObjectStore.prototype.put = function (...args) {
    calls += 1;
    if (calls === n) throw error;
    return put.apply(this, args);
  };
  return () => { IDBObjectStore.prototype.put = put; };
}

/** Rewrites the stored payload of `runId` with `change(payload)`. */
async function tamper(factory, runId, change) {
  const db = await new Promise((res, rej) => { const r = factory.open(DB_NAME, 1); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const tx = db.transaction(['payloads'], 'readwrite');
  const store = tx.objectStore('payloads');
  const p = await new Promise((res) => { const r = store.get(runId); r.onsuccess = () => res(r.result); });
  change(p);
  store.put(p);
  await new Promise((res) => { tx.oncomplete = res; });
  db.close();
}

test('crc32 gives the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('save and load round-trip a run, typed arrays included; listRuns and usage describe it', async () => {
  const store = await open(new IDBFactory());
  const saved = await store.saveRun('run-a', record(40));
  const back = await store.loadRun('run-a');
  assert.deepEqual(back, record(40));
  assert.ok(back.lanes[1].checkpointBytes instanceof Uint8Array);
  const list = await store.listRuns();
  const lanes = record(40).lanes.map((l) => ({ objective: l.config.objective, step: l.step, config: l.config }));
  assert.deepEqual(list, [{ runId: 'run-a', savedAt: record(40).savedAt, lanes, dataset: record(40).options?.dataset ?? null, bytes: saved.bytes, status: 'ok' }]);
  assert.deepEqual(saved.summary, { runId: 'run-a', savedAt: record(40).savedAt, lanes, dataset: record(40).options?.dataset ?? null, bytes: saved.bytes }, 'the summary the offer lists');
  assert.ok(saved.bytes > 1784);
  assert.equal(await store.usage(), saved.bytes);
});

test('a save that fails midway leaves the previous record', async () => {
  const store = await open(new IDBFactory());
  await store.saveRun('run-a', record(10, 1));
  const restore = failNthPut(2, new Error('crash between the two writes'));
  try {
    await assert.rejects(store.saveRun('run-a', record(20, 2)), (e) => e instanceof StorageError && e.code === 'failed' && /older saves are kept/.test(e.message));
  } finally {
    restore();
  }
  assert.deepEqual(await store.loadRun('run-a'), record(10, 1));
  assert.equal((await store.listRuns())[0].status, 'ok');
});

test('quota exceeded: a clear error, and the older save is kept', async () => {
  const store = await open(new IDBFactory());
  await store.saveRun('run-a', record(10));
  const quota = new DOMException('quota', 'QuotaExceededError');
  const restore = failNthPut(1, quota);
  try {
    await assert.rejects(store.saveRun('run-a', record(30)), (e) => e.code === 'quota-exceeded' && /storage is full/.test(e.message));
  } finally {
    restore();
  }
  assert.deepEqual(await store.loadRun('run-a'), record(10));
});

test('a damaged record is listed as damaged and refused', async () => {
  const factory = new IDBFactory();
  const store = await open(factory);
  await store.saveRun('run-a', record(10));
  await store.saveRun('run-b', record(11));
  await tamper(factory, 'run-a', (p) => { p.chunks[1][500] ^= 0x01; });
  const list = await store.listRuns();
  assert.equal(list.find((r) => r.runId === 'run-a').status, 'damaged');
  assert.equal(list.find((r) => r.runId === 'run-b').status, 'ok');
  await assert.rejects(store.loadRun('run-a'), (e) => e.code === 'damaged' && /damaged \(checksum mismatch\)/.test(e.message));
  await tamper(factory, 'run-b', (p) => { p.json = p.json.replace('lsgan', 'lsgam'); });
  await assert.rejects(store.loadRun('run-b'), (e) => e.code === 'damaged');
  await store.deleteRun('run-a');
  assert.deepEqual((await store.listRuns()).map((r) => r.runId), ['run-b']);
});

test('a record of another version is listed as such and refused', async () => {
  const factory = new IDBFactory();
  const store = await open(factory);
  await store.saveRun('run-a', record(10));
  await tamper(factory, 'run-a', (p) => { p.version = 99; });
  assert.equal((await store.listRuns())[0].status, 'other-version');
  await assert.rejects(store.loadRun('run-a'), (e) => e.code === 'other-version' && /another version of the playground/.test(e.message));
});

test('two run ids are independent; deleteAll removes every run', async () => {
  const store = await open(new IDBFactory());
  await store.saveRun('tab-1', record(5, 1));
  await store.saveRun('tab-2', record(7, 2));
  await store.saveRun('tab-1', record(6, 3));
  assert.deepEqual(await store.loadRun('tab-2'), record(7, 2));
  assert.deepEqual(await store.loadRun('tab-1'), record(6, 3));
  assert.equal((await store.listRuns()).length, 2);
  await store.deleteAll();
  assert.deepEqual(await store.listRuns(), []);
  await assert.rejects(store.loadRun('tab-1'), (e) => e.code === 'not-found');
});

test('storage unavailable is a StorageError, not a crash', async () => {
  await assert.rejects(open(undefined), (e) => e.code === 'unavailable');
  const refusing = { open() { throw new DOMException('denied', 'SecurityError'); } };
  await assert.rejects(open(refusing), (e) => e.code === 'unavailable' && /SecurityError/.test(e.message));
});

test('run ids: one per tab session, kept across a reload; the lock helper claims a run once', async () => {
  const session = new Map();
  const s = { getItem: (k) => session.get(k) ?? null, setItem: (k, v) => session.set(k, v) };
  const id = tabRunId(s);
  assert.equal(tabRunId(s), id, 'a reload keeps the id');
  assert.notEqual(newRunId(), newRunId());
  assert.deepEqual({ ...(await claimRun('x', undefined)), release: null }, { owned: true, supported: false, release: null });
  // A minimal Locks API: one holder per name.
  const held = new Set();
  const locks = {
    async request(name, opts, cb) {
      if (held.has(name)) return cb(null);
      held.add(name);
      await cb({ name });
      held.delete(name);
    },
  };
  const first = await claimRun('run-a', locks);
  const second = await claimRun('run-a', locks);
  assert.equal(first.owned, true);
  assert.equal(second.owned, false, 'another tab already owns it');
  first.release();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal((await claimRun('run-a', locks)).owned, true, 'free again after release');
});

test('the sliced CRC-32 equals the byte-wise one at every length and offset', async () => {
  const { crc32Update, crc32UpdateBytewise, CRC32_INIT } = await import('../../www/js/crc32.js');
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
  for (let start = 0; start < 9; start++) {
    for (let len = 0; len < 40; len++) {
      const part = bytes.subarray(start, start + len); // offsets 0, 4, 8 take the word path
      assert.equal(crc32Update(CRC32_INIT, part), crc32UpdateBytewise(CRC32_INIT, part), `start ${start}, length ${len}`);
    }
  }
  assert.equal(crc32Update(crc32Update(CRC32_INIT, bytes.subarray(0, 13)), bytes.subarray(13)), crc32UpdateBytewise(CRC32_INIT, bytes));
});
