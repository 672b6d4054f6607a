// CRC-32 (IEEE 802.3: reflected, polynomial 0xEDB88320, as zlib, PNG and the Rust side's
// weights::crc32). DOM-free. crc32(bytes) or, in pieces, crc32Update(state, bytes) from CRC32_INIT and
// crc32Finish(state) at the end.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export const CRC32_INIT = 0xffffffff;

/** Feeds `bytes` (a Uint8Array) into a running state. */
export function crc32Update(state, bytes) {
  let c = state >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

export function crc32Finish(state) {
  return (state ^ 0xffffffff) >>> 0;
}

/** CRC-32 of a Uint8Array: crc32(new TextEncoder().encode('123456789')) === 0xcbf43926. */
export function crc32(bytes) {
  return crc32Finish(crc32Update(CRC32_INIT, bytes));
}
