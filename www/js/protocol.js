// Worker protocol: the message types exchanged between the page and the training worker.
//
// Every message about one lane carries `lane`, the lane's id (the page numbers lanes; ids are not reused).
// page → worker: {type: 'init', backend, dataUrl, classifierUrl, lanes: [{id, config, checkpoint?}],
//                       snapshotEvery?, options: {speed, evalEvery}}   checkpoint: bytes from a 'checkpoint'
//                                                        message (a restart) restore that lane
//                {type: 'addLane', lane, config?, checkpoint?, requestId?}  a checkpoint here is a file the
//                                                        user loaded: refused (an 'error' with requestId) if bad
//                {type: 'removeLane', lane} | {type: 'configure', lane, config} | {type: 'reset', lane?}
//                {type: 'play'} | {type: 'pause'} | {type: 'step', n, phase}   phase: 'both', 'd' or 'g'
//                {type: 'options', speed?, evalEvery?}   speed: steps/s per lane (0 = full speed)
//                {type: 'rollback', lane}                back to the lane's last healthy snapshot
//                {type: 'save', lane, curves, requestId} a checkpoint of the lane now (curves: JSON text)
//                {type: 'codes', lane, view}             view: {zIndex, sweep, other, cols} or null (closed)
//                {type: 'interpolate', lane, view}       view: {a, b, frames} or null (closed)
//                test hooks (page loaded with ?test=1):
//                {type: 'snapshotEvery', n} | {type: 'testPanic'} | {type: 'testDeviceLoss'}
//                {type: 'testLearningRates', lane, lr_g, lr_d}  unvalidated learning rates, to provoke divergence
// worker → page: {type: 'ready', backend, adapter, notice, objectives, dataset, metrics}
//                                                        metrics: {accuracy, samples} or null (no classifier)
//                {type: 'config', lane, config, errors, codes, restoredStep?, curves?}  validated config (errors:
//                                                        fields replaced by defaults); codes: [categorical,
//                                                        continuous]; restoredStep: rebuilt from a checkpoint;
//                                                        curves: the ones a loaded file carried
//                {type: 'removed', lane}
//                {type: 'stats', lane, stats: [...], stepsPerSec, msPerStep, memoryBytes}
//                {type: 'samples', lane, step, pixels}   pixels: Uint8Array(64 × 784), 0 = background
//                {type: 'quality', lane, step, fid, classesCovered, histogram, n, dReal, dFake, ms}
//                                                        live metrics on n fresh samples; dReal/dFake:
//                                                        Float32Array of D's scores on real and generated images
//                {type: 'codeGrid', lane, step, rows, cols, sweep, pixels}   code explorer grid
//                {type: 'interpolation', lane, step, a, b, frames, pixels}   frames × 784 bytes
//                {type: 'running', running}
//                {type: 'diverged', lane, step, snapshotStep, losses, weights}   the lane stopped at `step`
//                {type: 'rolledBack', lane, step}
//                {type: 'checkpoint', lane, step, bytes} the lane's last healthy snapshot (kept by the page)
//                {type: 'saved', lane, requestId, step, bytes}   answer to 'save'
//                {type: 'deviceLost', reason, message, backend, simulated}   restart and restore the worker
//                {type: 'crashed', message}              a panic: the module is unusable; offer a restart
//                {type: 'error', message, requestId?}    recoverable; training state is kept
//                {type: 'fatal', message, fallback}      WebGPU start-up failed; restart on `fallback`

/** Largest number of steps one `step(n)` command may ask for. */
export const MAX_STEP_REQUEST = 10000;
