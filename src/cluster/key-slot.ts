/**
 * keyHashSlot (cluster.c): a key's hash slot is CRC16-XMODEM of the key modulo 16384,
 * where a key holding "{...}" with at least one byte between the braces hashes only
 * those bytes (the hash tag). Keys are binary strings (one byte per char).
 */
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16 (XMODEM: poly 0x1021, init 0) of the bytes start..end of a binary string. */
export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!;
  return crc;
}

export function keyHashSlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    // "{}" hashes the whole key, as no tag.
    if (close !== -1 && close !== open + 1) return crc16(key, open + 1, close) & 0x3fff;
  }
  return crc16(key) & 0x3fff;
}
