/**
 * vecpg/kysely's vectorAvg / vectorSum with `groupBy` on PGlite (PgliteDialect) and the server
 * (PostgresDialect over a pool with vecpg's parsers): per-category avg and sum of vector and halfvec columns,
 * read as `number[]`, checked against a float64 oracle and pgvector's plain-SQL aggregate
 * (test/support/aggregates.ts); each centroid as the query of vectorSearch finds the rows plain SQL finds.
 */
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest';
import { HalfVector } from 'vecpg';
import {
  type HalfvecColumn,
  PgliteDialect,
  PgvectorPlugin,
  type VectorColumn,
  vectorAggregate,
  vectorAvg,
  vectorSearch,
  vectorSum,
} from 'vecpg/kysely';
import { registerVectorTypes } from 'vecpg/pg';
import {
  byCategory,
  checkAggregates,
  LAYOUT,
  COLUMN_OF,
  nearestIds,
  seedAggregates,
  serverAggregates,
  type StoredRow,
} from '../support/aggregates.ts';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { codeOf } from '../support/errors.ts';

interface Database {
  agg_items: { id: number; category: string; embedding: VectorColumn<null>; half: HalfvecColumn<null> };
}

async function kyselyFor(t: TestDb): Promise<Kysely<Database>> {
  if (t.target === 'pglite') {
    return new Kysely<Database>({
      dialect: new PgliteDialect({ pglite: t.raw as PGlite }),
      plugins: [new PgvectorPlugin()],
    });
  }
  const pool = new pg.Pool({ connectionString: t.url, max: 2 });
  await registerVectorTypes(pool);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()] });
}

describeEachTarget('kysely aggregates', (t) => {
  let db: Kysely<Database>;
  let rows: StoredRow[] = [];
  beforeAll(async () => {
    db = await kyselyFor(t());
    rows = await seedAggregates(t());
  });
  afterAll(async () => {
    await db.destroy();
  });

  for (const type of ['vector', 'halfvec'] as const) {
    it(`vectorAvg / vectorSum of a ${type} column grouped by category`, async () => {
      const column = COLUMN_OF[type] as 'embedding' | 'half';
      for (const aggregate of ['avg', 'sum'] as const) {
        const fn = aggregate === 'avg' ? vectorAvg : vectorSum;
        const result = await db
          .selectFrom('agg_items')
          .select(['category', fn(column, type).as('value')])
          .groupBy('category')
          .orderBy('category')
          .execute();
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
            const found = await vectorSearch(db, {
              table: 'agg_items',
              column,
              query: type === 'vector' ? value! : new HalfVector(value!),
              distance: 'l2',
              k: 10,
            });
            expect(found.map((r) => r.id)).toEqual(await nearestIds(t(), LAYOUT, type, value!, 10));
          }
        }
      }
    });
  }

  it('an expression keeps its type; sparsevec and bit are refused when the type is given', async () => {
    const [row] = await db
      .selectFrom('agg_items')
      .select((eb) => vectorAvg(eb.ref('embedding')).as('centroid'))
      .execute();
    expectTypeOf(row!.centroid).toEqualTypeOf<number[] | null>();
    expect(row!.centroid).toHaveLength(8);
    expect(codeOf(() => vectorAvg('features', 'sparsevec' as 'vector'))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorAggregate('max' as 'avg', 'embedding'))).toBe('INVALID_OPTION');
  });
});
