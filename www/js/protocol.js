// Worker protocol: the message types exchanged between the page and the training worker.
//
// page → worker: {type: 'init', backend, dataUrl, config} | {type: 'configure', config}
//                {type: 'play'} | {type: 'pause'} | {type: 'step', n} | {type: 'reset'}
//                {type: 'codes', view}                  view: {zIndex, sweep, other, cols} or null (explorer closed)
// worker → page: {type: 'ready', backend, adapter, notice, objectives, config, dataset}
//                {type: 'config', config, errors, codes} validated config (errors: fields replaced by defaults);
//                                                        codes: [categorical, continuous] of the generator input
//                {type: 'stats', stats: [...], stepsPerSec, running}
//                {type: 'samples', step, pixels}         pixels: Uint8Array(64 × 784), 0 = background
//                {type: 'codeGrid', step, rows, cols, sweep, pixels}   code explorer grid (rows × cols × 784)
//                {type: 'running', running}
//                {type: 'diverged', step}
//                {type: 'error', message}                recoverable; training state is kept
//                {type: 'fatal', message, fallback}      the worker cannot go on; restart it (on `fallback`)

/** Largest number of steps one `step(n)` command may ask for. */
export const MAX_STEP_REQUEST = 10000;
