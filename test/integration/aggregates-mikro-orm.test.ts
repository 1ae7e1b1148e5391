/**
 * vecpg/mikro-orm's vectorAvg / vectorSum in a QueryBuilder with groupBy, on PGlite (mikroOrmPglite) and
 * the server: per-category avg and sum of vector and halfvec columns parsed to `number[]`, checked against a
 * float64 oracle and pgvector's plain-SQL aggregate (test/support/aggregates.ts); each centroid as the query
 * of vectorSearch finds the rows plain SQL finds.
 */
import type { PGlite } from '@electric-sql/pglite';
import { EntitySchema } from '@mikro-orm/core';
import { MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest';
import { HalfVector } from 'vecpg';
import { mikroOrmPglite, vectorAggregate, vectorAvg, vectorProperty, vectorSearch, vectorSum } from 'vecpg/mikro-orm';
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

interface AggItem {
  id: number;
  category: string;
  embedding: number[] | null;
  half: number[] | null;
}

const AggItemSchema = new EntitySchema<AggItem>({
  name: 'AggItem',
  tableName: 'agg_items',
  properties: {
    id: { type: 'number', primary: true },
    category: { type: 'string' },
    embedding: { ...vectorProperty('vector', 8), nullable: true },
    half: { ...vectorProperty('halfvec', 8), nullable: true },
  },
});

async function config(t: TestDb): Promise<Options> {
  const target =
    t.target === 'pglite' ? await mikroOrmPglite(t.raw as PGlite) : { driver: PostgreSqlDriver, clientUrl: t.url! };
  return { ...target, entities: [AggItemSchema], allowGlobalContext: false, debug: false };
}

describeEachTarget('mikro-orm aggregates', (t) => {
  let orm: MikroORM;
  let rows: StoredRow[] = [];
  beforeAll(async () => {
    rows = await seedAggregates(t());
    orm = await MikroORM.init(await config(t()));
  });
  afterAll(async () => {
    await orm?.close();
  });

  for (const type of ['vector', 'halfvec'] as const) {
    it(`vectorAvg / vectorSum of a ${type} column grouped by category`, async () => {
      const column = COLUMN_OF[type] as 'embedding' | 'half';
      for (const aggregate of ['avg', 'sum'] as const) {
        const a = (aggregate === 'avg' ? vectorAvg : vectorSum)(column, { type });
        const em = orm.em.fork();
        const raw = await em
          .createQueryBuilder(AggItemSchema)
          .select(['category', a.as('value')])
          .groupBy('category')
          .orderBy({ category: 'asc' })
          .execute<Array<{ category: string; value: unknown }>>();
        const result = raw.map((r) => ({ category: r.category, value: a.parse(r.value) }));
        expectTypeOf(result[0]!.value).toEqualTypeOf<number[] | null>();
        const got = byCategory(
          result,
          (r) => r.category,
          (r) => r.value,
        );
        checkAggregates(rows, aggregate, type, got, await serverAggregates(t(), LAYOUT, aggregate, type));
        if (aggregate === 'avg') {
          for (const { value } of result) {
            const found = await vectorSearch(em, AggItemSchema, {
              column,
              query: type === 'vector' ? value! : new HalfVector(value!),
              distance: 'l2',
              k: 10,
            });
            expect(found.map((r) => r.entity.id)).toEqual(await nearestIds(t(), LAYOUT, type, value!, 10));
          }
        }
      }
    });
  }

  it('refuses sparsevec and bit columns with UNSUPPORTED', () => {
    expect(codeOf(() => vectorAvg('features', { type: 'sparsevec' as 'vector' }))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorSum('bits', { type: 'bit' as 'vector' }))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorAggregate('max' as 'avg', 'embedding'))).toBe('INVALID_OPTION');
    expect(vectorSum('a?b').sql).toBe('CAST(sum(U&"a\\003Fb") AS text)');
  });
});
