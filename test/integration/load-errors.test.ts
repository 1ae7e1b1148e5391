/**
 * Every reader's error names the file and where in it (issue 16: "every reader's errors name the file and
 * line"): one broken file per import format, broken at a place this test chose, through `load` as `vecpg
 * import` runs it. Text formats say the line; binary ones the record (a .npy file its row). After the
 * failure the file is closed (Linux: no descriptor of this process left on it).
 */
import { mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IMPORT_FORMATS, type ImportFormat, type LoadTarget, load } from 'vecpg/load';
import { isVecpgError } from 'vecpg';
import { describeEachTarget } from '../support/db.ts';

/** How many of this process's file descriptors are open on `path` (Linux: /proc/self/fd). */
async function openOn(path: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const to = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (to === path) n++;
  }
  return n;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vecpg-load-errors-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** `vals` as fvecs records (int32 dimension count, then float32 values, little-endian). */
function fvecs(vals: number[][]): Buffer {
  return Buffer.concat(
    vals.map((v) => {
      const b = Buffer.alloc(4 + 4 * v.length);
      b.writeInt32LE(v.length, 0);
      v.forEach((x, j) => b.writeFloatLE(x, 4 + 4 * j));
      return b;
    }),
  );
}

/** A float32 C-order .npy header for `rows` × 3 (numpy pads it to a 64-byte boundary with a newline). */
function npyHeader(rows: number): Buffer {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, 3), }`;
  dict = `${dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 11, ' ')}\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1')]);
}

const record = (token: string, v: number[]): Buffer =>
  Buffer.concat([Buffer.from(`${token} `), fvecs([v]).subarray(4)]);

// [format, file name, content, table, where the test broke it]
const BROKEN: ReadonlyArray<readonly [ImportFormat, string, string | Buffer, 'dense' | 'sparse', RegExp]> = [
  ['jsonl', 'a.jsonl', '{"embedding": [1, 2, 3]}\n{"embedding": [1, 2, "x"]}\n', 'dense', /a\.jsonl:2: /],
  ['csv', 'a.csv', 'embedding\n"[1,2,3]"\n"[1,x,3]"\n', 'dense', /a\.csv:3: /],
  ['tsv', 'a.tsv', 'embedding\n[1,2,3]\n[4,5,6]\n[1,x,3]\n', 'dense', /a\.tsv:4: /],
  ['libsvm', 'a.svm', '1 1:1.5\n\n1 0:2\n', 'sparse', /a\.svm:3: /],
  [
    'mtx',
    'a.mtx',
    '%%MatrixMarket matrix coordinate real general\n2 6 2\n1 1 1.5\n2 9 2\n',
    'sparse',
    /a\.mtx:4: column 9/,
  ],
  ['vec', 'a.vec', '3 3\nw 1 2 3\nv 4 5 6\nu 1 x 3\n', 'dense', /a\.vec:4: /],
  [
    'word2vec',
    'a.bin',
    Buffer.concat([Buffer.from('2 3\n'), record('w', [1, 2, 3]), record('v', [1, 2, 3]).subarray(0, 8)]),
    'dense',
    /a\.bin:2: record 2 is truncated/,
  ],
  [
    'npy',
    'a.npy',
    Buffer.concat([npyHeader(3), Buffer.alloc(12 * 2 + 5)]),
    'dense',
    /a\.npy:3: .*row 3 of 3 is incomplete/,
  ],
  [
    'fvecs',
    'a.fvecs',
    Buffer.concat([fvecs([[1, 2, 3]]), fvecs([[1, 2, 3]]).subarray(0, 9)]),
    'dense',
    /a\.fvecs:2: record 2/,
  ],
  ['bvecs', 'a.bvecs', Buffer.from([3, 0, 0, 0, 1, 2, 3, 3, 0, 0, 0, 1]), 'dense', /a\.bvecs:2: record 2/],
];

it('the table covers every import format', () => {
  expect(BROKEN.map(([format]) => format).sort()).toEqual([...IMPORT_FORMATS].sort());
});

describeEachTarget('every reader names the file and the place in it', (db) => {
  beforeAll(async () => {
    await db().query('CREATE TABLE dense (word text, embedding vector(3))');
    await db().query('CREATE TABLE sparse (features sparsevec(6))');
  });

  it.each(BROKEN)('%s: %s', async (format, name, content, table, where) => {
    const file = join(tmp, name);
    await writeFile(file, content);
    const error = await load(db().raw as LoadTarget, { file, format, table, dryRun: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVecpgError(error)).toBe(true);
    // the path as given, then where: "<path>:<line or record>: …"
    expect((error as Error).message).toContain(`${file}:`);
    expect((error as Error).message).toMatch(where);
    // and the file is closed, not left to a garbage collection (the readers are stopped as the load ends)
    for (let i = 0; i < 100 && (await openOn(file)) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await openOn(file)).toBe(0);
  });

  it.each(['jsonl', 'npy'] as const)(
    '%s: a failure early in a large file (not read to its end) closes the file too',
    async (format) => {
      // 4 MB, a bad value in the second record: the load stops long before the end of the file
      const rows = 100_000;
      const file = join(tmp, `large.${format}`);
      if (format === 'jsonl') {
        const lines = Array.from({ length: rows }, (_, r) => `{"embedding": [${r}, 1, 2]}`);
        lines[1] = '{"embedding": [1, "x", 2]}';
        await writeFile(file, `${lines.join('\n')}\n`);
      } else {
        const data = Buffer.alloc(rows * 12);
        for (let i = 0; i < rows * 3; i++) data.writeFloatLE(i % 7, 4 * i);
        data.writeFloatLE(Number.NaN, 12 + 4);
        await writeFile(file, Buffer.concat([npyHeader(rows), data]));
      }
      const error = await load(db().raw as LoadTarget, { file, table: 'dense', column: 'embedding' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).message).toContain(`${file}:2: `);
      for (let i = 0; i < 100 && (await openOn(file)) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await openOn(file)).toBe(0);
    },
  );
});
