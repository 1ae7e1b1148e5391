/**
 * vecpg/typeorm's vectorAvg / vectorSum in a QueryBuilder with groupBy, on PGlite (vecpg's pg stand-in)
 * and the server: per-category avg and sum of vector and halfvec columns parsed to `number[]`, checked
 * against a float64 oracle and pgvector's plain-SQL aggregate (test/support/aggregates.ts); each centroid
 * as the query of vectorSearch finds the rows plain SQL finds.
 */
import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { HalfVector } from 'vecpg';
import {
  HalfvecColumn,
  VectorColumn,
  pgliteOptions,
  registerVectorTypes,
  vectorAggregate,
  vectorAvg,
  vectorSearch,
  vectorSum,
} from 'vecpg/typeorm';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest';
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

@Entity('agg_items')
class AggItem {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'text' }) category!: string;
  @VectorColumn(8, { nullable: true }) embedding!: number[] | null;
  @HalfvecColumn(8, { nullable: true }) half!: number[] | null;
}

function dataSourceFor(db: TestDb): DataSource {
  const base = db.target === 'server' ? { type: 'postgres' as const, url: db.url! } : pgliteOptions(db.raw as PGlite);
  return registerVectorTypes(new DataSource({ ...base, entities: [AggItem] }));
}

describeEachTarget('typeorm aggregates', (t) => {
  let ds: DataSource;
  let rows: StoredRow[] = [];
  beforeAll(async () => {
    rows = await seedAggregates(t());
    ds = dataSourceFor(t());
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  for (const type of ['vector', 'halfvec'] as const) {
    it(`vectorAvg / vectorSum of a ${type} column grouped by category`, async () => {
      const column = COLUMN_OF[type] as 'embedding' | 'half';
      for (const aggregate of ['avg', 'sum'] as const) {
        const expression = (aggregate === 'avg' ? vectorAvg : vectorSum)(`item.${column}`, { type });
        const raw = await ds
          .getRepository(AggItem)
          .createQueryBuilder('item')
          .select('item.category', 'category')
          .addSelect(expression.sql, 'value')
          .groupBy('item.category')
          .orderBy('item.category')
          .getRawMany<{ category: string; value: unknown }>();
        const result = raw.map((r) => ({ category: r.category, value: expression.parse(r.value) }));
        expectTypeOf(result[0]!.value).toEqualTypeOf<number[] | null>();
        const got = byCategory(
          result,
          (r) => r.category,
          (r) => r.value,
        );
        checkAggregates(rows, aggregate, type, got, await serverAggregates(t(), LAYOUT, aggregate, type));
        if (aggregate === 'avg') {
          for (const { value } of result) {
            const found = await vectorSearch(ds.getRepository(AggItem), {
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

  it('refuses sparsevec and bit columns, and a column that is not a property path', () => {
    expect(codeOf(() => vectorAvg('item.features', { type: 'sparsevec' as 'vector' }))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorSum('item.bits', { type: 'bit' as 'vector' }))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorAvg('embedding; DROP TABLE x'))).toBe('INVALID_IDENTIFIER');
    expect(codeOf(() => vectorAggregate('max' as 'avg', 'item.embedding'))).toBe('INVALID_OPTION');
    expect(vectorAvg('item.embedding').parse(null)).toBeNull();
  });
});
