/**
 * The core's vector aggregates (src/sql/aggregates.ts) on PGlite and the server: `centroids` and
 * `aggregateVectors` per category for vector and halfvec, checked against a float64 oracle and pgvector's
 * own plain-SQL aggregate (test/support/aggregates.ts); a search with each centroid finds the same rows as
 * plain SQL; sparsevec/bit columns and unknown columns are refused before any aggregate runs.
 */
import { expect, it } from 'vitest';
import { HalfVector, Vector, aggregateVectors, centroids, search } from 'vecpg';
import {
  type DenseName,
  COLUMN_OF,
  byCategory,
  checkAggregates,
  LAYOUT,
  nearestIds,
  seedAggregates,
  serverAggregates,
  type StoredRow,
} from '../support/aggregates.ts';
import { codeOfRejection } from '../support/errors.ts';
import { describeEachTarget } from '../support/db.ts';

describeEachTarget('core aggregates', (db) => {
  let rows: StoredRow[] = [];

  it('seeds the table', async () => {
    rows = await seedAggregates(db());
    expect(rows).toHaveLength(300);
  });

  for (const type of ['vector', 'halfvec'] as const satisfies readonly DenseName[]) {
    it(`centroids of a ${type} column per category equal float64 means and pgvector's avg`, async () => {
      const result = await centroids<typeof type, string>(db(), {
        table: 'agg_items',
        column: COLUMN_OF[type],
        groupBy: 'category',
        type,
      });
      for (const row of result) expect(row.centroid).toBeInstanceOf(type === 'vector' ? Vector : HalfVector);
      expect(result.map((r) => r.count)).toEqual(result.map((r) => rows.filter((s) => s.category === r.group).length));
      const got = byCategory(
        result,
        (r) => r.group,
        (r) => r.centroid,
      );
      checkAggregates(rows, 'avg', type, got, await serverAggregates(db(), LAYOUT, 'avg', type));

      // Grouping end to end: each centroid as a search query finds the rows plain SQL finds.
      for (const row of result) {
        const found = await search<{ id: number }>(db(), {
          table: 'agg_items',
          column: COLUMN_OF[type],
          query: row.centroid,
          distance: 'l2',
          select: ['id'],
          k: 10,
        });
        expect(found.map((r) => r.id)).toEqual(await nearestIds(db(), LAYOUT, type, row.centroid.toArray(), 10));
      }
    });

    it(`sum of a ${type} column per category equals the float64 sum and pgvector's sum`, async () => {
      const result = await aggregateVectors(db(), {
        aggregate: 'sum',
        table: 'agg_items',
        column: COLUMN_OF[type],
        groupBy: 'category',
      });
      const got = byCategory(
        result,
        (r) => r.group,
        (r) => r.value,
      );
      checkAggregates(rows, 'sum', type, got, await serverAggregates(db(), LAYOUT, 'sum', type));
    });
  }

  it('without groupBy: one row for the table; none for an empty table', async () => {
    const [all] = await centroids(db(), { table: 'agg_items', column: 'embedding', type: 'vector' });
    const plain = await db().query<{ v: string }>('SELECT avg(embedding)::text AS v FROM agg_items');
    expect(all?.group).toBeNull();
    expect(all?.count).toBe(300);
    expect(all?.centroid.toSql()).toBe(plain[0]?.v);
    await db().query('CREATE TABLE agg_empty (id int, embedding vector(3))');
    expect(await centroids(db(), { table: 'agg_empty', column: 'embedding' })).toEqual([]);
  });

  it('refuses sparsevec and bit columns, unknown columns and a wrong type', async () => {
    await db().query('CREATE TABLE agg_other (id int, features sparsevec(5), hash bit(4), embedding vector(3))');
    const unsupported = await codeOfRejection(centroids(db(), { table: 'agg_other', column: 'features' }));
    expect(unsupported).toBe('UNSUPPORTED');
    await expect(centroids(db(), { table: 'agg_other', column: 'hash' })).rejects.toThrow(/"hash".*bit/);
    expect(await codeOfRejection(centroids(db(), { table: 'agg_other', column: 'nope' }))).toBe('INVALID_OPTION');
    expect(await codeOfRejection(centroids(db(), { table: 'agg_missing', column: 'embedding' }))).toBe(
      'INVALID_OPTION',
    );
    expect(await codeOfRejection(centroids(db(), { table: 'agg_other', column: 'embedding', type: 'halfvec' }))).toBe(
      'INCOMPATIBLE_COLUMN',
    );
    expect(
      await codeOfRejection(
        aggregateVectors(db(), { table: 'agg_other', column: 'embedding', aggregate: 'max' as 'avg' }),
      ),
    ).toBe('INVALID_OPTION');
  });
});
