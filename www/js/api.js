// Page API for course pages and tests: `window.ganPlayground`, and the same commands over postMessage
// when the playground runs inside an iframe.

const COMMANDS = ['play', 'pause', 'step', 'reset', 'rollback', 'configure', 'status'];
const MESSAGE_TYPE = 'gan-playground';

/**
 * Installs `window.ganPlayground` over `controller` (play, pause, step, reset, rollback, configure,
 * status), plus `controller.testHooks` when the page enabled them (`?test=1`; not over postMessage).
 */
export function installApi(controller) {
  const api = Object.freeze({
    play: () => controller.play(),
    pause: () => controller.pause(),
    step: (n = 1) => controller.step(n),
    reset: () => controller.reset(),
    rollback: () => controller.rollback(),
    ...(controller.testHooks ?? {}),
    configure: (config) => controller.configure(config),
    status: () => controller.status(),
  });
  window.ganPlayground = api;

  if (window.parent !== window) {
    window.addEventListener('message', async (event) => {
      const msg = event.data;
      // Only the documented shape is accepted: {type: 'gan-playground', command, args?, id?}.
      if (!msg || typeof msg !== 'object' || msg.type !== MESSAGE_TYPE || !COMMANDS.includes(msg.command)) return;
      const args = Array.isArray(msg.args) ? msg.args : [];
      try {
        const result = await api[msg.command](...args);
        event.source?.postMessage({ type: `${MESSAGE_TYPE}:reply`, id: msg.id, ok: true, result: result ?? null }, '*');
      } catch (e) {
        event.source?.postMessage({ type: `${MESSAGE_TYPE}:reply`, id: msg.id, ok: false, error: String(e?.message ?? e) }, '*');
      }
    });
  }
  return api;
}

/** Sends a status event to the embedding page, if any. */
export function emitStatus(status) {
  if (window.parent !== window) window.parent.postMessage({ type: `${MESSAGE_TYPE}:status`, status }, '*');
}
