// Unit tests of the worker protocol (www/js/protocol.js): request ids, validators, replies, events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUESTS, EVENTS, checkRequest, requestMaker, reply, failure, event, checkWorkerMessage } from '../../www/js/protocol.js';

test('every request gets a fresh whole-number id and keeps its arguments', () => {
  const make = requestMaker();
  const a = make('step', { n: 3, phase: 'd' });
  const b = make('play');
  assert.deepEqual(a, { kind: 'request', id: 1, type: 'step', n: 3, phase: 'd' });
  assert.equal(b.id, 2);
  assert.equal(checkRequest(a), null);
  assert.equal(checkRequest(b), null);
  // Arguments cannot overwrite the envelope.
  assert.equal(make('play', { id: 99, kind: 'x', type: 'pause' }).type, 'play');
});

test('validators refuse bad arguments with a message naming the request', () => {
  const make = requestMaker();
  const cases = [
    [make('step', { n: 0, phase: 'both' }), /step: n/],
    [make('step', { n: 1, phase: 'x' }), /phase/],
    [make('configure', { lane: 1 }), /configure/],
    [make('removeLane', { lane: '1' }), /lane id/],
    [make('addLane', { lane: 1, checkpoint: [1, 2] }), /bytes/],
    [make('init', { backend: 'gpu', dataUrl: 'x', lanes: [] }), /backend/],
    [make('save', { lane: 1 }), /curves/],
    [make('bogus'), /unknown request "bogus"/],
    [{ kind: 'request', type: 'play' }, /id/],
    [null, /not a request/],
  ];
  for (const [msg, pattern] of cases) assert.match(checkRequest(msg) ?? 'accepted', pattern, JSON.stringify(msg));
  assert.equal(checkRequest(make('addLane', { lane: 2, checkpoint: new Uint8Array(4) })), null);
  assert.equal(checkRequest(make('reset', {})), null);
  assert.ok(Object.keys(REQUESTS).length >= 15);
});

test('replies and events have one shape each; unknown events are refused', () => {
  assert.deepEqual(reply(4, { step: 2 }), { kind: 'reply', id: 4, ok: true, result: { step: 2 } });
  assert.deepEqual(failure(5, 'no', { code: 'dataset-mismatch' }), { kind: 'reply', id: 5, ok: false, error: 'no', code: 'dataset-mismatch' });
  assert.deepEqual(event('running', { running: true }), { kind: 'event', type: 'running', running: true });
  assert.throws(() => event('config', {}), /unknown event config/);
  assert.equal(checkWorkerMessage(reply(1)), null);
  assert.equal(checkWorkerMessage(event('stats', { lane: 1, stats: [] })), null);
  assert.match(checkWorkerMessage({ kind: 'event', type: 'nope' }), /unknown event/);
  assert.match(checkWorkerMessage({ kind: 'reply', ok: true }), /id/);
  assert.match(checkWorkerMessage({ type: 'stats' }), /neither/);
  for (const fields of Object.values(EVENTS)) assert.ok(fields.every((f) => /^[a-z][a-zA-Z]*$/.test(f)), 'payload fields are camelCase');
});
