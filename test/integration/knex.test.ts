/**
 * vecpg/knex on node-postgres (server) and PGlite (vecpg's Knex client for it): columns through the
 * schema builder, values through vecpg's codecs, the Django walkthrough's three query patterns with the six
 * distances on dense, halfvec, sparse and bit columns — the generated SQL and the rows. Expected
 * distances come from vecpg's client-side distance functions (an independent path from the SQL)
 * and the stored text from the server's own `::text`.
 */
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as client from 'vecpg';
import { Bit, HalfVector, SparseVector, Vector, isVecpgError } from 'vecpg';
import {
  type DistanceName,
  type VectorColumnSpec,
  applySimilarity,
  cosineDistance,
  formatVectorRow,
  hammingDistance,
  jaccardDistance,
  knexPglite,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  setVectorStorage,
  toVectorParam,
  vectorColumn,
  vectorDistance,
  withVectorTypes,
} from 'vecpg/knex';
import { type TestDb, describeEachTarget } from '../support/db.ts';

async function knexFor(t: TestDb): Promise<Knex> {
  if (t.target === 'pglite') return knexPglite(t.raw as PGlite);
  return knexFactory(withVectorTypes({ client: 'pg', connection: t.url!, pool: { min: 0, max: 4 } }));
}

const DOC_COLUMNS: Record<string, VectorColumnSpec> = {
  embedding: { type: 'vector', dimensions: 4 },
  half: { type: 'halfvec', dimensions: 4 },
};
const SCIENCE_COLUMNS: Record<string, VectorColumnSpec> = { features: { type: 'sparsevec', dimensions: 10000 } };

const docs = [
  { title: 'A', embedding: [1, 0, 0, 0] },
  { title: 'B', embedding: [0, 1, 0, 0] },
  { title: 'C', embedding: [1, 1, 0, 0] },
  { title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3] },
];
const science = [
  { name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) },
  { name: 'Sample B', features: new SparseVector({ 0: 1, 42: 5 }, 10000) },
  { name: 'Sample C', features: new SparseVector({ 1: 3 }, 10000) },
  { name: 'Sample D', features: new SparseVector({ 0: 5, 42: 1, 9999: 0.5 }, 10000) },
];
const prints = [
  { label: 'p1', bits: '11110000' },
  { label: 'p2', bits: '11000000' },
  { label: 'p3', bits: '00001111' },
  { label: 'p4', bits: '11111111' },
];

const clientDistance: Record<DistanceName, (a: never, b: never) => number> = {
  l2: client.l2Distance,
  ip: client.maxInnerProduct,
  cosine: client.cosineDistance,
  l1: client.l1Distance,
  hamming: client.hammingDistance,
  jaccard: client.jaccardDistance,
};
const helpers = {
  l2: l2Distance,
  ip: maxInnerProduct,
  cosine: cosineDistance,
  l1: l1Distance,
  hamming: hammingDistance,
  jaccard: jaccardDistance,
};

/** Rows sorted by expected distance (ties by key), with the distances. */
function expected<T extends Record<string, unknown>>(
  rows: T[],
  key: keyof T,
  col: keyof T,
  q: unknown,
  d: DistanceName,
) {
  const f = clientDistance[d] as (a: unknown, b: unknown) => number;
  return rows
    .map((r) => ({ key: r[key] as string, distance: f(r[col], q) }))
    .sort((a, b) => a.distance - b.distance || (a.key < b.key ? -1 : 1));
}

describeEachTarget('vecpg/knex columns and distances', (db) => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await knexFor(db());
    await knex.schema.createTable('documents', (t) => {
      t.increments('id');
      t.string('title', 255).notNullable();
      vectorColumn(t, 'embedding', 'vector', 4);
      vectorColumn(t, 'half', 'halfvec', 4);
    });
    await setVectorStorage(knex, 'documents', 'embedding');
    await knex.schema.createTable('science_data', (t) => {
      t.increments('id');
      t.string('name', 100).notNullable();
      vectorColumn(t, 'features', 'sparsevec', 10000);
    });
    await knex.schema.createTable('fingerprints', (t) => {
      t.increments('id');
      t.string('label').notNullable();
      vectorColumn(t, 'bits', 'bit', 8);
    });
    await knex('documents').insert(docs.map((d) => formatVectorRow({ ...d, half: d.embedding }, DOC_COLUMNS)));
    await knex('science_data').insert(science.map((s) => formatVectorRow(s, SCIENCE_COLUMNS)));
    await knex('fingerprints').insert(prints.map((p) => formatVectorRow(p, { bits: { type: 'bit', dimensions: 8 } })));
  });

  afterAll(async () => {
    await knex?.destroy();
  });

  it('creates vector(n), halfvec(n), sparsevec(n) and bit(n) columns, with STORAGE MAIN where asked', async () => {
    const cols = await knex.raw<{ rows: Array<{ attname: string; type: string; attstorage: string }> }>(
      `SELECT attname, format_type(atttypid, atttypmod) AS type, attstorage FROM pg_attribute
       WHERE attrelid IN ('documents'::regclass, 'science_data'::regclass, 'fingerprints'::regclass)
         AND attname IN ('embedding', 'half', 'features', 'bits') ORDER BY attname`,
    );
    const rows =
      'rows' in cols ? cols.rows : (cols as unknown as Array<{ attname: string; type: string; attstorage: string }>);
    expect(rows).toEqual([
      { attname: 'bits', type: 'bit(8)', attstorage: 'x' },
      { attname: 'embedding', type: 'vector(4)', attstorage: 'm' },
      // pgvector's own default for halfvec and sparsevec is EXTENDED
      { attname: 'features', type: 'sparsevec(10000)', attstorage: 'e' },
      { attname: 'half', type: 'halfvec(4)', attstorage: 'e' },
    ]);
    expect(vectorColumn.length).toBe(4);
    const ddl = knex.schema.createTable('t', (t) => vectorColumn(t, 'v', 'sparsevec', 10000)).toSQL()[0]?.sql;
    expect(ddl).toBe('create table "t" ("v" sparsevec(10000))');
  });

  it('reads number[] for vector/halfvec, SparseVector for sparsevec, the 0/1 string for bit', async () => {
    const d = await knex('documents').where('title', 'My First Doc').first();
    expect(d.embedding).toEqual([0.5, 0.2, 0.9, 0.3].map(Math.fround));
    expect(d.half).toEqual(new HalfVector([0.5, 0.2, 0.9, 0.3]).toArray());
    const s = await knex('science_data')
      .select('features', knex.raw('features::text AS text'))
      .where('name', 'Sample A')
      .first();
    expect(s.features).toBeInstanceOf(SparseVector);
    expect(s.features.indices).toEqual([0, 42]);
    expect(s.features.values).toEqual([5.5, Math.fround(1.2)]);
    expect(s.features.dimensions).toBe(10000);
    // the server's own text: indices shifted to 1-based there, and only there
    expect(s.text).toBe('{1:5.5,43:1.2}/10000');
    const b = await knex('fingerprints').select('bits').where('label', 'p1').first();
    expect(b.bits).toBe('11110000');
  });

  it('writes Vector, HalfVector, SparseVector, {indices, values, dimensions}, Bit and plain arrays', async () => {
    const [row] = await knex('documents')
      .insert(
        formatVectorRow(
          { title: 'classes', embedding: new Vector([1, 2, 3, 4]), half: new HalfVector([0.1, 0.2, 0.3, 0.4]) },
          DOC_COLUMNS,
        ),
      )
      .returning(['id', knex.raw('embedding::text AS e'), knex.raw('half::text AS h')] as never);
    expect(row.e).toBe('[1,2,3,4]');
    expect(row.h).toBe(new HalfVector([0.1, 0.2, 0.3, 0.4]).toSql());
    const [s] = await knex('science_data')
      .insert(
        formatVectorRow(
          { name: 'obj', features: { indices: [4, 2, 0], values: [3, 2, 1], dimensions: 10000 } },
          SCIENCE_COLUMNS,
        ),
      )
      .returning(knex.raw('features::text AS t') as never);
    expect(s.t).toBe('{1:1,3:2,5:3}/10000');
    const [f] = await knex('fingerprints')
      .insert({ label: 'bit', bits: toVectorParam(Bit.fromBytes(new Uint8Array([0xa5])), 'bit') })
      .returning('bits');
    expect(f.bits).toBe('10100101');
    await knex('documents').where('id', row.id).del();
    await knex('science_data').where('name', 'obj').del();
    await knex('fingerprints').where('label', 'bit').del();
  });

  it('refuses a wrong dimension count client-side, naming the column', () => {
    try {
      formatVectorRow({ embedding: [1, 2, 3] }, DOC_COLUMNS);
      expect.unreachable();
    } catch (e) {
      expect(isVecpgError(e) && e.code).toBe('DIMENSION_MISMATCH');
      expect((e as Error).message).toContain('"embedding"');
    }
    expect(() => toVectorParam([1, NaN], 'vector')).toThrow(expect.objectContaining({ code: 'NOT_FINITE' }));
    expect(() => toVectorParam('10x', 'bit')).toThrow(expect.objectContaining({ code: 'INVALID_BIT' }));
  });

  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);

  it('pattern 1 (order by distance) on a sparse column: SQL and rows', async () => {
    const q = knex('science_data')
      .select('name')
      .orderBy(cosineDistance(knex, 'features', target))
      .limit(10);
    const native = q.toSQL().toNative();
    expect(native.sql).toBe('select "name" from "science_data" order by "features" <=> $1::sparsevec asc limit $2');
    expect(native.bindings).toEqual(['{1:5.1,43:1}/10000', 10]);
    const rows = await q;
    expect(rows.map((r) => r.name)).toEqual(expected(science, 'name', 'features', target, 'cosine').map((e) => e.key));
  });

  it('pattern 2 (annotate) on a sparse column: SQL and rows', async () => {
    const q = knex('science_data').select('name', cosineDistance(knex, 'features', target, { as: 'distance' }));
    expect(q.toSQL().toNative().sql).toBe(
      'select "name", "features" <=> $1::sparsevec AS "distance" from "science_data"',
    );
    const rows = await q;
    for (const e of expected(science, 'name', 'features', target, 'cosine')) {
      expect(rows.find((r) => r.name === e.key)?.distance).toBeCloseTo(e.distance, 5);
    }
  });

  it('pattern 3 (annotate + filter on a threshold + order) on a sparse column: SQL and rows', async () => {
    const q = knex('science_data')
      .select('name', cosineDistance(knex, 'features', target, { as: 'distance' }))
      .where(cosineDistance(knex, 'features', target), '<', 0.2)
      .orderBy('distance');
    expect(q.toSQL().toNative().sql).toBe(
      'select "name", "features" <=> $1::sparsevec AS "distance" from "science_data" where "features" <=> $2::sparsevec < $3 order by "distance" asc',
    );
    const rows = await q;
    const want = expected(science, 'name', 'features', target, 'cosine').filter((e) => e.distance < 0.2);
    expect(want.map((e) => e.key)).toEqual(['Sample A', 'Sample D']); // hand-checked: B ≈ 0.62, C = 1
    expect(rows.map((r) => r.name)).toEqual(want.map((e) => e.key));
    rows.forEach((r, i) => expect(r.distance).toBeCloseTo(want[i]!.distance, 5));
  });

  const dense: DistanceName[] = ['l2', 'ip', 'cosine', 'l1'];
  const queryVec = [0.9, 0.1, 0.3, 0.2];

  for (const d of dense) {
    for (const column of ['embedding', 'features'] as const) {
      it(`${d} on ${column === 'embedding' ? 'a dense' : 'a sparse'} column: the three patterns`, async () => {
        const table = column === 'embedding' ? 'documents' : 'science_data';
        const key = column === 'embedding' ? 'title' : 'name';
        const rowsIn = column === 'embedding' ? docs : science;
        const q = column === 'embedding' ? queryVec : target;
        const want = expected(rowsIn as Array<Record<string, unknown>>, key, column, q, d);
        // 1. order only
        const ordered = await knex(table)
          .select(key)
          .orderBy(helpers[d](knex, column, q))
          .orderBy(key);
        expect(ordered.map((r) => r[key])).toEqual(want.map((e) => e.key));
        // 2. annotate
        const annotated = await knex(table).select(key, helpers[d](knex, column, q, { as: 'distance' }));
        for (const e of want) expect(annotated.find((r) => r[key] === e.key)?.distance).toBeCloseTo(e.distance, 4);
        // 3. annotate + threshold + order (threshold between the 2nd and 3rd distances)
        const threshold = (want[1]!.distance + want[2]!.distance) / 2;
        const filtered = await applySimilarity(knex(table).select(key), knex, {
          column,
          query: q,
          distance: d,
          maxDistance: threshold,
        }).orderBy(key);
        expect(filtered.map((r) => r[key])).toEqual(want.filter((e) => e.distance < threshold).map((e) => e.key));
      });
    }
  }

  it('halfvec column with a plain array query (type: halfvec)', async () => {
    const q = knex('documents')
      .select('title')
      .orderBy(l2Distance(knex, 'half', queryVec, { type: 'halfvec' }))
      .orderBy('title');
    expect(q.toSQL().toNative().sql).toBe(
      'select "title" from "documents" order by "half" <-> $1::halfvec asc, "title" asc',
    );
    const want = expected(
      docs.map((x) => ({ ...x, half: new HalfVector(x.embedding).toArray() })),
      'title',
      'half',
      new HalfVector(queryVec).toArray(),
      'l2',
    );
    expect((await q).map((r) => r.title)).toEqual(want.map((e) => e.key));
  });

  for (const d of ['hamming', 'jaccard'] as const) {
    it(`${d} on a bit column: the three patterns`, async () => {
      const q = '11110000';
      const want = expected(prints, 'label', 'bits', q, d);
      // hand-derived: hamming 0, 2, 8, 4 ; jaccard 0, 0.5, 1, 0.5
      expect(want.map((e) => e.distance)).toEqual(d === 'hamming' ? [0, 2, 4, 8] : [0, 0.5, 0.5, 1]);
      const sqlText = knex('fingerprints')
        .orderBy(helpers[d](knex, 'bits', q))
        .toSQL()
        .toNative().sql;
      expect(sqlText).toBe(
        `select * from "fingerprints" order by "bits" ${d === 'hamming' ? '<~>' : '<%>'} $1::bit(8) asc`,
      );
      const ordered = await knex('fingerprints')
        .select('label')
        .orderBy(helpers[d](knex, 'bits', new Bit(q)))
        .orderBy('label');
      expect(ordered.map((r) => r.label)).toEqual(want.map((e) => e.key));
      const annotated = await knex('fingerprints').select('label', helpers[d](knex, 'bits', q, { as: 'distance' }));
      for (const e of want) expect(annotated.find((r) => r.label === e.key)?.distance).toBeCloseTo(e.distance, 6);
      const filtered = await knex('fingerprints')
        .select('label', helpers[d](knex, 'bits', q, { as: 'distance' }))
        .where(helpers[d](knex, 'bits', q), '<', 1)
        .orderBy('distance')
        .orderBy('label');
      expect(filtered.map((r) => r.label)).toEqual(want.filter((e) => e.distance < 1).map((e) => e.key));
    });
  }

  it('changes nothing global: no Knex schema-builder method added, pg’s process-wide parsers untouched', async () => {
    let builder: Record<string, unknown> = {};
    knex.schema.createTable('never_created', (t) => void (builder = t as unknown as Record<string, unknown>)).toSQL();
    expect(typeof builder.specificType).toBe('function');
    for (const name of ['vector', 'halfvec', 'sparsevec']) expect(builder[name]).toBeUndefined(); // (Knex has a bit() of its own)
    const pg = (await import('pg')).default;
    const oid = ((await knex.raw("SELECT 'vector'::regtype::oid::int AS oid")).rows as Array<{ oid: number }>)[0]!.oid;
    // the default text parser hands the string back: vecpg registered its parser per connection only
    expect(pg.types.getTypeParser(oid, 'text')('[1,2]')).toBe('[1,2]');
    // while rows through this Knex instance are parsed
    expect((await knex.raw("SELECT '[1,2]'::vector AS v")).rows[0].v).toEqual([1, 2]);
  });

  it('refuses combinations pgvector lacks and quotes odd identifiers safely', async () => {
    expect(() => vectorDistance(knex, 'embedding', 'hamming', [1, 2], {})).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
    expect(() => cosineDistance(knex, 'bits', '1010', { type: 'bit' })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
    // Knex itself takes a '?' in its own identifiers for a placeholder; vecpg's helpers write such a
    // name Unicode-escaped (U&"…", where \003F is '?'), so no '?' is left in it for Knex to take.
    await knex.raw('CREATE TABLE odd_names ("em\\?bed""ding" vector(2))');
    await knex.raw('INSERT INTO odd_names VALUES (?::vector)', [toVectorParam([3, 4], 'vector')]);
    const q = knex('odd_names').select(l2Distance(knex, 'em?bed"ding', [0, 0], { as: 'd?' }));
    expect(q.toSQL().toNative().sql).toBe(
      'select U&"em\\003Fbed""ding" <-> $1::vector AS U&"d\\003F" from "odd_names"',
    );
    expect(await q).toEqual([{ 'd?': 5 }]);
  });
});
