/**
 * Real PNG files of a given size, base64-encoded as image models return them: a blank 1-bit grayscale image in
 * stored (uncompressed) deflate blocks, so the bytes are valid for any decoder and their header says the size a
 * client (or a gateway metering images by size) reads. Built with web-standard code only; kept per size.
 */

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const cache = new Map<string, string>();

/** A blank `width` × `height` PNG as base64. */
export function blankPngBase64(width: number, height: number): string {
  const key = `${width}x${height}`;
  let png = cache.get(key);
  if (png === undefined) {
    png = toBase64(blankPng(width, height));
    if (cache.size >= 16) cache.delete(cache.keys().next().value!);
    cache.set(key, png);
  }
  return png;
}

function blankPng(width: number, height: number): Uint8Array {
  const rowBytes = 1 + Math.ceil(width / 8); // filter byte + 1 bit per pixel
  const raw = new Uint8Array(rowBytes * height).fill(0xff);
  for (let y = 0; y < height; y++) raw[y * rowBytes] = 0; // filter type None
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, adaptive filtering, no interlace
  return concat([new Uint8Array(SIGNATURE), chunk("IHDR", ihdr), chunk("IDAT", zlibStored(raw)), chunk("IEND", new Uint8Array(0))]);
}

/** A zlib stream of stored deflate blocks (at most 65,535 bytes each) with its Adler-32. */
function zlibStored(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0x78, 0x01])];
  for (let at = 0; at < data.length || at === 0; at += 65_535) {
    const block = data.subarray(at, at + 65_535);
    const last = at + 65_535 >= data.length;
    const header = new Uint8Array(5);
    header[0] = last ? 1 : 0;
    new DataView(header.buffer).setUint16(1, block.length, true);
    new DataView(header.buffer).setUint16(3, ~block.length & 0xffff, true);
    parts.push(header, block);
    if (last) break;
  }
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65_521;
    b = (b + a) % 65_521;
  }
  const adler = new Uint8Array(4);
  new DataView(adler.buffer).setUint32(0, ((b << 16) | a) >>> 0);
  parts.push(adler);
  return concat(parts);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
