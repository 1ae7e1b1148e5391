/**
 * vecpg/knex's vectorAvg / vectorSum with `groupBy`, through Knex and through an Objection model, on PGlite
 * (knexPglite) and the server (withVectorTypes): per-category avg and sum of vector and halfvec columns, read
 * as `number[]`, checked against a float64 oracle and pgvector's plain-SQL aggregate
 * (test/support/aggregates.ts); each centroid as the query of vectorSearch finds the rows plain SQL finds.
 */
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest';
import { HalfVector } from 'vecpg';
import {
  knexPglite,
  vectorAggregate,
  vectorAvg,
  vectorSearch,
  vectorSum,
  withVectorColumns,
  withVectorTypes,
} from 'vecpg/knex';
import {
  COLUMN_OF,
  LAYOUT,
  byCategory,
  checkAggregates,
  nearestIds,
  seedAggregates,
  serverAggregates,
  type StoredRow,
} from '../support/aggregates.ts';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { codeOf } from '../support/errors.ts';

async function knexFor(t: TestDb): Promise<Knex> {
  if (t.target === 'pglite') return knexPglite(t.raw as PGlite);
  return knexFactory(withVectorTypes({ client: 'pg', connection: t.url!, pool: { min: 0, max: 2 } }));
}

class AggItem extends withVectorColumns(Model, {
  embedding: { type: 'vector', dimensions: 8 },
  half: { type: 'halfvec', dimensions: 8 },
}) {
  static override tableName = 'agg_items';
  declare id: number;
  declare category: string;
  declare embedding: number[] | null;
  declare half: number[] | null;
}

describeEachTarget('knex aggregates', (t) => {
  let knex: Knex;
  let rows: StoredRow[] = [];
  beforeAll(async () => {
    rows = await seedAggregates(t());
    knex = await knexFor(t());
  });
  afterAll(async () => {
    await knex?.destroy();
  });

  for (const type of ['vector', 'halfvec'] as const) {
    it(`vectorAvg / vectorSum of a ${type} column grouped by category`, async () => {
      const column = COLUMN_OF[type];
      for (const aggregate of ['avg', 'sum'] as const) {
        const fn = aggregate === 'avg' ? vectorAvg : vectorSum;
        const result = (await knex('agg_items')
          .select('category', fn(knex, column, { type, as: 'value' }))
          .groupBy('category')
          .orderBy('category')) as Array<{ category: string; value: number[] | null }>;
        for (const r of result) expect(Array.isArray(r.value)).toBe(true);
        const got = byCategory(
          result,
          (r) => r.category,
          (r) => r.value,
        );
        checkAggregates(rows, aggregate, type, got, await serverAggregates(t(), LAYOUT, aggregate, type));
        if (aggregate === 'avg') {
          for (const { value } of result) {
            const found = await vectorSearch<{ id: number }>(knex, {
              table: 'agg_items',
              column,
              query: type === 'vector' ? value! : new HalfVector(value!),
              distance: 'l2',
              select: ['id'],
              k: 10,
            });
            expect(found.map((r) => r.id)).toEqual(await nearestIds(t(), LAYOUT, type, value!, 10));
          }
        }
      }
    });
  }

  it('through an Objection model: the centroid of each category equals pgvector avg', async () => {
    const Items = AggItem.bindKnex(knex);
    const result = (await Items.query()
      .select('category', vectorAvg(knex, 'embedding', { as: 'centroid' }))
      .groupBy('category')
      .castTo<Array<{ category: string; centroid: number[] | null }>>()) as unknown as Array<{
      category: string;
      centroid: number[] | null;
    }>;
    const got = byCategory(
      result,
      (r) => r.category,
      (r) => r.centroid,
    );
    checkAggregates(rows, 'avg', 'vector', got, await serverAggregates(t(), LAYOUT, 'avg', 'vector'));
  });

  it('types the raw as number[] | null; refuses sparsevec and bit when the type is given', () => {
    expectTypeOf(vectorAvg(knex, 'embedding')).toEqualTypeOf<Knex.Raw<number[] | null>>();
    expect(codeOf(() => vectorAvg(knex, 'features', { type: 'sparsevec' as 'vector' }))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorAggregate(knex, 'max' as 'avg', 'embedding'))).toBe('INVALID_OPTION');
    expect(vectorSum(knex, ['agg_items', 'a?b'], { as: 'total' }).toSQL().sql).toBe(
      'sum("agg_items".U&"a\\003Fb") AS "total"', // a "?" in a name is no Knex placeholder
    );
  });
});
