import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileSource } from '../../src/io/source.ts';
import { type ImportFormat, formatFromPath, readRecords } from '../../src/io/readers/formats.ts';
import type { CsvOptions } from '../../src/io/readers/csv.ts';
import type { ReadItem, SourceRecord } from '../../src/io/record.ts';
import { isVecpgError, type VecpgError } from 'vecpg';
import { parseNpyHeader } from 'vecpg/load';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

async function readAll(name: string, options: Partial<CsvOptions> = {}, format?: ImportFormat): Promise<ReadItem[]> {
  const path = fixture(name);
  const out: ReadItem[] = [];
  for await (const item of readRecords(format ?? formatFromPath(path)!, fileSource(path).chunks(), {
    name,
    ...options,
  }))
    out.push(item);
  return out;
}

function ok(items: ReadItem[]): SourceRecord[] {
  return items.map((i) => {
    if (!i.ok) throw i.error;
    return i;
  });
}

function plain(r: SourceRecord): unknown {
  const v = r.vector;
  if (v.kind === 'dense') return { dense: Array.from(v.values) };
  if (v.kind === 'text') return { text: v.text };
  return { indices: Array.from(v.indices), values: Array.from(v.values), dimensions: v.dimensions };
}

async function failure(promise: Promise<unknown>): Promise<VecpgError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isVecpgError(e)) throw new Error(`expected a VecpgError, got ${String(e)}`);
  return e;
}

describe('libsvm reader', () => {
  it('reads 1-based pairs as 0-based indices, with label and qid, skipping comments and blank lines', async () => {
    const rows = ok(await readAll('sparse-1based.svm'));
    expect(rows.map(plain)).toEqual([
      { indices: [0, 2, 4], values: [1.5, 2, 3], dimensions: undefined },
      { indices: [1, 5], values: [0.25, -4], dimensions: undefined },
      { indices: [], values: [], dimensions: undefined },
    ]);
    expect(rows.map((r) => r.fields)).toEqual([{ label: 1, qid: 3 }, { label: -1 }, { label: 0 }]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 5]);
  });

  it('refuses index 0 in a file read as 1-based, naming file, line and value', async () => {
    const [item] = await readAll('sparse-zero-index.svm');
    expect(item?.ok).toBe(false);
    if (item?.ok !== false) return;
    expect(item.error.code).toBe('IMPORT_FAILED');
    expect(item.error.details).toMatchObject({
      file: 'sparse-zero-index.svm',
      line: 1,
      value: '0:1.5',
      reason: 'INVALID_SPARSE_INDEX',
    });
    expect((item.error.cause as VecpgError).code).toBe('INVALID_SPARSE_INDEX');
    expect(item.error.message).toContain('sparse-zero-index.svm:1');
  });

  it('reads the same file 0-based when told so', async () => {
    const rows = ok(await readAll('sparse-zero-index.svm', { indexBase: 0 }));
    expect(rows.map(plain)).toEqual([{ indices: [0, 2], values: [1.5, 2], dimensions: undefined }]);
  });

  it('refuses NaN values', async () => {
    const [item] = await readAll('sparse-nan.svm');
    expect(item?.ok).toBe(false);
    if (item?.ok !== false) return;
    expect(item.error.details).toMatchObject({ reason: 'NOT_FINITE', line: 1, value: '2:nan' });
  });
});

describe('MatrixMarket reader', () => {
  it('groups coordinate entries by row (1-based), emitting empty rows too', async () => {
    const rows = ok(await readAll('matrix-coord.mtx'));
    expect(rows.map(plain)).toEqual([
      { indices: [0, 2, 4], values: [1.5, 2, 3], dimensions: 6 },
      { indices: [], values: [], dimensions: 6 },
      { indices: [1, 5], values: [7, -1], dimensions: 6 },
    ]);
  });

  it('turns a column-major array into dense rows', async () => {
    const rows = ok(await readAll('matrix-array.mtx'));
    expect(rows.map(plain)).toEqual([{ dense: [1, 2, 3] }, { dense: [4, 5, 6] }]);
  });
});

describe('JSON Lines reader', () => {
  it('takes the vector field and keeps the other fields', async () => {
    const rows = ok(await readAll('dense.jsonl'));
    expect(rows.map(plain)).toEqual([{ dense: [0.5, 0.2, 0.9, 0.3] }, { dense: [1, 2, 3, 4] }]);
    expect(rows.map((r) => r.fields)).toEqual([
      { id: 1, title: 'first' },
      { id: 2, title: 'second' },
    ]);
  });

  it('reads 0-based dictionaries, index objects and 1-based pgvector text', async () => {
    const rows = ok(await readAll('sparse-dict.jsonl', { vectorField: 'features', dimensions: 10000 }));
    expect(rows.map(plain)).toEqual([
      { indices: [0, 42], values: [5.5, 1.2], dimensions: 10000 },
      { indices: [9999], values: [2], dimensions: 10000 },
      { text: '{1:5.1,43:1}/10000' },
    ]);
    expect(rows[0]!.fields).toEqual({ name: 'Sample A' });
  });

  it('reads bare vectors: array, dictionary, index object, literal', async () => {
    const rows = ok(await readAll('bare.jsonl', { dimensions: 6 }));
    expect(rows.map(plain)).toEqual([
      { dense: [1, 0, 2, 0, 3, 0] },
      { indices: [0, 2, 4], values: [1, 2, 3], dimensions: 6 },
      { indices: [0, 2, 4], values: [1, 2, 3], dimensions: 6 },
      { text: '{1:1,3:2,5:3}/6' },
    ]);
  });
});

describe('CSV / TSV reader', () => {
  it('reads a bracketed vector field and quoted named fields', async () => {
    const rows = ok(await readAll('vectors.csv'));
    expect(rows.map(plain)).toEqual([{ text: '[0.5,0.2,0.9]' }, { text: '[1,2,3]' }, { text: '[-1,0,1e-3]' }]);
    expect(rows.map((r) => r.fields)).toEqual([
      { id: '1', title: 'first, with a comma' },
      { id: '2', title: 'second "quoted"' },
      { id: '3', title: null },
    ]);
  });

  it('reads a vector spread over columns, minus the named ones', async () => {
    const rows = ok(await readAll('columns.csv', { columnFields: ['id'] }));
    expect(rows.map(plain)).toEqual([{ dense: [0.5, 0.2, 0.9] }, { dense: [1, 2, 3] }]);
    expect(rows.map((r) => r.fields)).toEqual([{ id: '1' }, { id: '2' }]);
  });

  it('reads TSV', async () => {
    const rows = ok(await readAll('vectors.tsv'));
    expect(rows.map(plain)).toEqual([{ text: '[1,2,3]' }, { text: '[4,5,6]' }]);
    expect(rows[1]!.fields).toEqual({ id: '2', title: 'beta' });
  });
});

describe('NumPy .npy reader (files written by numpy 2)', () => {
  const f4 = [
    [1, 0.5, -2],
    [0.25, 3, Math.fround(1e-3)],
  ];
  it.each(['dense-f4.npy', 'dense-f4-be.npy'])('%s: float32 rows', async (name) => {
    expect(ok(await readAll(name)).map(plain)).toEqual(f4.map((dense) => ({ dense })));
  });

  it('float64 rows (values as numpy stored them: float32-rounded first)', async () => {
    expect(ok(await readAll('dense-f8.npy')).map(plain)).toEqual(f4.map((dense) => ({ dense })));
  });

  it('float16 rows are exact half values', async () => {
    // numpy: float16(0.1) = 0x2e66 = 0.0999755859375; float16(0.333) = 0x3554 = (1 + 340/1024) / 4 = 0.3330078125
    expect(ok(await readAll('dense-f2.npy')).map(plain)).toEqual([
      { dense: [0.0999755859375, 2, -65504] },
      { dense: [1, 0.5, 0.3330078125] },
    ]);
  });

  it.each([
    ['fortran.npy', 'UNSUPPORTED'],
    ['three-d.npy', 'UNSUPPORTED'],
    ['int32.npy', 'UNSUPPORTED'],
  ])('%s is refused (%s)', async (name, reason) => {
    const e = await failure(readAll(name));
    expect(e.code).toBe('IMPORT_FAILED');
    expect(e.details).toMatchObject({ file: name, reason });
  });
});

describe('parseNpyHeader shapes', () => {
  const header = (shape: string) => `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  it.each([
    ['(2, 3)', [2, 3]],
    ['(2,3,)', [2, 3]],
    ['( 0 , 5 )', [0, 5]],
    ['(2L, 3L)', [2, 3]],
  ])('%s reads as rows and columns %j', (shape, [rows, cols]) => {
    expect(parseNpyHeader(header(shape))).toMatchObject({ rows, cols });
  });
  it.each([
    ['(2, ,3)', 'INVALID_BINARY'], // found by `npm run fuzz`: it used to read as (2, 3)
    ['(,2,3)', 'INVALID_BINARY'],
    ['(2,,)', 'INVALID_BINARY'],
    ['(2e1, 3)', 'INVALID_BINARY'],
    ['(0x2, 3)', 'INVALID_BINARY'],
    ['(-1, 3)', 'INVALID_BINARY'],
    ['(2, 3.0)', 'INVALID_BINARY'],
    ['(6,)', 'UNSUPPORTED'],
    ['()', 'UNSUPPORTED'],
    ['(2, 3, 4)', 'UNSUPPORTED'],
  ])('%s is refused with %s', (shape, code) => {
    expect(() => parseNpyHeader(header(shape))).toThrowError(expect.objectContaining({ code }));
  });
});

describe('fvecs / bvecs readers', () => {
  it('reads float32 and uint8 records', async () => {
    expect(ok(await readAll('dense.fvecs')).map(plain)).toEqual([
      { dense: [1, 0.5, -2] },
      { dense: [0.25, 3, Math.fround(1e-3)] },
    ]);
    expect(ok(await readAll('dense.bvecs')).map(plain)).toEqual([{ dense: [0, 7, 255] }, { dense: [1, 2, 3] }]);
  });
});
