/**
 * Fuzzed binary readers (.npy, .fvecs, .bvecs): valid files, byte-mutated files, hostile headers
 * (a huge shape or dimension count in a tiny file) and random bytes, in random chunks. Only
 * VecpgError escapes, in bounded time (./harness.ts), and every accepted record holds exactly the
 * numbers at its place in the file, decoded here independently.
 * Fixed seed, CI-sized; FUZZ_RUNS=100000 (`npm run fuzz`) for long runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { halfValue } from '../property/arbitraries.ts';
import { cuts, fuzzParams, mutateBytes, readFuzzed } from './harness.ts';

type Dtype = 'f2' | 'f4' | 'f8';
const SIZE: Record<Dtype, number> = { f2: 2, f4: 4, f8: 8 };

/** A .npy file, format version 1 (or 2), with a header dictionary padded as numpy pads it. */
function npyFile(dtype: Dtype, little: boolean, shape: string, data: Uint8Array, version: 1 | 2 = 1): Uint8Array {
  let dict = `{'descr': '${little ? '<' : '>'}${dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pre = version === 1 ? 10 : 12;
  dict += ' '.repeat(63 - ((pre + dict.length) % 64)) + '\n';
  const out = new Uint8Array(pre + dict.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0], 0);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, dict.length, true);
  else view.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  out.set(data, pre + dict.length);
  return out;
}

const validNpy = fc
  .record({
    dtype: fc.constantFrom<Dtype>('f2', 'f4', 'f8'),
    little: fc.boolean(),
    rows: fc.integer({ min: 0, max: 3 }),
    cols: fc.integer({ min: 1, max: 5 }),
    version: fc.constantFrom<1 | 2>(1, 2),
  })
  .chain((h) =>
    fc
      .uint8Array({ minLength: h.rows * h.cols * SIZE[h.dtype], maxLength: h.rows * h.cols * SIZE[h.dtype] })
      .map((data) => npyFile(h.dtype, h.little, `(${h.rows}, ${h.cols})`, data, h.version)),
  );

const hostileNpy = fc.oneof(
  fc
    .constantFrom(
      '(99999999999, 4)',
      '(1, 99999999999)',
      '(4294967296, 4294967296)',
      '(3000000000, 16000)',
      '(1, 1e3)',
      '(-1, 2)',
      '(2,)',
      '()',
    )
    .map((shape) => npyFile('f4', true, shape, new Uint8Array(16))),
  // A version-2 header claiming a 4 GB dictionary in a 20-byte file.
  fc.constant(Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0xff, 0x7b, 0x7d)),
);

/** Independent decoding of an accepted .npy: the header's dtype, byte order and columns; row r's values. */
function npyRow(bytes: Uint8Array, row: number): number[] {
  const version = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pre = version === 1 ? 10 : 12;
  const length = version === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dict = new TextDecoder('latin1').decode(bytes.subarray(pre, pre + length));
  const [, order, kind] = /'descr'\s*:\s*'([<>|=])(f[248])'/.exec(dict)!;
  const cols = Number(/'shape'\s*:\s*\(\s*[0-9]+L?\s*,\s*([0-9]+)/.exec(dict)![1]); // Python 2 longs: (2L, 3L)
  const size = SIZE[kind as Dtype];
  const little = order !== '>';
  const out: number[] = [];
  for (let c = 0; c < cols; c++) {
    const at = pre + length + (row * cols + c) * size;
    out.push(
      size === 2
        ? halfValue(view.getUint16(at, little))
        : size === 4
          ? view.getFloat32(at, little)
          : view.getFloat64(at, little),
    );
  }
  return out;
}

/** fvecs/bvecs: records of int32 LE dimension + values. */
function vecsFile(records: ReadonlyArray<ArrayLike<number>>, element: 'float32' | 'uint8'): Uint8Array {
  const size = element === 'float32' ? 4 : 1;
  const total = records.reduce((n, r) => n + 4 + r.length * size, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const r of records) {
    view.setInt32(at, r.length, true);
    at += 4;
    for (let i = 0; i < r.length; i++, at += size) {
      if (size === 4) view.setFloat32(at, r[i]!, true);
      else out[at] = r[i]!;
    }
  }
  return out;
}

/** Independent walk over an fvecs/bvecs file: the values of record n (1-based), or null past the end. */
function vecsRecord(bytes: Uint8Array, n: number, element: 'float32' | 'uint8'): number[] | null {
  const size = element === 'float32' ? 4 : 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (let k = 1; at + 4 <= bytes.length; k++) {
    const dim = view.getInt32(at, true);
    if (k === n) {
      return Array.from({ length: dim }, (_, i) =>
        size === 4 ? view.getFloat32(at + 4 + 4 * i, true) : bytes[at + 4 + i]!,
      );
    }
    at += 4 + dim * size;
  }
  return null;
}

function same(actual: ArrayLike<number>, expected: readonly number[]): boolean {
  return (
    actual.length === expected.length &&
    expected.every((x, i) => Object.is(actual[i], x) || (Number.isNaN(x) && Number.isNaN(actual[i])))
  );
}

describe('fuzz .npy reader', () => {
  it('accepted rows hold exactly the numbers at their place in the file; hostile headers are refused cleanly', async () => {
    const input = fc.oneof(validNpy, mutateBytes(validNpy), hostileNpy, fc.uint8Array({ maxLength: 64 }));
    await fc.assert(
      fc.asyncProperty(input, cuts, async (bytes, at) => {
        const { records } = await readFuzzed('npy', bytes, at);
        for (const r of records)
          expect(
            same(r.vector.kind === 'dense' ? r.vector.values : [], npyRow(bytes, r.line - 1)),
            `row ${r.line}`,
          ).toBe(true);
      }),
      fuzzParams,
    );
  });
});

for (const element of ['float32', 'uint8'] as const) {
  const format = element === 'float32' ? 'fvecs' : 'bvecs';
  const value = element === 'float32' ? fc.float() : fc.integer({ min: 0, max: 255 });
  const valid = fc
    .array(fc.array(value, { minLength: 1, maxLength: 5 }), { maxLength: 4 })
    .map((rs) => vecsFile(rs, element));
  const hostile = fc.constantFrom(-1, 0, 16_001, 2 ** 31 - 1, 16_000).map((dim) => {
    const b = new Uint8Array(12);
    new DataView(b.buffer).setInt32(0, dim, true);
    return b;
  });
  describe(`fuzz .${format} reader`, () => {
    it('accepted records hold exactly the numbers at their place in the file', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(valid, mutateBytes(valid), hostile, fc.uint8Array({ maxLength: 48 })),
          cuts,
          async (bytes, at) => {
            const { records } = await readFuzzed(format, bytes, at);
            for (const r of records) {
              const want = vecsRecord(bytes, r.line, element);
              expect(want, `record ${r.line}`).not.toBeNull();
              expect(same(r.vector.kind === 'dense' ? r.vector.values : [], want!), `record ${r.line}`).toBe(true);
            }
          },
        ),
        fuzzParams,
      );
    });
  });
}

/** A word2vec binary file: "N D\n", then per record a token, a space, D float32 LE, and optionally "\n". */
function word2vecFile(records: Array<[string, number[]]>, dims: number, newline: boolean): Uint8Array {
  const out: number[] = [...new TextEncoder().encode(`${records.length} ${dims}\n`)];
  for (const [token, values] of records) {
    out.push(...new TextEncoder().encode(token), 0x20);
    const b = new Uint8Array(4 * dims);
    values.forEach((v, i) => new DataView(b.buffer).setFloat32(4 * i, v, true));
    out.push(...b);
    if (newline) out.push(0x0a);
  }
  return new Uint8Array(out);
}

/** The records of a word2vec binary file as written, decoded independently (up to the first malformed one). */
function word2vecRecords(bytes: Uint8Array): Array<{ token: Uint8Array; values: number[] }> {
  const nl = bytes.indexOf(0x0a);
  const m = /^(\d+) (\d+)$/.exec(new TextDecoder().decode(bytes.subarray(0, nl === -1 ? 0 : nl)));
  if (!m) return [];
  const dims = Number(m[2]);
  const out: Array<{ token: Uint8Array; values: number[] }> = [];
  let at = nl + 1;
  while (at < bytes.length && out.length < Number(m[1])) {
    while (bytes[at] === 0x0a || bytes[at] === 0x0d) at++;
    const space = bytes.indexOf(0x20, at);
    if (space === -1 || space + 1 + 4 * dims > bytes.length) break;
    const token = bytes.subarray(at, space);
    const view = new DataView(bytes.buffer, bytes.byteOffset + space + 1, 4 * dims);
    out.push({ token, values: Array.from({ length: dims }, (_, i) => view.getFloat32(4 * i, true)) });
    at = space + 1 + 4 * dims;
  }
  return out;
}

describe('fuzz word2vec binary reader', () => {
  const token = fc.stringMatching(/^[^\s]{1,6}$/);
  const valid = fc.integer({ min: 1, max: 4 }).chain((dims) =>
    fc
      .tuple(
        fc.array(fc.tuple(token, fc.array(fc.float({ noNaN: true }), { minLength: dims, maxLength: dims })), {
          maxLength: 4,
        }),
        fc.boolean(),
      )
      .map(([records, newline]) => word2vecFile(records, dims, newline)),
  );
  it('accepted records hold exactly the token and the float32s at their place in the file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(valid, mutateBytes(valid), fc.uint8Array({ maxLength: 48 })),
        cuts,
        async (bytes, at) => {
          const { records } = await readFuzzed('word2vec', bytes, at);
          const want = word2vecRecords(bytes);
          for (const r of records) {
            const w = want[r.line - 1];
            expect(w, `record ${r.line}`).toBeDefined();
            expect(r.fields.word).toBe(new TextDecoder().decode(w!.token));
            expect(same(r.vector.kind === 'dense' ? r.vector.values : [], w!.values), `record ${r.line}`).toBe(true);
          }
        },
      ),
      fuzzParams,
    );
  });
});
