/**
 * .npy export on a row count that takes many chunks (over node-postgres: binary COPY out, its send format
 * byte-swapped; over PGlite: the text cursor): the file's bytes equal a .npy written here from the stored
 * bits, in primary-key order; NULLs and ragged rows are refused, and the connection stays usable.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LoadTarget, exportTable, load } from 'vecpg/load';
import { isVecpgError } from 'vecpg';
import { describeEachTarget } from '../support/db.ts';
import { seededRandom } from '../support/random.ts';
import { npyFile } from '../support/npy.ts';

const ROWS = 5000;
const DIMS = 37;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vecpg-export-npy-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A .npy of `rows` × `dims` little-endian elements of `size` bytes holding `bits` (from numpy's format). */
function npy(bits: ArrayLike<number>, rows: number, dims: number, size: 2 | 4): Buffer {
  const data = Buffer.alloc(rows * dims * size);
  for (let i = 0; i < rows * dims; i++) {
    if (size === 4) data.writeUInt32LE(bits[i]!, 4 * i);
    else data.writeUInt16LE(bits[i]!, 2 * i);
  }
  return npyFile(`<f${size}`, rows, dims, data);
}

/** Finite float32 bit patterns, -0 and subnormals among them; or finite float16 patterns. */
function randomBits(n: number, size: 2 | 4, seed: number): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => {
    if (size === 4) {
      if (rand() < 0.1) return [0x80000000, 0x00000001, 0x807fffff, 0x7f7fffff][Math.floor(rand() * 4)]!;
      return ((rand() < 0.5 ? 0x80000000 : 0) | (Math.floor(rand() * 255) << 23) | Math.floor(rand() * 0x800000)) >>> 0;
    }
    return (rand() < 0.5 ? 0x8000 : 0) | (Math.floor(rand() * 31) << 10) | Math.floor(rand() * 0x400);
  });
}

describeEachTarget('export: .npy of many rows', (db, targetName) => {
  const target = (): LoadTarget => db().raw as LoadTarget;

  for (const [type, size] of [
    ['vector', 4],
    ['halfvec', 2],
  ] as const) {
    it(`${type}: the file is the stored bits in primary-key order, byte for byte`, async () => {
      const bits = randomBits(ROWS * DIMS, size, size);
      const source = join(tmp, `${targetName}-${type}-in.npy`);
      await writeFile(source, npy(bits, ROWS, DIMS, size));
      const table = `npy_out_${type}`;
      await db().query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, embedding ${type}(${DIMS}))`);
      expect((await load(target(), { file: source, table })).rows).toBe(ROWS);
      // Renumber so that key order is not the order the rows lie in: row r gets key -((r+1)·7919 mod ROWS).
      await db().query(`UPDATE ${table} SET id = -((id * 7919) % ${ROWS})`);
      const key = (r: number): number => -(((r + 1) * 7919) % ROWS);
      const order = [...Array(ROWS).keys()].sort((a, b) => key(a) - key(b));
      const expected = npy(
        order.flatMap((r) => bits.slice(r * DIMS, (r + 1) * DIMS)),
        ROWS,
        DIMS,
        size,
      );
      const file = join(tmp, `${targetName}-${type}-out.npy`);
      const result = await exportTable(target(), { table, format: 'npy', out: file });
      expect(result.rows).toBe(ROWS);
      expect((await readFile(file)).equals(expected)).toBe(true);
    });
  }

  it('a NULL vector among many rows is refused, naming the row, and the connection goes on working', async () => {
    await db().query('CREATE TABLE npy_null (id int PRIMARY KEY, embedding vector(3))');
    await db().query(
      "INSERT INTO npy_null SELECT n, CASE WHEN n = 3500 THEN NULL ELSE '[1,2,3]'::vector END FROM generate_series(1, 4000) n",
    );
    const error = await exportTable(target(), { table: 'npy_null', format: 'npy', out: join(tmp, 'null.npy') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVecpgError(error) && error.code).toBe('UNSUPPORTED');
    expect((error as Error).message).toContain('row 3500 has a NULL embedding');
    const after = await exportTable(target(), {
      table: 'npy_null',
      format: 'jsonl',
      out: join(tmp, `${targetName}-null.jsonl`),
    });
    expect(after.rows).toBe(4000);
  });

  it('rows of different lengths in an unsized vector column are refused', async () => {
    await db().query('CREATE TABLE npy_ragged (id int PRIMARY KEY, embedding vector)');
    await db().query(
      "INSERT INTO npy_ragged SELECT n, CASE WHEN n = 2000 THEN '[1,2]'::vector ELSE '[1,2,3]'::vector END FROM generate_series(1, 3000) n",
    );
    const error = await exportTable(target(), {
      table: 'npy_ragged',
      format: 'npy',
      out: join(tmp, 'ragged.npy'),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVecpgError(error) && error.code).toBe('DIMENSION_MISMATCH');
    expect((error as Error).message).toContain('needs every row to have 3 dimensions, got 2');
  });
});
