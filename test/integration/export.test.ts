import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ExportFormat, type LoadTarget, exportTable, load } from 'vecpg/load';
import { describeEachTarget } from '../support/db.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vecpg-export-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Per type: the column type and literal rows (the last one exercises awkward values). */
const TYPES = {
  vector: ['vector(3)', ['[1,2,3]', '[0.1,-0.2,3e-8]', '[100000,1e+20,-0]']],
  halfvec: ['halfvec(3)', ['[1,2,3]', '[0.1,-0.2,65504]', '[0.333,6e-05,-1]']],
  sparsevec: ['sparsevec(10000)', ['{1:5.5,43:1.2}/10000', '{10000:2}/10000', '{}/10000']],
  bit: ['bit(5)', ['10101', '00000', '11111']],
} as const;

const FORMATS: Record<ExportFormat, (keyof typeof TYPES)[]> = {
  jsonl: ['vector', 'halfvec', 'sparsevec', 'bit'],
  csv: ['vector', 'halfvec', 'sparsevec', 'bit'],
  libsvm: ['sparsevec'],
  npy: ['vector', 'halfvec'],
};

const CASES = Object.entries(FORMATS).flatMap(([format, types]) =>
  types.map((type) => [format as ExportFormat, type] as const),
);

describeEachTarget('export → import round trip', (db) => {
  const target = (): LoadTarget => db().raw as LoadTarget;

  it.each(CASES)('%s of a %s column gives identical rows back', async (format, type) => {
    const [sqlType, literals] = TYPES[type];
    const src = `src_${format}_${type}`;
    const dst = `dst_${format}_${type}`;
    await db().query(`CREATE TABLE ${src} (id bigserial PRIMARY KEY, label int, title text, embedding ${sqlType})`);
    for (const [i, lit] of literals.entries()) {
      await db().query(`INSERT INTO ${src} (label, title, embedding) VALUES ($1, $2, $3::${sqlType})`, [
        i + 1,
        `row "${i}", with comma`,
        lit,
      ]);
    }
    await db().query(`CREATE TABLE ${dst} (LIKE ${src} INCLUDING ALL)`);
    const file = join(tmp, `${src}.${format === 'libsvm' ? 'svm' : format}`);
    const exported = await exportTable(target(), {
      table: src,
      column: 'embedding',
      format,
      out: file,
      overwrite: true,
    });
    expect(exported.rows).toBe(3);
    const loaded = await load(target(), { file, table: dst, column: 'embedding' });
    expect(loaded.rows).toBe(3);
    const read = (t: string) => db().query(`SELECT embedding::text AS v FROM ${t} ORDER BY embedding::text`);
    expect(await read(dst)).toEqual(await read(src));
    if (format === 'jsonl' || format === 'csv') {
      const all = (t: string) => db().query(`SELECT id, label, title, embedding::text AS v FROM ${t} ORDER BY id`);
      expect(await all(dst)).toEqual(await all(src));
    }
    if (format === 'libsvm') {
      const labels = (t: string) => db().query(`SELECT label, embedding::text AS v FROM ${t} ORDER BY label`);
      expect(await labels(dst)).toEqual(await labels(src));
    }
  });

  it('libsvm export is 1-based like pgvector text; jsonl sparse objects are 0-based', async () => {
    await db().query('CREATE TABLE sp (id int PRIMARY KEY, label int, embedding sparsevec(5))');
    await db().query("INSERT INTO sp VALUES (1, 7, '{1:1,3:2,5:3}/5')");
    const svm = join(tmp, 'sp.svm');
    const jsonl = join(tmp, 'sp.jsonl');
    await exportTable(target(), { table: 'sp', format: 'libsvm', out: svm, overwrite: true });
    await exportTable(target(), { table: 'sp', format: 'jsonl', out: jsonl, overwrite: true });
    expect(await readFile(svm, 'utf8')).toBe('7 1:1 3:2 5:3\n');
    expect(JSON.parse(await readFile(jsonl, 'utf8'))).toEqual({
      id: 1,
      label: 7,
      embedding: { indices: [0, 2, 4], values: [1, 2, 3], dimensions: 5 },
    });
  });
});
