/**
 * CopyOutReader reads PostgreSQL's binary COPY output however it is cut into chunks: every split point,
 * one byte at a time, tuples of several fields with NULLs, a header extension.
 */
import { describe, expect, it } from 'vitest';
import { CopyOutReader } from '../../src/io/copy-out.ts';

/** A binary COPY stream written here from the format's definition (not with vecpg's encoder). */
function copyStream(rows: (Uint8Array | null)[][], extension = new Uint8Array(0)): Uint8Array {
  const parts: number[] = [...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), 0, 0, 0, 0];
  const int32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  parts.push(...int32(extension.length), ...extension);
  for (const row of rows) {
    parts.push((row.length >> 8) & 255, row.length & 255);
    for (const f of row) {
      if (f === null) parts.push(255, 255, 255, 255);
      else parts.push(...int32(f.length), ...f);
    }
  }
  parts.push(255, 255);
  return Uint8Array.from(parts);
}

function readAll(chunks: Uint8Array[], columns: number): (number[] | null)[] {
  const reader = new CopyOutReader(columns);
  const out: (number[] | null)[] = [];
  for (const c of chunks)
    reader.push(c, (bytes, _view, start, length) =>
      out.push(length < 0 ? null : [...bytes.subarray(start, start + length)]),
    );
  reader.end();
  return out;
}

const ROWS: (Uint8Array | null)[][] = [
  [Uint8Array.of(1, 2, 3), null],
  [new Uint8Array(0), Uint8Array.of(9)],
  [null, Uint8Array.from({ length: 300 }, (_, i) => i & 255)],
];
const EXPECTED = ROWS.flat().map((f) => (f === null ? null : [...f]));

describe('CopyOutReader', () => {
  it('reads the same fields at every split point, and a byte at a time', () => {
    const data = copyStream(ROWS, Uint8Array.of(7, 7, 7));
    for (let cut = 0; cut <= data.length; cut++)
      expect(readAll([data.subarray(0, cut), data.subarray(cut)], 2)).toEqual(EXPECTED);
    expect(
      readAll(
        [...data].map((b) => Uint8Array.of(b)),
        2,
      ),
    ).toEqual(EXPECTED);
  });

  it('refuses a wrong signature, a tuple of another width, a cut-off stream and data after the trailer', () => {
    const data = copyStream(ROWS);
    const bad = data.slice();
    bad[0] = 0x51;
    expect(() => readAll([bad], 2)).toThrow(/PGCOPY signature/);
    expect(() => readAll([data], 3)).toThrow(/2 fields, not 3/);
    expect(() => readAll([data.subarray(0, data.length - 5)], 2)).toThrow(/ended inside a tuple/);
    expect(() => readAll([data, Uint8Array.of(0)], 2)).toThrow(/after the trailer/);
    expect(() => readAll([Uint8Array.from([...data, 0])], 2)).toThrow(/after the trailer/);
  });
});
