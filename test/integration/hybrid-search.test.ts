/**
 * hybridSearch against an independent computation: the two ranked lists come from plain SQL (pgvector's
 * operator; PostgreSQL's ts_rank_cd over websearch_to_tsquery), are fused here with Reciprocal Rank
 * Fusion, and must equal vecpg's rows and scores. The text is real: the paragraphs of this repository's
 * own docs.
 */
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import type { Pool } from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { drizzleExecutor } from 'vecpg/drizzle';
import { PgliteDialect, kyselyExecutor } from 'vecpg/kysely';
import { hybridSearch, search } from 'vecpg';
import { describeEachTarget, type TestDb } from '../support/db.ts';
import { codeOf } from '../support/errors.ts';
import { fuse, paragraphs } from '../support/core-searches.ts';
import { randomArray, seededRandom } from '../support/random.ts';

const DIMS = 8;

describeEachTarget('hybridSearch (RRF of vector + full text)', (db) => {
  const texts = paragraphs();
  const rand = seededRandom(3);
  const query = randomArray(rand, DIMS);

  beforeAll(async () => {
    await db().query(`CREATE TABLE docs (id int PRIMARY KEY, category int, body text, embedding vector(${DIMS}),
      tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED)`);
    for (let i = 0; i < texts.length; i++) {
      await db().query('INSERT INTO docs (id, category, body, embedding) VALUES ($1, $2, $3, $4::vector)', [
        i,
        i % 3,
        texts[i],
        `[${randomArray(rand, DIMS).join(',')}]`,
      ]);
    }
  });

  async function independent(d: TestDb, words: string, vc: number, tc: number, category?: number) {
    const filter = category === undefined ? '' : `AND category = ${category}`;
    const vector = await d.query<{ id: number }>(
      `SELECT id FROM docs WHERE true ${filter} ORDER BY embedding <-> $1::vector, ctid LIMIT ${vc}`,
      [`[${query.join(',')}]`],
    );
    const text = await d.query<{ id: number }>(
      `SELECT id FROM docs, websearch_to_tsquery('english', $1) q
       WHERE to_tsvector('english', body) @@ q ${filter}
       ORDER BY ts_rank_cd(to_tsvector('english', body), q) DESC, ctid LIMIT ${tc}`,
      [words],
    );
    return {
      vector: vector.map((r, i) => ({ id: r.id, rank: i + 1 })),
      text: text.map((r, i) => ({ id: r.id, rank: i + 1 })),
    };
  }

  it('equals the two lists fused independently, with a filter and per-side weights and candidates', async () => {
    const words = 'exact search index';
    const lists = await independent(db(), words, 30, 5, 1);
    // Five text candidates and a heavier text weight: text-only rows outrank vector-only ones, and most
    // of the 15 rows have no text rank, so both kinds of one-sided rows are in the result.
    expect(lists.text.length).toBe(5);
    const expected = fuse(lists.vector, lists.text, 15, 1, 2);
    const rows = await hybridSearch<{ id: number }>(db(), {
      table: 'docs',
      column: 'embedding',
      query,
      distance: 'l2',
      text: words,
      textColumn: 'body',
      k: 15,
      candidates: { vector: 30, text: 5 },
      weights: { vector: 1, text: 2 },
      where: { category: 1 },
    });
    expect(rows.map((r) => ({ id: r.id, vectorRank: r.vectorRank, textRank: r.textRank }))).toEqual(
      expected.map((r) => ({ id: r.id, vectorRank: r.vectorRank, textRank: r.textRank })),
    );
    rows.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 12));
    // Rows that only one side found still rank.
    expect(rows.some((r) => r.vectorRank === null)).toBe(true);
    expect(rows.some((r) => r.textRank === null)).toBe(true);
    expect(rows.note).toBeUndefined();
  });

  it('a stored tsvector column gives the same rows as the text column', async () => {
    const options = {
      table: 'docs',
      column: 'embedding',
      query,
      distance: 'l2',
      text: 'pglite "embedded database"',
      k: 10,
    } as const;
    const viaText = await hybridSearch<{ id: number }>(db(), { ...options, textColumn: 'body' });
    const viaVector = await hybridSearch<{ id: number }>(db(), { ...options, textColumn: 'tsv' });
    expect(viaVector.map((r) => r.id)).toEqual(viaText.map((r) => r.id));
    const lists = await independent(db(), options.text, 40, 40);
    expect(viaText.map((r) => r.id)).toEqual(fuse(lists.vector, lists.text, 10, 1, 1).map((r) => r.id));
  });

  it('text with no searchable words falls back to the vector ranking, with a note', async () => {
    const rows = await hybridSearch<{ id: number }>(db(), {
      table: 'docs',
      column: 'embedding',
      query,
      distance: 'l2',
      text: 'the and of',
      textColumn: 'body',
      k: 5,
    });
    expect(rows.note).toContain('no searchable words');
    const plain = await search<{ id: number }>(db(), {
      table: 'docs',
      column: 'embedding',
      query,
      distance: 'l2',
      k: 5,
    });
    expect(rows.map((r) => r.id)).toEqual(plain.map((r) => r.id));
    expect(rows.every((r) => r.textRank === null)).toBe(true);
    rows.forEach((r, i) => expect(r.distance).toBeCloseTo(plain[i]!.distance, 6));
  });

  it('runs through the ORMs’ executors (Drizzle, Kysely) with the same rows', async () => {
    const options = {
      table: 'docs',
      column: 'embedding',
      query,
      distance: 'cosine',
      text: 'migration extension',
      textColumn: 'body',
      k: 8,
    } as const;
    const core = await hybridSearch<{ id: number }>(db(), options);
    const raw = db().raw;
    const drizzle =
      db().target === 'pglite'
        ? (await import('drizzle-orm/pglite')).drizzle({ client: raw as PGlite })
        : (await import('drizzle-orm/node-postgres')).drizzle({ client: raw as Pool });
    const kysely = new Kysely<unknown>({
      dialect:
        db().target === 'pglite'
          ? new PgliteDialect({ pglite: raw as PGlite })
          : new PostgresDialect({ pool: raw as Pool }),
    });
    const viaDrizzle = await hybridSearch<{ id: number }>(drizzleExecutor(drizzle), options);
    const viaKysely = await hybridSearch<{ id: number }>(kyselyExecutor(kysely), options);
    expect(viaDrizzle.map((r) => [r.id, r.score])).toEqual(core.map((r) => [r.id, r.score]));
    expect(viaKysely.map((r) => [r.id, r.score])).toEqual(core.map((r) => [r.id, r.score]));
    // Approximate settings need a transaction, which a bare executor does not have.
    const error = await hybridSearch(kyselyExecutor(kysely), { ...options, approximate: { efSearch: 40 } }).catch(
      (e: unknown) => e,
    );
    expect(codeOf(error)).toBe('INVALID_OPTION');
  });

  it('bad options name the option', async () => {
    const base = { table: 'docs', column: 'embedding', query, distance: 'l2', text: 'x', textColumn: 'body' } as const;
    expect(codeOf(await hybridSearch(db(), { ...base, textColumn: 'nope' }).catch((e: unknown) => e))).toBe(
      'INVALID_OPTION',
    );
    expect(codeOf(await hybridSearch(db(), { ...base, textColumn: 'id' }).catch((e: unknown) => e))).toBe(
      'INVALID_OPTION',
    );
    expect(codeOf(await hybridSearch(db(), { ...base, k: 0 }).catch((e: unknown) => e))).toBe('INVALID_OPTION');
    expect(codeOf(await hybridSearch(db(), { ...base, weights: { text: -1 } }).catch((e: unknown) => e))).toBe(
      'INVALID_OPTION',
    );
  });
});
