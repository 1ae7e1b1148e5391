/**
 * vecpg/sequelize's vectorAvg / vectorSum as `findAll` attributes with `group`, on the server (Sequelize
 * talks to PostgreSQL through `pg` only, as in sequelize.test.ts): per-category avg and sum of VECTOR and
 * HALFVEC attributes parsed to `number[]`, checked against a float64 oracle and pgvector's plain-SQL
 * aggregate (test/support/aggregates.ts); each centroid as the query of vectorSearch finds the rows plain
 * SQL finds; SPARSEVEC and BIT attributes are refused.
 */
import { DataTypes, type Model, type ModelStatic, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { HalfVector } from 'vecpg';
import { BIT, HALFVEC, SPARSEVEC, VECTOR, vectorAggregate, vectorAvg, vectorSearch, vectorSum } from 'vecpg/sequelize';
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
import { TARGETS, type TestDb, openTestDb } from '../support/db.ts';
import { codeOf } from '../support/errors.ts';

interface ItemAttrs {
  id: number;
  category: string;
  embedding: number[] | null;
  half: number[] | null;
  features?: unknown;
  bits?: string | null;
}

describe.runIf(TARGETS.includes('server'))('sequelize aggregates [server] (Sequelize runs on pg only)', () => {
  let db: TestDb;
  let sequelize: Sequelize;
  let Item: ModelStatic<Model<ItemAttrs, ItemAttrs>>;
  let rows: StoredRow[] = [];
  beforeAll(async () => {
    db = await openTestDb('server');
    rows = await seedAggregates(db);
    sequelize = new Sequelize(db.url!, { dialect: 'postgres', logging: false });
    Item = sequelize.define<Model<ItemAttrs, ItemAttrs>>(
      'Item',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true },
        category: { type: DataTypes.TEXT, allowNull: false },
        embedding: VECTOR(8),
        half: HALFVEC(8),
        features: SPARSEVEC(5),
        bits: BIT(4),
      },
      { tableName: 'agg_items', timestamps: false },
    );
  });
  afterAll(async () => {
    await sequelize?.close();
    await db?.close();
  });

  for (const type of ['vector', 'halfvec'] as const) {
    it(`vectorAvg / vectorSum of a ${type} attribute grouped by category`, async () => {
      const column = COLUMN_OF[type] as 'embedding' | 'half';
      for (const aggregate of ['avg', 'sum'] as const) {
        const a = (aggregate === 'avg' ? vectorAvg : vectorSum)(Item, column);
        expect(a.type).toBe(type);
        const raw = (await Item.findAll({
          attributes: ['category', [a.fn, 'value']],
          group: ['category'],
          order: [['category', 'ASC']],
          raw: true,
        })) as unknown as Array<{ category: string; value: unknown }>;
        const result = raw.map((r) => ({ category: r.category, value: a.parse(r.value) }));
        expectTypeOf(result[0]!.value).toEqualTypeOf<number[] | null>();
        const got = byCategory(
          result,
          (r) => r.category,
          (r) => r.value,
        );
        checkAggregates(rows, aggregate, type, got, await serverAggregates(db, LAYOUT, aggregate, type));
        if (aggregate === 'avg') {
          for (const { value } of result) {
            const found = await vectorSearch(Item, {
              column,
              query: type === 'vector' ? value! : new HalfVector(value!),
              distance: 'l2',
              k: 10,
              findOptions: { attributes: ['id'] },
            });
            expect(found.map((r) => r.instance.get('id'))).toEqual(await nearestIds(db, LAYOUT, type, value!, 10));
          }
        }
      }
    });
  }

  it('refuses SPARSEVEC, BIT and non-vector attributes with UNSUPPORTED, unknown ones with INVALID_OPTION', () => {
    expect(codeOf(() => vectorAvg(Item, 'features'))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorSum(Item, 'bits'))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorSum(Item, 'category'))).toBe('UNSUPPORTED');
    expect(codeOf(() => vectorAvg(Item, 'nope' as 'id'))).toBe('INVALID_OPTION');
    expect(codeOf(() => vectorAggregate('max' as 'avg', Item, 'embedding'))).toBe('INVALID_OPTION');
  });
});
