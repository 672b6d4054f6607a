// A small GIF89a reader for the unit tests: walks the block structure and LZW-decodes each frame's indices.

/** Reads the sub-blocks from `pos`; returns {data, end} (end: the position after the 0 terminator). */
function subBlocks(bytes, pos) {
  const parts = [];
  for (;;) {
    const n = bytes[pos];
    if (n === undefined) throw new Error('GIF: sub-blocks run past the end');
    pos += 1;
    if (n === 0) break;
    parts.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  const data = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { data.set(p, o); o += p.length; }
  return { data, end: pos };
}

/** GIF LZW decoding (variable code width from minCodeSize + 1 up to 12 bits, LSB first). */
export function lzwDecode(data, minCodeSize, pixelCount) {
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  const out = new Uint8Array(pixelCount);
  let written = 0;
  let table = [];
  let width = minCodeSize + 1;
  let prev = null;
  const reset = () => {
    table = Array.from({ length: clear + 2 }, (_, i) => (i < clear ? [i] : null));
    width = minCodeSize + 1;
    prev = null;
  };
  reset();
  let bitPos = 0;
  const totalBits = data.length * 8;
  while (bitPos + width <= totalBits) {
    let code = 0;
    for (let b = 0; b < width; b++, bitPos++) if (data[bitPos >> 3] & (1 << (bitPos & 7))) code |= 1 << b;
    if (code === clear) { reset(); continue; }
    if (code === eoi) break;
    let entry;
    if (code < table.length && table[code]) entry = table[code];
    else if (code === table.length && prev) entry = [...prev, prev[0]];
    else throw new Error(`GIF: bad LZW code ${code} (table ${table.length})`);
    for (const v of entry) if (written < pixelCount) out[written++] = v;
    if (prev && table.length < 4096) table.push([...prev, entry[0]]);
    prev = entry;
    if (table.length === 1 << width && width < 12) width += 1;
  }
  if (written !== pixelCount) throw new Error(`GIF: decoded ${written} pixels, expected ${pixelCount}`);
  return out;
}

/** Parses a GIF: {version, width, height, globalPalette, loop, frames: [{left, top, width, height, delayCs, palette, indices}], trailer}. */
export function parseGif(bytes) {
  const version = String.fromCharCode(...bytes.subarray(0, 6));
  const width = bytes[6] | (bytes[7] << 8);
  const height = bytes[8] | (bytes[9] << 8);
  const flags = bytes[10];
  let pos = 13;
  const readPalette = (f) => {
    if (!(f & 0x80)) return null;
    const n = 2 << (f & 7);
    const colors = [];
    for (let i = 0; i < n; i++) colors.push([bytes[pos + 3 * i], bytes[pos + 3 * i + 1], bytes[pos + 3 * i + 2]]);
    pos += 3 * n;
    return colors;
  };
  const globalPalette = readPalette(flags);
  const frames = [];
  let delayCs = 0;
  let loop = null;
  for (;;) {
    const introducer = bytes[pos];
    if (introducer === 0x3b) return { version, width, height, globalPalette, loop, frames, trailer: pos };
    if (introducer === 0x21) {
      const label = bytes[pos + 1];
      const { data, end } = subBlocks(bytes, pos + 2);
      if (label === 0xf9) delayCs = data[1] | (data[2] << 8);
      if (label === 0xff && String.fromCharCode(...data.subarray(0, 11)) === 'NETSCAPE2.0') loop = data[12] | (data[13] << 8);
      pos = end;
    } else if (introducer === 0x2c) {
      const left = bytes[pos + 1] | (bytes[pos + 2] << 8);
      const top = bytes[pos + 3] | (bytes[pos + 4] << 8);
      const w = bytes[pos + 5] | (bytes[pos + 6] << 8);
      const h = bytes[pos + 7] | (bytes[pos + 8] << 8);
      const f = bytes[pos + 9];
      pos += 10;
      const palette = readPalette(f) ?? globalPalette;
      const minCodeSize = bytes[pos];
      const { data, end } = subBlocks(bytes, pos + 1);
      pos = end;
      frames.push({ left, top, width: w, height: h, delayCs, palette, indices: lzwDecode(data, minCodeSize, w * h) });
    } else {
      throw new Error(`GIF: unexpected byte 0x${(introducer ?? 0).toString(16)} at ${pos}`);
    }
  }
}
