/**
 * The loader's bulk path for .npy float32 / float64 / float16 and .fvecs (whole blocks of rows encoded from the file's bytes)
 * against the general path (a record and a Vector per row, which the loader keeps using while it collects
 * preview rows: `previewRows: Infinity` sends every row through it), on the database: the stored vectors
 * are bit for bit the file's floats, errors and rejects are the same, and odd chunkings read the same rows.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LoadOptions, type LoadResult, type LoadTarget, load } from 'vecpg/load';
import { isVecpgError, type VecpgError } from 'vecpg';
import { describeEachTarget } from '../support/db.ts';
import { bytesOf, seededRandom } from '../support/random.ts';
import { npyFile } from '../support/npy.ts';

const DIMS = 7;
const ROWS = 1500; // well past the 100 records the loader peeks at, and several send chunks with batchRows

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vecpg-bulk-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Random finite float32 bit patterns with -0, subnormals and the extremes mixed in. */
function rowsOfBits(rows: number, dims: number, seed: number): Uint32Array {
  const edges = [0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0];
  const rand = seededRandom(seed);
  const bits = new Uint32Array(rows * dims);
  for (let i = 0; i < bits.length; i++) {
    bits[i] =
      rand() < 0.15
        ? edges[Math.floor(rand() * edges.length)]!
        : ((rand() < 0.5 ? 0x80000000 : 0) | (Math.floor(rand() * 255) << 23) | Math.floor(rand() * 0x800000)) >>> 0;
  }
  return bits;
}

function npyBytes(bits: Uint32Array, dims: number, littleEndian = true): Uint8Array {
  const data = Buffer.alloc(bits.length * 4);
  for (let i = 0; i < bits.length; i++) {
    if (littleEndian) data.writeUInt32LE(bits[i]!, 4 * i);
    else data.writeUInt32BE(bits[i]!, 4 * i);
  }
  return npyFile(`${littleEndian ? '<' : '>'}f4`, bits.length / dims, dims, data);
}

/** A little-endian .npy of float64 values or float16 bit patterns, `dims` per row. */
function npyWide(descr: '<f8' | '<f2', values: readonly number[], dims: number): Uint8Array {
  const data = Buffer.alloc(values.length * (descr === '<f8' ? 8 : 2));
  values.forEach((v, i) => (descr === '<f8' ? data.writeDoubleLE(v, 8 * i) : data.writeUInt16LE(v, 2 * i)));
  return npyFile(descr, values.length / dims, dims, data);
}

/** .fvecs: per record an int32 count and its float32 values, little-endian; `dimsOf(r)` per record. */
function fvecsBytes(bits: Uint32Array, dims: number, dimsOf: (r: number) => number = () => dims): Uint8Array {
  const parts: Buffer[] = [];
  for (let r = 0; r < bits.length / dims; r++) {
    const d = dimsOf(r);
    const rec = Buffer.alloc(4 + 4 * d);
    rec.writeInt32LE(d, 0);
    for (let i = 0; i < d; i++) rec.writeUInt32LE(bits[r * dims + (i % dims)]!, 4 + 4 * i);
    parts.push(rec);
  }
  return Buffer.concat(parts);
}

/** pgvector's send format of one row of bits, computed here (what vector_send must return). */
function sendFormat(bits: Uint32Array, r: number, dims: number): number[] {
  const out = Buffer.alloc(4 + 4 * dims);
  out.writeUInt16BE(dims, 0);
  for (let i = 0; i < dims; i++) out.writeUInt32BE(bits[r * dims + i]!, 4 + 4 * i);
  return [...out];
}

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function failure(promise: Promise<unknown>): Promise<VecpgError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isVecpgError(e)) throw new Error(`expected a VecpgError, got ${String(e)}`);
  return e;
}

describeEachTarget('load: bulk path for fixed-width float32 rows', (db, targetName) => {
  const target = (): LoadTarget => db().raw as LoadTarget;
  let n = 0;
  /** A fresh `vector(dims)` table with an id in load order. */
  const table = async (dims = DIMS): Promise<string> => {
    const name = `bulk_${targetName}_${++n}`;
    await db().query(`CREATE TABLE ${name} (id bigserial PRIMARY KEY, embedding vector(${dims}))`);
    return name;
  };
  const stored = async (name: string): Promise<number[][]> =>
    (await db().query<{ b: unknown }>(`SELECT vector_send(embedding) AS b FROM ${name} ORDER BY id`)).map((r) =>
      bytesOf(r.b),
    );
  /** Load twice, through the bulk path and through the general one; both tables' rows. */
  const both = async (
    options: Omit<LoadOptions, 'table'>,
  ): Promise<{ bulk: LoadResult; general: LoadResult; bulkRows: number[][]; generalRows: number[][] }> => {
    const [a, b] = [await table(), await table()];
    const bulk = await load(target(), { ...options, table: a, batchRows: 200 });
    const general = await load(target(), { ...options, table: b, batchRows: 200, previewRows: Infinity });
    return { bulk, general, bulkRows: await stored(a), generalRows: await stored(b) };
  };

  for (const [name, make] of [
    ['.npy little-endian', (bits: Uint32Array) => npyBytes(bits, DIMS)],
    ['.npy big-endian', (bits: Uint32Array) => npyBytes(bits, DIMS, false)],
    ['.fvecs', (bits: Uint32Array) => fvecsBytes(bits, DIMS)],
  ] as const) {
    it(`${name}: the server stores the file's float32 bits (-0 and subnormals too), as the general path does`, async () => {
      const bits = rowsOfBits(ROWS, DIMS, name.length);
      const file = join(tmp, `${targetName}-${n}.${name.includes('npy') ? 'npy' : 'fvecs'}`);
      await writeFile(file, make(bits));
      const { bulk, general, bulkRows, generalRows } = await both({ file });
      expect(bulk.rows).toBe(ROWS);
      expect(general.rows).toBe(ROWS);
      expect(bulk.preview).toEqual(general.preview.slice(0, 5));
      expect(bulkRows).toEqual(Array.from({ length: ROWS }, (_, r) => sendFormat(bits, r, DIMS)));
      expect(generalRows).toEqual(bulkRows);
    });
  }

  it('.npy read from a stream in 13-byte chunks (rows split across chunks, unaligned) stores the same rows', async () => {
    const bits = rowsOfBits(ROWS, DIMS, 99);
    const name = await table();
    const result = await load(target(), { stream: chunked(npyBytes(bits, DIMS), 13), format: 'npy', table: name });
    expect(result.rows).toBe(ROWS);
    expect(await stored(name)).toEqual(Array.from({ length: ROWS }, (_, r) => sendFormat(bits, r, DIMS)));
  });

  it('30,000 rows in many send chunks (their buffers reused once written): every row stored as in the file', async () => {
    const dims = 64;
    const rows = 30_000;
    const bits = rowsOfBits(rows, dims, 12);
    const file = join(tmp, `${targetName}-many.npy`);
    await writeFile(file, npyBytes(bits, dims));
    const name = await table(dims);
    expect((await load(target(), { file, table: name })).rows).toBe(rows);
    const got = await stored(name);
    expect(got.length).toBe(rows);
    for (let r = 0; r < rows; r++)
      if (got[r]!.join() !== sendFormat(bits, r, dims).join())
        expect([r, got[r]]).toEqual([r, sendFormat(bits, r, dims)]);
  });

  it('a NaN or an Infinity after the peeked rows: the same error naming its row, nothing committed', async () => {
    const bits = rowsOfBits(ROWS, DIMS, 5);
    bits[1234 * DIMS + 2] = 0x7fc00000; // NaN in row 1235
    const file = join(tmp, `${targetName}-nan.npy`);
    await writeFile(file, npyBytes(bits, DIMS));
    const [a, b] = [await table(), await table()];
    const bulk = await failure(load(target(), { file, table: a }));
    const general = await failure(load(target(), { file, table: b, previewRows: Infinity }));
    expect(bulk.message).toContain(`${file}:1235`);
    expect(bulk.message).toMatch(/NaN/);
    expect(bulk.message).toBe(general.message);
    expect(bulk.code).toBe(general.code);
    expect(await stored(a)).toEqual([]);
  });

  it('with onError skip, bad rows go to the rejects exactly as on the general path; the rest load', async () => {
    const bits = rowsOfBits(ROWS, DIMS, 6);
    bits[150 * DIMS] = 0x7f800000; // +Infinity in row 151
    bits[151 * DIMS + 6] = 0xff800000; // -Infinity in row 152
    bits[(ROWS - 1) * DIMS + 3] = 0x7fc00000; // NaN in the last row
    const file = join(tmp, `${targetName}-skip.fvecs`);
    await writeFile(file, fvecsBytes(bits, DIMS));
    const rejects = [join(tmp, `${targetName}-rej-bulk.jsonl`), join(tmp, `${targetName}-rej-general.jsonl`)] as const;
    const [a, b] = [await table(), await table()];
    const bulk = await load(target(), { file, table: a, onError: 'skip', rejects: rejects[0] });
    const general = await load(target(), {
      file,
      table: b,
      onError: 'skip',
      rejects: rejects[1],
      previewRows: Infinity,
    });
    expect(bulk.rows).toBe(ROWS - 3);
    expect(bulk.rejected).toBe(3);
    expect(bulk.firstRejected.map((r) => r.line)).toEqual([151, 152, ROWS]);
    expect(bulk.firstRejected).toEqual(general.firstRejected);
    expect(await readFile(rejects[0], 'utf8')).toBe(
      (await readFile(rejects[1], 'utf8')).replaceAll(rejects[1], rejects[0]),
    );
    const good = [...Array(ROWS).keys()].filter((r) => r !== 150 && r !== 151 && r !== ROWS - 1);
    expect(await stored(a)).toEqual(good.map((r) => sendFormat(bits, r, DIMS)));
    expect(await stored(b)).toEqual(await stored(a));
  });

  it('.fvecs whose dimension count changes midway: the odd records are rejected as DIMENSION_MISMATCH', async () => {
    const bits = rowsOfBits(ROWS, DIMS, 8);
    // records 400 and 1001..1003 have 8 values (the eighth repeats the first)
    const odd = (r: number): boolean => r === 399 || (r >= 1000 && r < 1003);
    const file = join(tmp, `${targetName}-mixed.fvecs`);
    await writeFile(
      file,
      fvecsBytes(bits, DIMS, (r) => (odd(r) ? DIMS + 1 : DIMS)),
    );
    const name = await table();
    const result = await load(target(), { file, table: name, onError: 'skip' });
    expect(result.rejected).toBe(4);
    expect(result.firstRejected.map((r) => [r.line, r.code])).toEqual([
      [400, 'DIMENSION_MISMATCH'],
      [1001, 'DIMENSION_MISMATCH'],
      [1002, 'DIMENSION_MISMATCH'],
      [1003, 'DIMENSION_MISMATCH'],
    ]);
    const good = [...Array(ROWS).keys()].filter((r) => !odd(r));
    expect(await stored(name)).toEqual(good.map((r) => sendFormat(bits, r, DIMS)));
  });

  for (const descr of ['<f8', '<f2'] as const) {
    it(`.npy ${descr}: rounded to float32 as the general path rounds, bad rows rejected alike`, async () => {
      const rand = seededRandom(descr === '<f8' ? 81 : 21);
      const values = Array.from(
        { length: ROWS * DIMS },
        () =>
          descr === '<f8'
            ? (rand() < 0.5 ? -1 : 1) * rand() * 10 ** Math.floor(rand() * 70 - 35)
            : Math.floor(rand() * 0x10000) & 0xfbff, // any half but Infinity / NaN (exponent bits not all ones)
      );
      // a value the server would refuse in rows 151 and 1300: beyond float32 / a half Infinity
      values[150 * DIMS + 1] = descr === '<f8' ? 1e39 : 0x7c00;
      values[1299 * DIMS + 4] = descr === '<f8' ? Number.NaN : 0xfc01;
      const file = join(tmp, `${targetName}-wide${descr.slice(1)}.npy`);
      await writeFile(file, npyWide(descr, values, DIMS));
      const { bulk, general, bulkRows, generalRows } = await both({ file, onError: 'skip' });
      expect(bulk.rows).toBe(ROWS - 2);
      expect(bulk.firstRejected.map((r) => [r.line, r.code])).toEqual([
        [151, 'NOT_FINITE'],
        [1300, 'NOT_FINITE'],
      ]);
      expect(bulk.firstRejected).toEqual(general.firstRejected);
      expect(bulkRows).toEqual(generalRows);
      // and what the server stored is each value as float32 (DataView rounds to nearest even)
      const f = new DataView(new ArrayBuffer(4));
      const halfValue = (b: number): number => {
        const e = (b >> 10) & 0x1f;
        const m = b & 0x3ff;
        return (b & 0x8000 ? -1 : 1) * (e === 0 ? 2 ** -14 * (m / 1024) : 2 ** (e - 15) * (1 + m / 1024));
      };
      const rows = [...Array(ROWS).keys()].filter((r) => r !== 150 && r !== 1299);
      expect(bulkRows).toEqual(
        rows.map((r) =>
          sendFormat(
            Uint32Array.from(values.slice(r * DIMS, (r + 1) * DIMS), (v) => {
              f.setFloat32(0, descr === '<f8' ? v : halfValue(v));
              return f.getUint32(0);
            }),
            0,
            DIMS,
          ),
        ),
      );
    });
  }

  it('.bvecs bytes: each byte stored exactly as a float32, as the general path does; odd records rejected alike', async () => {
    const values = Array.from({ length: ROWS * DIMS }, (_, i) => (i * 31 + 7) % 256);
    const dimsOf = (r: number): number => (r === 500 ? DIMS - 1 : DIMS); // record 501 is one byte short
    const parts: Buffer[] = [];
    for (let r = 0; r < ROWS; r++) {
      const d = dimsOf(r);
      const rec = Buffer.alloc(4 + d);
      rec.writeInt32LE(d, 0);
      for (let i = 0; i < d; i++) rec[4 + i] = values[r * DIMS + i]!;
      parts.push(rec);
    }
    const file = join(tmp, `${targetName}-bytes.bvecs`);
    await writeFile(file, Buffer.concat(parts));
    const { bulk, general, bulkRows, generalRows } = await both({ file, onError: 'skip' });
    expect(bulk.rows).toBe(ROWS - 1);
    expect(bulk.firstRejected.map((r) => [r.line, r.code])).toEqual([[501, 'DIMENSION_MISMATCH']]);
    expect(bulk.firstRejected).toEqual(general.firstRejected);
    expect(bulkRows).toEqual(generalRows);
    const f = new DataView(new ArrayBuffer(4));
    const rows = [...Array(ROWS).keys()].filter((r) => r !== 500);
    expect(bulkRows).toEqual(
      rows.map((r) =>
        sendFormat(
          Uint32Array.from(values.slice(r * DIMS, (r + 1) * DIMS), (v) => {
            f.setFloat32(0, v);
            return f.getUint32(0);
          }),
          0,
          DIMS,
        ),
      ),
    );
  });

  it('a truncated .npy: the rows before the cut are read, then the same error as before the bulk path', async () => {
    const bits = rowsOfBits(ROWS, DIMS, 10);
    const bytes = npyBytes(bits, DIMS);
    const file = join(tmp, `${targetName}-cut.npy`);
    await writeFile(file, bytes.subarray(0, bytes.length - 4 * DIMS - 5));
    const error = await failure(load(target(), { file, table: await table(), onError: 'skip' }));
    expect(error.message).toContain(`row ${ROWS - 1} of ${ROWS} is incomplete`);
  });
});
