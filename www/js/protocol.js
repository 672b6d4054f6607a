// Worker protocol: the message types exchanged between the page and the training worker.
//
// page → worker: {type: 'init', backend, dataUrl, config, checkpoint?, snapshotEvery?}
//                                                        checkpoint: bytes from a 'checkpoint' message (a restart)
//                {type: 'configure', config}
//                {type: 'play'} | {type: 'pause'} | {type: 'step', n} | {type: 'reset'}
//                {type: 'rollback', lane}                back to the lane's last healthy snapshot (lane id: 0 today)
//                {type: 'codes', view}                  view: {zIndex, sweep, other, cols} or null (explorer closed)
//                test hooks (page loaded with ?test=1):
//                {type: 'snapshotEvery', n} | {type: 'testPanic'} | {type: 'testDeviceLoss'}
//                {type: 'testLearningRates', lr_g, lr_d}  unvalidated learning rates, to provoke divergence
// worker → page: {type: 'ready', backend, adapter, notice, objectives, config, dataset}
//                {type: 'config', config, errors, codes, restoredStep?} validated config (errors: fields replaced
//                                                        by defaults); codes: [categorical, continuous] of the
//                                                        generator input; restoredStep: rebuilt from a checkpoint
//                {type: 'stats', stats: [...], stepsPerSec, running, memoryBytes}   memoryBytes: wasm memory size
//                {type: 'samples', step, pixels}         pixels: Uint8Array(64 × 784), 0 = background
//                {type: 'codeGrid', step, rows, cols, sweep, pixels}   code explorer grid (rows × cols × 784)
//                {type: 'running', running}
//                {type: 'diverged', lane, step, snapshotStep, losses, weights}   the lane stopped at `step`; which
//                                                        of its losses/diagnostics and weights were non-finite
//                {type: 'rolledBack', lane, step}
//                {type: 'checkpoint', lane, step, bytes} the lane's last healthy snapshot as bytes (kept by the page)
//                {type: 'deviceLost', reason, message, backend, simulated}   restart and restore the worker
//                {type: 'crashed', message}              a panic: the module is unusable; offer a restart
//                {type: 'error', message}                recoverable; training state is kept
//                {type: 'fatal', message, fallback}      WebGPU start-up failed; restart on `fallback`

/** Largest number of steps one `step(n)` command may ask for. */
export const MAX_STEP_REQUEST = 10000;
