/**
 * Hostile identifiers through the SQL layer, on both databases: a schema, a table, a vector column
 * and a filter column all named after each hostile name (./hostile-names.ts) go through DDL
 * (`columnTypeSql`, `createIndexSql`, `dropIndexSql`), exact and approximate `search`, and filters.
 * Proven each time: the canary table survives (nothing was injected); the object named is the one
 * used (decoy tables under the case-folded name, in `public`, and under a dotted split hold other
 * rows); values never appear in the SQL text (they are bound parameters); and names over 63 bytes
 * are refused with INVALID_IDENTIFIER instead of being truncated by PostgreSQL.
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import {
  buildSimilarityQuery,
  columnTypeSql,
  createIndexSql,
  dropIndexSql,
  quoteIdent,
  quoteQualified,
  search,
} from 'vecpg';
import { defaultIndexName, vectorParam } from 'vecpg/sql';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { CANARY, HOSTILE_NAMES, HOSTILE_VALUE, TOO_LONG_NAMES, naiveFold } from './hostile-names.ts';

/** A filter column with a hostile name of its own. */
const FILTER = 'f"; DELETE FROM canary; --';

const ROWS: Array<[number, number[], string]> = [
  [1, [1, 0, 0], 'a'],
  [2, [0, 1, 0], 'b'],
  [3, [0, 0, 1], HOSTILE_VALUE],
];
const QUERY = [0.9, 0.1, 0];

/** L2 distance computed here in double precision from the float32 values the server stores. */
function l2(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((s, x, i) => s + (Math.fround(x) - Math.fround(b[i]!)) ** 2, 0));
}

async function createTable(db: TestDb, name: readonly string[], rows: typeof ROWS): Promise<void> {
  const column = name[name.length - 1]!;
  await db.query(
    `CREATE TABLE ${quoteQualified(name)} (id int PRIMARY KEY, ${quoteIdent(column)} ${columnTypeSql('vector', 3)}, ${quoteIdent(FILTER)} text)`,
  );
  for (const [id, v, f] of rows) {
    await db.query(
      `INSERT INTO ${quoteQualified(name)} (id, ${quoteIdent(column)}, ${quoteIdent(FILTER)}) VALUES ($1, $2, $3)`,
      [id, vectorParam(v, 'vector'), f],
    );
  }
}

describeEachTarget('security: hostile identifiers through the SQL layer', (db) => {
  beforeAll(async () => {
    await db().query(`CREATE TABLE ${CANARY} (id int)`);
    await db().query(`INSERT INTO ${CANARY} VALUES (1)`);
  });

  afterEach(async () => {
    const rows = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${CANARY}`);
    expect(rows[0]!.n, 'the canary table survived with its row').toBe(1);
  });

  for (const name of HOSTILE_NAMES) {
    it(`schema, table, column and index named ${JSON.stringify(name)}`, async () => {
      const schema = name;
      const table = [schema, name];
      await db().query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      await createTable(db(), table, ROWS);
      // Decoys: what a missing quote (case folding) or a missing schema would reach instead.
      if (naiveFold(name) !== name)
        await createTable(
          db(),
          [schema, naiveFold(name)],
          ROWS.map(([id, v, f]) => [id + 90, v, f]),
        );
      await createTable(
        db(),
        ['public', name],
        ROWS.map(([id, v, f]) => [id + 80, v, f]),
      );

      const exact = await search(db(), { table, column: name, query: QUERY, distance: 'l2', k: 2, select: ['id'] });
      expect(exact.map((r) => r.id)).toEqual([1, 2]);
      expect(exact[0]!.distance).toBeCloseTo(l2(QUERY, [1, 0, 0]), 6);

      const filtered = await search(db(), {
        table,
        column: name,
        query: QUERY,
        distance: 'l2',
        where: { [FILTER]: HOSTILE_VALUE },
        select: ['id', FILTER],
      });
      expect(filtered).toEqual([
        { id: 3, [FILTER]: HOSTILE_VALUE, distance: expect.closeTo(l2(QUERY, [0, 0, 1]), 6) as unknown },
      ]);

      // Values are bound, never spliced: neither the vector nor the filter value is in the text.
      const built = buildSimilarityQuery({
        table,
        column: name,
        query: QUERY,
        distance: 'l2',
        where: { [FILTER]: HOSTILE_VALUE },
        k: 2,
      });
      expect(built.text).not.toContain(HOSTILE_VALUE);
      expect(built.text).not.toContain('0.9');
      expect(built.values).toEqual(['[0.9,0.1,0]', HOSTILE_VALUE, 2]);

      // An index on the hostile table: created under the expected name, used by an approximate search, dropped.
      const indexName = defaultIndexName(table, name, 'hnsw', 'l2');
      expect(new TextEncoder().encode(indexName).length).toBeLessThanOrEqual(63);
      await db().query(createIndexSql({ table, column: name, type: 'vector', distance: 'l2' }));
      const indexes = await db().query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexdef LIKE '%USING hnsw%'",
        [schema, name],
      );
      expect(indexes.map((r) => r.indexname)).toEqual([indexName]);
      const approx = await search(db(), {
        table,
        column: name,
        query: QUERY,
        distance: 'l2',
        k: 3,
        select: ['id'],
        approximate: { efSearch: 10 },
      });
      expect(approx.map((r) => r.id)).toEqual([1, 2, 3]);
      await db().query(dropIndexSql([schema, indexName]));
      const after = await db().query('SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [
        schema,
        indexName,
      ]);
      expect(after).toHaveLength(0);
    });
  }

  it('a dotted name is one identifier, never split into schema and table', async () => {
    await db().query('CREATE SCHEMA s');
    await createTable(
      db(),
      ['s', 't'],
      ROWS.map(([id, v, f]) => [id + 70, v, f]),
    ); // the decoy a split would reach
    await createTable(db(), ['public', 's.t'], ROWS);
    const rows = await search(db(), {
      table: 's.t',
      column: 's.t',
      query: QUERY,
      distance: 'l2',
      k: 1,
      select: ['id'],
    });
    expect(rows.map((r) => r.id)).toEqual([1]);
  });

  for (const name of TOO_LONG_NAMES) {
    it(`${new TextEncoder().encode(name).length}-byte name ${JSON.stringify(name.slice(0, 8))}… is refused, not truncated`, async () => {
      const refused = expect.objectContaining({ code: 'INVALID_IDENTIFIER' });
      expect(() => quoteIdent(name)).toThrow(refused);
      expect(() => createIndexSql({ table: name, column: 'v', type: 'vector', distance: 'l2' })).toThrow(refused);
      expect(() => createIndexSql({ table: 't', column: name, type: 'vector', distance: 'l2', name })).toThrow(refused);
      expect(() => dropIndexSql(['public', name])).toThrow(refused);
      await expect(
        search(db(), { table: ['public', name], column: 'v', query: QUERY, distance: 'l2' }),
      ).rejects.toThrow(refused);
      await expect(search(db(), { table: 't', column: name, query: QUERY, distance: 'l2' })).rejects.toThrow(refused);
      await expect(
        search(db(), { table: 't', column: 'v', query: QUERY, distance: 'l2', where: { [name]: 1 } }),
      ).rejects.toThrow(refused);
    });
  }

  it('a NUL character or an empty name is refused', () => {
    expect(() => quoteIdent('a\0b')).toThrow(expect.objectContaining({ code: 'INVALID_IDENTIFIER' }));
    expect(() => quoteIdent('')).toThrow(expect.objectContaining({ code: 'INVALID_IDENTIFIER' }));
  });
});
