/**
 * `search()` filters beyond equality (ranges, IN, IS NULL, sqlFilter fragments) and "more like this"
 * (`likeId`), on real rows in PGlite and the server. Each expected result is computed twice, without
 * vecpg: by a hand-written SQL query with pgvector's own operator, and (for filters) by a JavaScript
 * predicate over the rows as stored. Column names are hostile: quotes, `$1`, `?`, spaces.
 */
import { beforeAll, expect, it } from 'vitest';
import { isVecpgError, search, sqlFilter, type SearchFilter, Vector } from 'vecpg';
import { codeOf, codeOfRejection } from '../support/errors.ts';
import { describeEachTarget } from '../support/db.ts';
import { seededRandom } from '../support/random.ts';

/** A price column named to break naive quoting and placeholder handling. */
const PRICE = 'pri"ce $1 ?';
const DELETED = 'deleted at';
const QUERY = [0.3, 0.6, 0.1];

interface Stored {
  id: number;
  price: number;
  tag: string | null;
  deleted: boolean;
  embedding: number[];
}

const rand = seededRandom(16);
const TAGS = ['a', 'b', "c'd", null] as const;
const ROWS: Stored[] = Array.from({ length: 80 }, (_, i) => ({
  id: i + 1,
  price: Math.round(rand() * 2000) / 100,
  tag: TAGS[i % 4]!,
  deleted: i % 5 === 0,
  embedding: [rand(), rand(), rand()].map((x) => Math.round(x * 1000) / 1000),
}));

/** [name, where, hand-written SQL condition, JS predicate]. */
const FILTERS: ReadonlyArray<readonly [string, SearchFilter, string, (r: Stored) => boolean]> = [
  [
    'range',
    { [PRICE]: { gte: 5, lt: 12.5 } },
    '"pri""ce $1 ?" >= 5 AND "pri""ce $1 ?" < 12.5',
    (r) => r.price >= 5 && r.price < 12.5,
  ],
  [
    'gt and lte',
    { [PRICE]: { gt: 3, lte: 7 } },
    '"pri""ce $1 ?" > 3 AND "pri""ce $1 ?" <= 7',
    (r) => r.price > 3 && r.price <= 7,
  ],
  ['in', { tag: { in: ['a', "c'd"] } }, "tag IN ('a', 'c''d')", (r) => r.tag === 'a' || r.tag === "c'd"],
  ['not in', { tag: { notIn: ['a'] } }, "tag <> 'a'", (r) => r.tag !== null && r.tag !== 'a'],
  ['empty in', { tag: { in: [] } }, 'FALSE', () => false],
  ['is null', { [DELETED]: null }, '"deleted at" IS NULL', (r) => !r.deleted],
  ['is not null', { [DELETED]: { isNull: false } }, '"deleted at" IS NOT NULL', (r) => r.deleted],
  ['tag is null', { tag: { isNull: true } }, 'tag IS NULL', (r) => r.tag === null],
  ['ne', { tag: { ne: 'b' } }, "tag <> 'b'", (r) => r.tag !== null && r.tag !== 'b'],
  ['equality', { tag: 'b', [DELETED]: null }, `tag = 'b' AND "deleted at" IS NULL`, (r) => r.tag === 'b' && !r.deleted],
  [
    'sqlFilter',
    sqlFilter('"pri""ce $1 ?" * 2 < $1 AND tag <> \'$2\' /* $2 */', [20]),
    '"pri""ce $1 ?" * 2 < 20 AND tag IS NOT NULL',
    (r) => r.price * 2 < 20 && r.tag !== null,
  ],
  [
    'tagged sqlFilter with a reused value',
    sqlFilter`"pri""ce $1 ?" BETWEEN ${4} AND ${16} AND tag = ANY(${['a', 'b']}::text[])`,
    '"pri""ce $1 ?" BETWEEN 4 AND 16 AND tag IN (\'a\', \'b\')',
    (r) => r.price >= 4 && r.price <= 16 && (r.tag === 'a' || r.tag === 'b'),
  ],
  [
    'a list: object and fragment',
    [{ tag: { in: ['a', 'b'] } }, sqlFilter('$1 < "pri""ce $1 ?" AND "pri""ce $1 ?" < $1::numeric * $2', [2, 6])],
    'tag IN (\'a\', \'b\') AND 2 < "pri""ce $1 ?" AND "pri""ce $1 ?" < 12',
    (r) => (r.tag === 'a' || r.tag === 'b') && r.price > 2 && r.price < 12,
  ],
];

describeEachTarget('search() filters and likeId', (db) => {
  beforeAll(async () => {
    await db().query(
      `CREATE TABLE items (id int PRIMARY KEY, "pri""ce $1 ?" numeric NOT NULL, tag text, "deleted at" timestamptz, embedding vector(3))`,
    );
    for (const r of ROWS) {
      await db().query(`INSERT INTO items VALUES ($1, $2, $3, $4, $5::vector)`, [
        r.id,
        r.price,
        r.tag,
        r.deleted ? '2026-01-01T00:00:00Z' : null,
        new Vector(r.embedding).toSql(),
      ]);
    }
  });

  const ids = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => Number(r.id));

  it.each(FILTERS)('%s: the rows a hand-written query and a JS filter select', async (_, where, condition, keep) => {
    const byJs = ROWS.filter(keep).map((r) => r.id);
    const bySql = await db().query<{ id: number }>(`SELECT id FROM items WHERE ${condition} ORDER BY id`);
    expect(bySql.map((r) => Number(r.id))).toEqual(byJs);
    // every matching row (k above the count), then the nearest 5 by pgvector's own ordering
    const all = await search(db(), {
      table: 'items',
      column: 'embedding',
      query: QUERY,
      distance: 'l2',
      where,
      k: 100,
    });
    expect(ids(all).sort((a, b) => a - b)).toEqual(byJs);
    const top = await db().query<{ id: number }>(
      `SELECT id FROM items WHERE ${condition} ORDER BY embedding <-> $1::vector, id LIMIT 5`,
      [new Vector(QUERY).toSql()],
    );
    const k5 = await search(db(), { table: 'items', column: 'embedding', query: QUERY, distance: 'l2', where, k: 5 });
    expect(ids(k5)).toEqual(top.map((r) => Number(r.id)));
    // approximate (no index here: the same rows) goes through the same builder
    const approx = await search(db(), {
      table: 'items',
      column: 'embedding',
      query: QUERY,
      distance: 'l2',
      where,
      k: 5,
      approximate: {},
    });
    expect(ids(approx)).toEqual(top.map((r) => Number(r.id)));
  });

  it('binds every value: a hostile value is data, not SQL', async () => {
    const rows = await search(db(), {
      table: 'items',
      column: 'embedding',
      query: QUERY,
      distance: 'l2',
      where: { tag: { in: ["a' OR '1'='1", "c'd"] } },
      k: 100,
    });
    expect(ids(rows).sort((a, b) => a - b)).toEqual(ROWS.filter((r) => r.tag === "c'd").map((r) => r.id));
  });

  it('refuses bad filters before running anything (INVALID_OPTION, naming the column)', async () => {
    const bad = (where: unknown) =>
      search(db(), { table: 'items', column: 'embedding', query: QUERY, distance: 'l2', where: where as SearchFilter });
    for (const where of [
      { tag: { like: 'a%' } },
      { tag: { in: 'a' } },
      { tag: { gt: undefined } },
      { tag: { isNull: 'yes' } },
      { tag: { gt: Number.NaN } },
      { tag: { eq: { nested: 1 } } },
      sqlFilter('tag = $2', ['a']),
      sqlFilter('tag = $1', ['a', 'b']),
      sqlFilter("tag = 'unterminated", []),
      sqlFilter('   ', []),
      42,
    ]) {
      expect(await codeOfRejection(bad(where)), JSON.stringify(where)).toBe('INVALID_OPTION');
    }
    try {
      await bad({ tag: { like: 'a%' } });
    } catch (error) {
      expect(isVecpgError(error) && error.message).toBe(
        'unknown filter operator "like" on where.tag; expected one of eq, ne, gt, gte, lt, lte, in, notIn, isNull',
      );
    }
    expect(codeOf(() => sqlFilter('x', 'a' as never))).toBe('INVALID_OPTION');
  });

  it('likeId: the stored row is the query, left out, in one statement; the same as pgvector by hand', async () => {
    for (const [distance, op] of [
      ['l2', '<->'],
      ['cosine', '<=>'],
      ['ip', '<#>'],
      ['l1', '<+>'],
    ] as const) {
      for (const id of [1, 17, 80]) {
        const expected = await db().query<{ id: number; d: number }>(
          `SELECT id, embedding ${op} (SELECT embedding FROM items WHERE id = $1) AS d FROM items WHERE id <> $1 ORDER BY d, id LIMIT 7`,
          [id],
        );
        const rows = await search(db(), { table: 'items', column: 'embedding', likeId: id, distance, k: 7 });
        expect(ids(rows)).toEqual(expected.map((r) => Number(r.id)));
        expect(rows.map((r) => r.distance)).toEqual(expected.map((r) => Number(r.d)));
        expect(ids(rows)).not.toContain(id);
      }
    }
    // with a filter and a threshold, and the id as a string
    const where = { tag: { in: ['a', 'b'] } };
    const expected = await db().query<{ id: number }>(
      `SELECT id FROM items WHERE id <> 9 AND tag IN ('a', 'b') AND embedding <-> (SELECT embedding FROM items WHERE id = 9) < 0.5
       ORDER BY embedding <-> (SELECT embedding FROM items WHERE id = 9), id`,
    );
    expect(expected.length).toBeGreaterThan(0);
    const rows = await search(db(), {
      table: 'items',
      column: 'embedding',
      likeId: '9',
      distance: 'l2',
      where,
      maxDistance: 0.5,
    });
    expect(ids(rows)).toEqual(expected.map((r) => Number(r.id)));
  });

  it('likeId with another id column, approximate, and select', async () => {
    await db().query('CREATE TABLE keyed ("the key" text PRIMARY KEY, embedding vector(3))');
    await db().query(`INSERT INTO keyed SELECT 'k' || id, embedding FROM items`);
    await db().query('CREATE INDEX ON keyed USING hnsw (embedding vector_l2_ops)');
    const expected = await db().query<{ k: string }>(
      `SELECT "the key" AS k FROM keyed WHERE "the key" <> 'k5'
       ORDER BY embedding <-> (SELECT embedding FROM keyed WHERE "the key" = 'k5'), "the key" LIMIT 4`,
    );
    const options = {
      table: 'keyed',
      column: 'embedding',
      likeId: 'k5',
      idColumn: 'the key',
      distance: 'l2' as const,
      k: 4,
    };
    const exact = await search(db(), { ...options, select: ['the key', 'embedding'] });
    expect(exact.map((r) => r['the key'])).toEqual(expected.map((r) => r.k));
    expect(exact[0]?.embedding).toEqual(
      ROWS.find((r) => `k${r.id}` === expected[0]?.k)!.embedding.map((x) => Math.fround(x)),
    );
    const approx = await search(db(), { ...options, approximate: { efSearch: 100 } });
    expect(approx.map((r) => r['the key'])).toEqual(expected.map((r) => r.k));
  });

  it('likeId errors: a missing row (NOT_FOUND naming id and table), a NULL vector, query and likeId together', async () => {
    const base = { table: 'items', column: 'embedding', distance: 'l2' } as const;
    try {
      await search(db(), { ...base, likeId: 4242 });
      expect.fail('expected NOT_FOUND');
    } catch (error) {
      expect(isVecpgError(error) && error.code).toBe('NOT_FOUND');
      expect((error as Error).message).toBe(
        'likeId: no row of items has id = 4242 (is the id in another column? name it with idColumn)',
      );
    }
    await db().query('INSERT INTO items VALUES (999, 1, NULL, NULL, NULL)');
    try {
      await search(db(), { ...base, likeId: 999 });
      expect.fail('expected INVALID_VALUE');
    } catch (error) {
      expect(isVecpgError(error) && error.code).toBe('INVALID_VALUE');
      expect((error as Error).message).toBe('likeId: the row of items with id = 999 has no embedding (NULL)');
    }
    await db().query('DELETE FROM items WHERE id = 999');
    expect(await codeOfRejection(search(db(), { ...base, likeId: 1, query: QUERY }))).toBe('INVALID_OPTION');
    expect(await codeOfRejection(search(db(), { ...base }))).toBe('INVALID_OPTION');
    expect(await codeOfRejection(search(db(), { ...base, query: QUERY, idColumn: 'id' }))).toBe('INVALID_OPTION');
    expect(await codeOfRejection(search(db(), { ...base, likeId: 1.5 }))).toBe('INVALID_OPTION');
    expect(await codeOfRejection(search(db(), { ...base, likeId: 1, exact: 'certified' }))).toBe('UNSUPPORTED');
    // an existing row whose neighbours are all filtered out is an empty result, not an error
    expect(await search(db(), { ...base, likeId: 1, where: { tag: { in: [] } } })).toEqual([]);
  });
});
