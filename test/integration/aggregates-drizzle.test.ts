/**
 * vecpg/drizzle's vectorAvg / vectorSum in `db.select({...}).groupBy(...)` on PGlite and the server:
 * per-category avg and sum of vector and halfvec columns, read as the column's `number[]`, checked against a
 * float64 oracle and pgvector's own plain-SQL aggregate (test/support/aggregates.ts); then each centroid as
 * the query of vectorSearch finds the rows plain SQL's `ORDER BY col <-> centroid` finds.
 */
import type { PGlite } from '@electric-sql/pglite';
import { asc } from 'drizzle-orm';
import { type PgDatabase, type PgQueryResultHKT, integer, pgTable, text } from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import { beforeAll, expect, expectTypeOf, it } from 'vitest';
import { HalfVector } from 'vecpg';
import { halfvec, sparsevec, vector, vectorAggregate, vectorAvg, vectorSearch, vectorSum } from 'vecpg/drizzle';
import {
  type DenseName,
  byCategory,
  checkAggregates,
  LAYOUT,
  nearestIds,
  seedAggregates,
  serverAggregates,
  type StoredRow,
} from '../support/aggregates.ts';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { codeOf } from '../support/errors.ts';

type Db = PgDatabase<PgQueryResultHKT>;

async function drizzleFor(t: TestDb): Promise<Db> {
  if (t.target === 'pglite') {
    const { drizzle } = await import('drizzle-orm/pglite');
    return drizzle({ client: t.raw as PGlite });
  }
  const { drizzle } = await import('drizzle-orm/node-postgres');
  return drizzle({ client: t.raw as Pool });
}

const items = pgTable('agg_items', {
  id: integer('id').primaryKey(),
  category: text('category').notNull(),
  embedding: vector('embedding', { dimensions: 8 }),
  half: halfvec('half', { dimensions: 8 }),
});

const sparse = pgTable('agg_sparse', { id: integer('id'), features: sparsevec('features', { dimensions: 5 }) });

describeEachTarget('drizzle aggregates', (t) => {
  let db: Db;
  let rows: StoredRow[] = [];
  beforeAll(async () => {
    db = await drizzleFor(t());
    rows = await seedAggregates(t());
  });

  const columnOf = (type: DenseName) => (type === 'vector' ? items.embedding : items.half);

  for (const type of ['vector', 'halfvec'] as const) {
    it(`vectorAvg / vectorSum of a ${type} column grouped by category`, async () => {
      for (const aggregate of ['avg', 'sum'] as const) {
        const fn = aggregate === 'avg' ? vectorAvg : vectorSum;
        const result = await db
          .select({ category: items.category, value: fn(columnOf(type)) })
          .from(items)
          .groupBy(items.category)
          .orderBy(asc(items.category));
        expectTypeOf(result[0]!.value).toEqualTypeOf<number[] | null>();
        for (const r of result) expect(Array.isArray(r.value)).toBe(true);
        const got = byCategory(
          result,
          (r) => r.category,
          (r) => r.value,
        );
        checkAggregates(rows, aggregate, type, got, await serverAggregates(t(), LAYOUT, aggregate, type));

        if (aggregate === 'avg') {
          for (const { value } of result) {
            const centroid = value!;
            const found = await vectorSearch(db, {
              table: items,
              column: columnOf(type),
              query: type === 'vector' ? centroid : new HalfVector(centroid),
              distance: 'l2',
              k: 10,
            });
            expect(found.map((r) => r.id)).toEqual(await nearestIds(t(), LAYOUT, type, centroid, 10));
          }
        }
      }
    });
  }

  it('refuses sparsevec and non-vector columns with UNSUPPORTED', () => {
    expect(codeOf(() => vectorAvg(sparse.features))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorSum(items.category))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorAggregate('max' as 'avg', items.embedding))).toBe('INVALID_OPTION');
  });
});
