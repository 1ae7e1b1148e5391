/**
 * Objection.js 3 through vecpg/knex: models whose vector columns take plain arrays and
 * SparseVectors (withVectorColumns), rows read back as number[] / SparseVector, and the Django walkthrough's
 * three query patterns on Objection query builders with vecpg's Knex distance helpers.
 */
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SparseVector, cosineDistance as clientCosine, l2Distance as clientL2 } from 'vecpg';
import {
  applySimilarity,
  cosineDistance,
  knexPglite,
  l2Distance,
  vectorColumn,
  withVectorColumns,
  withVectorTypes,
} from 'vecpg/knex';
import { type TestDb, describeEachTarget } from '../support/db.ts';

async function knexFor(t: TestDb): Promise<Knex> {
  if (t.target === 'pglite') return knexPglite(t.raw as PGlite);
  return knexFactory(withVectorTypes({ client: 'pg', connection: t.url!, pool: { min: 0, max: 4 } }));
}

class Document extends withVectorColumns(Model, { embedding: { type: 'vector', dimensions: 4 } }) {
  static override tableName = 'documents';
  declare id: number;
  declare title: string;
  declare embedding: number[];
}

class ScienceData extends withVectorColumns(Model, { features: { type: 'sparsevec', dimensions: 10000 } }) {
  static override tableName = 'science_data';
  declare id: number;
  declare name: string;
  declare features: SparseVector;
}

describeEachTarget('Objection models through vecpg/knex', (db) => {
  let knex: Knex;
  let Doc: typeof Document;
  let Science: typeof ScienceData;

  beforeAll(async () => {
    knex = await knexFor(db());
    await knex.schema.createTable('documents', (t) => {
      t.increments('id');
      t.string('title').notNullable();
      vectorColumn(t, 'embedding', 'vector', 4);
    });
    await knex.schema.createTable('science_data', (t) => {
      t.increments('id');
      t.string('name').notNullable();
      vectorColumn(t, 'features', 'sparsevec', 10000);
    });
    Doc = Document.bindKnex(knex);
    Science = ScienceData.bindKnex(knex);
  });
  afterAll(async () => {
    await knex?.destroy();
  });

  it('inserts plain arrays and SparseVectors; reads number[] and SparseVector back', async () => {
    const inserted = await Doc.query().insert({ title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3] });
    expect(inserted.id).toBeGreaterThan(0);
    await Doc.query().insert([
      { title: 'A', embedding: [1, 0, 0, 0] },
      { title: 'B', embedding: [0, 1, 0, 0] },
    ]);
    const doc = await Doc.query().findById(inserted.id);
    expect(doc?.embedding).toEqual([0.5, 0.2, 0.9, 0.3].map(Math.fround));
    expect(doc).toBeInstanceOf(Document);

    await Science.query().insert({ name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) });
    await Science.query().insert({ name: 'Sample B', features: new SparseVector({ 0: 1, 42: 5 }, 10000) });
    await Science.query().insert({ name: 'Sample C', features: new SparseVector({ 1: 3 }, 10000) });
    const a = await Science.query().findOne({ name: 'Sample A' });
    expect(a?.features).toBeInstanceOf(SparseVector);
    expect(a?.features.toObject()).toEqual({ 0: 5.5, 42: Math.fround(1.2) });
    const text = await Science.query().select(knex.raw('features::text AS t')).findOne({ name: 'Sample A' });
    expect((text as unknown as { t: string }).t).toBe('{1:5.5,43:1.2}/10000');

    await expect(Doc.query().insert({ title: 'short', embedding: [1, 2, 3] })).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
    });
    // patch goes through the same conversion
    await Doc.query()
      .patch({ embedding: [0, 0, 1, 0] })
      .where('title', 'B');
    expect((await Doc.query().findOne({ title: 'B' }))?.embedding).toEqual([0, 0, 1, 0]);
  });

  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
  const want = () =>
    [
      ['Sample A', new SparseVector({ 0: 5.5, 42: 1.2 }, 10000)],
      ['Sample B', new SparseVector({ 0: 1, 42: 5 }, 10000)],
      ['Sample C', new SparseVector({ 1: 3 }, 10000)],
    ]
      .map(([name, v]) => ({ name: name as string, distance: clientCosine(v as SparseVector, target) }))
      .sort((x, y) => x.distance - y.distance);

  it('pattern 1: order by distance', async () => {
    const q = Science.query()
      .select('name')
      .orderBy(cosineDistance(knex, 'features', target))
      .limit(10);
    expect(q.toKnexQuery().toSQL().toNative().sql).toBe(
      'select "name" from "science_data" order by "features" <=> $1::sparsevec asc limit $2',
    );
    expect((await q).map((r) => r.name)).toEqual(want().map((w) => w.name));
  });

  it('pattern 2: annotate', async () => {
    const rows = (await Science.query().select(
      'name',
      cosineDistance(knex, 'features', target, { as: 'distance' }),
    )) as unknown as Array<{ name: string; distance: number }>;
    for (const w of want()) expect(rows.find((r) => r.name === w.name)?.distance).toBeCloseTo(w.distance, 5);
  });

  it('pattern 3: annotate + filter + order, with applySimilarity on an Objection builder', async () => {
    const q = applySimilarity(Science.query().select('name'), knex, {
      column: 'features',
      query: target,
      distance: 'cosine',
      maxDistance: 0.2,
    });
    expect(q.toKnexQuery().toSQL().toNative().sql).toBe(
      'select "name", ("features" <=> $1::sparsevec) + 0 AS "distance" from "science_data" where "features" <=> $2::sparsevec < $3 order by "distance" asc',
    );
    const rows = (await q) as unknown as Array<{ name: string; distance: number }>;
    expect(rows.map((r) => r.name)).toEqual(
      want()
        .filter((w) => w.distance < 0.2)
        .map((w) => w.name),
    );
    expect(rows.map((r) => r.name)).toEqual(['Sample A']); // hand-checked: B ≈ 0.62, C = 1
  });

  it('dense: nearest documents with l2', async () => {
    const query = [1, 0.1, 0, 0];
    const rows = await Doc.query()
      .select('title')
      .orderBy(l2Distance(knex, 'embedding', query))
      .limit(2);
    const all = await Doc.query();
    const expected = all
      .map((d) => ({ title: d.title, d: clientL2(d.embedding, query) }))
      .sort((x, y) => x.d - y.d)
      .slice(0, 2)
      .map((x) => x.title);
    expect(rows.map((r) => r.title)).toEqual(expected);
    expect(expected[0]).toBe('A');
  });
});
