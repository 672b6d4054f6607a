// Autosave storage, DOM-free: whole runs (page options, lanes with their checkpoint bytes, curves and
// quality history, time-lapse frames) in IndexedDB, one record per run id, each save one transaction
// (a failed or interrupted save leaves the previous one), every record checked by a CRC-32 when read.
// The IDBFactory is a parameter (the page passes `indexedDB`, node tests `fake-indexeddb`).
// Design and record format: docs/autosave.md.

import { CRC32_INIT, crc32Update, crc32Finish } from './crc32.js';

export const DB_NAME = 'gan-playground-runs';
/** Version of the stored record's encoding; a record of another version is listed, never loaded. */
export const RECORD_VERSION = 1;
const SUMMARIES = 'summaries';
const PAYLOADS = 'payloads';

/** A storage failure with a `code`: unavailable, quota-exceeded, damaged, other-version, not-found, failed. */
export class StorageError extends Error {
  constructor(code, message, cause) {
    super(message);
    this.name = 'StorageError';
    this.code = code;
    if (cause) this.cause = cause;
  }
}

const TYPED = { Uint8Array, Float32Array, Float64Array, Int32Array, Uint32Array, Uint8ClampedArray, Int16Array, Uint16Array, Int8Array };

/** Splits a record into JSON text and binary chunks: every typed array becomes {"$bin": i, "type": name}. */
export function encodeRecord(record) {
  const chunks = [];
  const json = JSON.stringify(record, function (key, value) {
    const raw = this[key];
    if (ArrayBuffer.isView(raw) && TYPED[raw.constructor.name]) {
      // A byte array that is its whole buffer is stored as it is (IndexedDB copies it): no 13 MB copy here.
      const whole = raw instanceof Uint8Array && raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength;
      chunks.push(whole ? raw : new Uint8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
      return { $bin: chunks.length - 1, type: raw.constructor.name };
    }
    if (raw instanceof ArrayBuffer) {
      chunks.push(new Uint8Array(raw.slice(0)));
      return { $bin: chunks.length - 1, type: 'ArrayBuffer' };
    }
    return value;
  });
  return { json, chunks };
}

function decodeRecord(json, chunks) {
  return JSON.parse(json, (key, value) => {
    if (value && typeof value === 'object' && typeof value.$bin === 'number' && typeof value.type === 'string') {
      const bytes = chunks[value.$bin];
      if (!(bytes instanceof Uint8Array)) throw new StorageError('damaged', 'this saved run is damaged (a part of it is missing) and was not loaded');
      if (value.type === 'ArrayBuffer') return bytes.slice().buffer;
      const T = TYPED[value.type];
      return new T(bytes.slice().buffer);
    }
    return value;
  });
}

/** CRC-32 over the JSON text, then each chunk's length (4 bytes, little-endian) and bytes. */
export function recordChecksum(json, chunks) {
  let s = crc32Update(CRC32_INIT, new TextEncoder().encode(json));
  for (const c of chunks) {
    s = crc32Update(s, new Uint8Array(new Uint32Array([c.length]).buffer));
    s = crc32Update(s, c);
  }
  return crc32Finish(s);
}

function summaryOf(runId, record, bytes, crc) {
  const lanes = (record.lanes ?? []).map((l) => ({ objective: l?.config?.objective ?? null, step: l?.step ?? null, config: l?.config ?? null }));
  const dataset = record.options?.dataset ?? null;
  return { runId, version: RECORD_VERSION, savedAt: record.savedAt ?? Date.now(), lanes, dataset, bytes, crc };
}

function requestPromise(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function isQuota(e) {
  return e && (e.name === 'QuotaExceededError' || e.code === 22);
}

/** Waits for a transaction; maps its failure to a StorageError. */
function done(tx, what) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    const fail = () => {
      const e = tx.error;
      if (isQuota(e)) reject(new StorageError('quota-exceeded', `the browser's storage is full: ${what} was not written; the older saves are kept`, e));
      else reject(new StorageError('failed', `${what} failed (${e?.name ?? 'aborted'}); the older saves are kept`, e));
    };
    tx.onabort = fail;
    tx.onerror = (ev) => ev?.preventDefault?.();
  });
}

/**
 * Opens the store. `factory`: an IDBFactory (`indexedDB`); absent or refusing (an opaque origin,
 * private browsing, storage disabled) → StorageError 'unavailable'.
 */
export async function open(factory) {
  if (!factory || typeof factory.open !== 'function') {
    throw new StorageError('unavailable', 'this browser gives the page no storage here (IndexedDB is missing): runs are not saved');
  }
  let db;
  try {
    const req = factory.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const d = req.result;
      if (!d.objectStoreNames.contains(SUMMARIES)) d.createObjectStore(SUMMARIES, { keyPath: 'runId' });
      if (!d.objectStoreNames.contains(PAYLOADS)) d.createObjectStore(PAYLOADS, { keyPath: 'runId' });
    };
    db = await requestPromise(req);
  } catch (e) {
    throw new StorageError('unavailable', `the browser refuses the page storage here (${e?.name ?? e}): runs are not saved`, e);
  }
  return new RunStore(db);
}

export class RunStore {
  constructor(db) {
    this.db = db;
  }

  /**
   * Saves `record` ({version?, savedAt, options, lanes: [{config, step, checkpointBytes, curves,
   * quality}], frames}) as run `runId`, replacing its previous save in one transaction: if anything
   * fails (quota, a crash, a closed tab) the previous save stays. Resolves to {bytes, savedAt}.
   */
  async saveRun(runId, record) {
    const savedAt = record.savedAt ?? Date.now();
    const { json, chunks } = encodeRecord({ ...record, savedAt });
    const crc = recordChecksum(json, chunks);
    const bytes = json.length + chunks.reduce((a, c) => a + c.length, 0);
    const summary = summaryOf(runId, { ...record, savedAt }, bytes, crc);
    let tx;
    try {
      tx = this.db.transaction([SUMMARIES, PAYLOADS], 'readwrite');
    } catch (e) {
      throw new StorageError('failed', `saving the run failed (${e?.name ?? e}); the older saves are kept`, e);
    }
    const finished = done(tx, 'this save');
    try {
      tx.objectStore(SUMMARIES).put(summary);
      tx.objectStore(PAYLOADS).put({ runId, version: RECORD_VERSION, json, chunks, crc });
      // Commit now rather than when the page next idles: a save started at pagehide must not wait for a page that is going away.
      tx.commit?.();
    } catch (e) {
      try { tx.abort(); } catch { /* already finished */ }
      finished.catch(() => {});
      if (isQuota(e)) throw new StorageError('quota-exceeded', "the browser's storage is full: this save was not written; the older saves are kept", e);
      throw new StorageError('failed', `this save failed (${e?.name ?? e}); the older saves are kept`, e);
    }
    await finished;
    return { bytes, savedAt, summary: { runId, savedAt, lanes: summary.lanes, dataset: summary.dataset, bytes } };
  }

  /** Every saved run: [{runId, savedAt, lanes: [{objective, step}], bytes, status: 'ok'|'damaged'|'other-version'}], newest first. */
  async listRuns() {
    const tx = this.db.transaction([SUMMARIES, PAYLOADS], 'readonly');
    const [summaries, payloads] = await Promise.all([
      requestPromise(tx.objectStore(SUMMARIES).getAll()),
      requestPromise(tx.objectStore(PAYLOADS).getAll()),
    ]);
    const byId = new Map(payloads.map((p) => [p.runId, p]));
    const out = summaries.map((s) => ({
      runId: s.runId,
      savedAt: s.savedAt,
      lanes: Array.isArray(s.lanes) ? s.lanes : [],
      dataset: s.dataset ?? null,
      bytes: s.bytes ?? 0,
      status: statusOf(s, byId.get(s.runId)),
    }));
    return out.sort((a, b) => (b.savedAt ?? 0) - (a.savedAt ?? 0));
  }

  /** The record saved as `runId`; refuses (StorageError) a damaged one or one of another version. */
  async loadRun(runId) {
    const tx = this.db.transaction([SUMMARIES, PAYLOADS], 'readonly');
    const [s, p] = await Promise.all([
      requestPromise(tx.objectStore(SUMMARIES).get(runId)),
      requestPromise(tx.objectStore(PAYLOADS).get(runId)),
    ]);
    if (!s && !p) throw new StorageError('not-found', 'there is no saved run of this id');
    const status = statusOf(s, p);
    if (status === 'other-version') {
      throw new StorageError('other-version', 'this saved run was written by another version of the playground and cannot be loaded here; delete it or open it with that version');
    }
    if (status !== 'ok') throw new StorageError('damaged', 'this saved run is damaged (checksum mismatch) and was not loaded; it can be deleted');
    return decodeRecord(p.json, p.chunks);
  }

  async deleteRun(runId) {
    const tx = this.db.transaction([SUMMARIES, PAYLOADS], 'readwrite');
    const finished = done(tx, 'deleting the run');
    tx.objectStore(SUMMARIES).delete(runId);
    tx.objectStore(PAYLOADS).delete(runId);
    await finished;
  }

  async deleteAll() {
    const tx = this.db.transaction([SUMMARIES, PAYLOADS], 'readwrite');
    const finished = done(tx, 'deleting the saved runs');
    tx.objectStore(SUMMARIES).clear();
    tx.objectStore(PAYLOADS).clear();
    await finished;
  }

  /** Bytes the saved runs take (their records' sizes). */
  async usage() {
    return (await this.listRuns()).reduce((a, r) => a + (r.bytes || 0), 0);
  }

  close() {
    this.db.close();
  }
}

function statusOf(summary, payload) {
  if (!summary || !payload) return 'damaged';
  if (summary.version !== RECORD_VERSION || payload.version !== RECORD_VERSION) return 'other-version';
  if (typeof payload.json !== 'string' || !Array.isArray(payload.chunks) || !payload.chunks.every((c) => c instanceof Uint8Array)) return 'damaged';
  const crc = recordChecksum(payload.json, payload.chunks);
  return crc === payload.crc && crc === summary.crc ? 'ok' : 'damaged';
}

/** A new run id: time and randomness, unique per tab. */
export function newRunId(random = Math.random) {
  return `run-${Date.now().toString(36)}-${Math.floor(random() * 2 ** 32).toString(36)}`;
}

const TAB_KEY = 'gan-playground-run-id';

/** Makes `runId` this tab's run (e.g. after resuming another run, or starting a fresh one after a reload). */
export function setTabRunId(session, runId) {
  try {
    session?.setItem(TAB_KEY, runId);
  } catch {
    // No session storage (an opaque origin): the id lives as long as the page.
  }
}

/** This tab's run id, kept in `session` (sessionStorage: it survives a reload of the tab, not another tab). */
export function tabRunId(session) {
  try {
    const known = session?.getItem(TAB_KEY);
    if (known) return known;
    const id = newRunId();
    session?.setItem(TAB_KEY, id);
    return id;
  } catch {
    return newRunId();
  }
}

/**
 * Claims run `runId` for this tab with a Web Lock (`locks`: navigator.locks), held until `release()`
 * or the tab closes. Resolves to {owned, supported, release}: owned false when another tab holds it;
 * without the Locks API, supported false and owned true (the run id alone keeps tabs apart).
 */
export async function claimRun(runId, locks = globalThis.navigator?.locks) {
  if (!locks || typeof locks.request !== 'function') return { owned: true, supported: false, release() {} };
  let release = () => {};
  const owned = await new Promise((resolve, reject) => {
    locks
      .request(`gan-playground-run:${runId}`, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(false);
          return null;
        }
        resolve(true);
        return new Promise((r) => { release = r; });
      })
      .catch(reject);
  });
  return { owned, supported: true, release: () => release() };
}
