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
// Slicing by 8: T[k][i] is the CRC state change of byte i followed by k zero bytes, so eight bytes take
// eight look-ups (4× faster than byte by byte; a save hashes a 13 MB checkpoint on the page).
const SLICES = (() => {
  const t = [TABLE];
  for (let k = 1; k < 8; k++) {
    const prev = t[k - 1];
    const next = new Uint32Array(256);
    for (let i = 0; i < 256; i++) next[i] = (prev[i] >>> 8) ^ TABLE[prev[i] & 0xff];
    t.push(next);
  }
  return t;
})();

export const CRC32_INIT = 0xffffffff;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Byte by byte: the reference the sliced code is tested against. */
export function crc32UpdateBytewise(state, bytes) {
  let c = state >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/** Feeds `bytes` (a Uint8Array) into a running state. */
export function crc32Update(state, bytes) {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = SLICES;
  let c = state >>> 0;
  const n = bytes.length;
  const end = n - (n % 8);
  let i = 0;
  if (LITTLE_ENDIAN && (bytes.byteOffset & 3) === 0) {
    // Two 32-bit words per eight bytes (the byte order of a little-endian machine is the CRC's).
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, end >>> 2);
    for (let w = 0; w < words.length; w += 2) {
      c ^= words[w];
      const hi = words[w + 1];
      c = t7[c & 0xff] ^ t6[(c >>> 8) & 0xff] ^ t5[(c >>> 16) & 0xff] ^ t4[c >>> 24]
        ^ t3[hi & 0xff] ^ t2[(hi >>> 8) & 0xff] ^ t1[(hi >>> 16) & 0xff] ^ t0[hi >>> 24];
    }
    i = end;
  }
  for (; i < end; i += 8) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t7[c & 0xff] ^ t6[(c >>> 8) & 0xff] ^ t5[(c >>> 16) & 0xff] ^ t4[c >>> 24]
      ^ t3[bytes[i + 4]] ^ t2[bytes[i + 5]] ^ t1[bytes[i + 6]] ^ t0[bytes[i + 7]];
  }
  for (; i < n; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

export function crc32Finish(state) {
  return (state ^ 0xffffffff) >>> 0;
}

/** CRC-32 of a Uint8Array: crc32(new TextEncoder().encode('123456789')) === 0xcbf43926. */
export function crc32(bytes) {
  return crc32Finish(crc32Update(CRC32_INIT, bytes));
}
