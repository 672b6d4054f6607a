// 2-D checkpoints on the page: a lane's "save" downloads a .gan2d file (weights, optimizer state, random
// streams, step, config and the lane's curves: src/plane/lane/checkpoint.rs); "Load checkpoint…" adds a
// lane from one, which goes on exactly where it stopped. A refused file is named in a notice.
import { LANE_COLORS } from '../store.js';
import { download } from '../timelapse-ui.js';

/** `request(type, args)`: the worker's; lanes are numbered from 0 as in the page API. */
export function planeCheckpoints(store, request) {
  const P = () => store.state.plane;
  const laneAt = (i, what) => {
    const lane = Number.isInteger(i) ? P().lanes[i] : null;
    if (!lane || lane.loading) throw new Error(`${what}: no lane ${JSON.stringify(i)}; lanes are numbered from 0 to ${P().lanes.length - 1}`);
    return lane;
  };

  async function save(i = 0) {
    const lane = laneAt(i, 'saveCheckpoint');
    if (lane.error) throw new Error(`saveCheckpoint: lane ${i + 1} was not built (${lane.error})`);
    const curves = JSON.stringify({ version: 1, loss: lane.curves.loss, dist: lane.curves.dist });
    const { bytes } = await request('save', { lane: lane.id, curves });
    return bytes;
  }

  async function downloadLane(i) {
    const lane = laneAt(i, 'save');
    const bytes = await save(i);
    download(new Blob([bytes], { type: 'application/octet-stream' }), `gan2d-${lane.objective}-${lane.config?.dataset ?? 'plane'}-step${lane.step}.gan2d`);
    return bytes.length;
  }

  async function load(bytes, name = 'the file') {
    const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
    if (!(data instanceof Uint8Array)) throw new Error("loadCheckpoint expects the file's bytes (a Uint8Array or ArrayBuffer)");
    const { maxLanes, maxCheckpointBytes } = P().limits;
    if (data.length > maxCheckpointBytes) throw new Error(`the file is ${(data.length / 1e6).toFixed(1)} MB; a checkpoint is at most ${maxCheckpointBytes / 1e6} MB`);
    if (P().lanes.length >= maxLanes) throw new Error(`at most ${maxLanes} lanes; remove one before loading a checkpoint`);
    const { lane: id } = store.update('planeLoading', { colors: LANE_COLORS });
    try {
      const result = await request('load', { lane: id, bytes: data.slice() });
      let curves = null;
      try {
        curves = result.curves ? JSON.parse(result.curves) : null;
      } catch { /* a file's curves that are not JSON: the charts start empty */ }
      store.update('planeLoaded', { lane: id, config: result.config, step: result.step, curves });
      const index = P().lanes.findIndex((l) => l.id === id);
      store.update('planeNotice', { text: `Loaded ${name} as lane ${index + 1} (${result.config.objective} on ${result.config.dataset}) at step ${result.step}.`, level: 'info' });
      return { lane: index, step: result.step, config: result.config };
    } catch (e) {
      store.update('planeDrop', { lane: id });
      store.update('planeNotice', { text: `${name} was not loaded: ${e.message}`, level: 'error' });
      throw e;
    }
  }

  return { save, download: downloadLane, load };
}
