// Prepared checkpoints: files that ship with the site (`checkpoints/*.ganlane`, `make checkpoints`) and
// that `checkpoint=` in the URL or a lesson step names, so a lesson can begin at step 2000. Only a
// relative path on the page's own origin is fetched; anything else is refused with words saying why.
// DOM-free but for `fetch` (node unit tests).

/** Longest path accepted (the URL codec's limit on a value). */
export const MAX_PATH_LENGTH = 200;
const PATH_CHARS = /^[A-Za-z0-9_./-]+$/;

/** Why `path` cannot name a prepared checkpoint, or null when it can. */
export function preparedPathProblem(path) {
  if (typeof path !== 'string' || path === '') return 'no file named';
  if (path.length > MAX_PATH_LENGTH) return `the path is ${path.length} characters long (at most ${MAX_PATH_LENGTH})`;
  if (!PATH_CHARS.test(path)) return 'a path of this site uses only letters, digits and _ . / -';
  if (path.startsWith('/') || path.includes('//')) return 'the path must be relative to the page, like checkpoints/infogan-mlp.ganlane';
  if (path.split('/').some((part) => part === '..' || part === '.')) return 'the path may not step out of the site with .. or .';
  if (!path.endsWith('.ganlane')) return 'a checkpoint file ends in .ganlane';
  return null;
}

/**
 * Fetches the prepared checkpoint `path` (checked by `preparedPathProblem`) relative to `base` (the
 * page's address), refusing a file larger than `maxBytes` before reading it all. Resolves to its
 * bytes; throws an Error whose message says in plain words what went wrong.
 */
export async function fetchPrepared(path, { base, maxBytes, fetchFn = fetch }) {
  const problem = preparedPathProblem(path);
  if (problem) throw new Error(problem);
  const url = new URL(path, base);
  if (url.origin !== new URL(base).origin) throw new Error('the file must come from this site');
  let response;
  try {
    response = await fetchFn(url.href, { credentials: 'same-origin' });
  } catch (e) {
    throw new Error(`the file could not be fetched (${e?.message ?? e})`);
  }
  if (response.status === 404) throw new Error('this site has no such file');
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  const announced = Number(response.headers.get('content-length'));
  const tooLarge = (n) => new Error(`the file is ${(n / 1e6).toFixed(1)} MB; a checkpoint is at most ${maxBytes / 1e6} MB`);
  if (announced > maxBytes) throw tooLarge(announced);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(bytes.length);
  return bytes;
}

/** Each lane's prepared checkpoint path ('' for a lane that does not run from one): `page.checkpoints`. */
export const preparedPaths = (lanes) => lanes.map((l) => l.prepared?.path ?? '');

/** The `checkpoint=` value for lanes whose prepared paths are `paths` ('' or null: none); '' when none. */
export function checkpointParam(paths) {
  const list = paths.map((p) => p ?? '');
  while (list.length && list.at(-1) === '') list.pop();
  return list.join(',');
}
