/**
 * A `.npy` file from the format's definition (numpy's NEP 1, version 1.0), written here independently of
 * vecpg's reader and writer: the magic `\x93NUMPY`, version 1.0, the little-endian uint16 length of a header
 * dictionary padded with spaces and a newline so that the data starts at a multiple of 64, then the data.
 */
export function npyFile(descr: string, rows: number, dims: number, data: Uint8Array): Buffer {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${dims}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = `${dict.padEnd(total - 11, ' ')}\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), data]);
}
