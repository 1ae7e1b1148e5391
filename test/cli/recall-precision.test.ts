/**
 * `vecpg recall`'s advice "for a 95% interval of ±E on every setting: about N queries", checked against the
 * textbook sample size n = (1.96·s/E)² computed here from per-query recalls this test measures itself:
 * its own exact top-k (a scan the index cannot serve) and its own index searches at each ef_search, for
 * query vectors the test writes to a file. Also: when every query scores the same the interval is Wilson's
 * and so is the advice, and without an index-using setting there is no advice.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/sql/executor.ts';
import { TARGETS } from '../support/db.ts';
import { seededRandom } from '../support/random.ts';
import { type CliTarget, openCliTarget } from './harness.ts';

const K = 10;
const Z = 1.96;

interface Point {
  label: string;
  recall: number;
  recallStdDev: number;
  usesIndex: boolean;
}

interface RecallJson {
  queries: number;
  points: Point[];
  usesIndex: boolean;
  queryRows: string;
  queriesNeeded: { precision: number; queries: number } | null;
}

/** Sample standard deviation (n − 1). */
function sampleSd(values: number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

for (const target of TARGETS) {
  describe(`vecpg recall --precision advice [${target}]`, () => {
    let t: CliTarget;
    let dir = '';
    // 30 query vectors of sixteenths (exact in float32), the same for the CLI and for this test's own searches
    const rand = seededRandom(16);
    const queries = Array.from({ length: 30 }, () => Array.from({ length: 8 }, () => Math.floor(rand() * 17) / 16));
    const values = queries.map((q, i) => `(${i}, '[${q.join(',')}]'::vector)`).join(', ');

    /** Statements run in order in one session (SET applies to the last); the rows of the last. */
    async function session(statements: string[]): Promise<Row[]> {
      if (t.name === 'pglite') return t.sql(statements);
      const client = new pg.Client({ connectionString: t.env.DATABASE_URL });
      await client.connect();
      try {
        let rows: Row[] = [];
        for (const s of statements) rows = (await client.query(s)).rows as Row[];
        return rows;
      } finally {
        await client.end();
      }
    }

    /** Top-k ids and distances of every query, in query order. */
    function byQuery(rows: Row[]): Array<{ ids: string[]; distances: number[] }> {
      const out = queries.map(() => ({ ids: [] as string[], distances: [] as number[] }));
      for (const r of rows) {
        out[Number(r.n)]!.ids.push(String(r.id));
        out[Number(r.n)]!.distances.push(Number(r.d));
      }
      return out;
    }

    const exactByOp = new Map<string, Array<{ ids: string[]; distances: number[] }>>();
    async function exactAnswers(op: '<->' | '<=>'): Promise<Array<{ ids: string[]; distances: number[] }>> {
      let answers = exactByOp.get(op);
      if (answers === undefined) {
        // OFFSET 0 keeps the distance a computed column of a subquery: no index can order by it.
        answers = byQuery(
          await session([
            `SELECT q.n, e.id, e.d FROM (VALUES ${values}) q(n, v),
               LATERAL (SELECT id, d FROM (SELECT id, embedding ${op} q.v AS d FROM pts OFFSET 0) s ORDER BY d LIMIT ${K}) e
             ORDER BY q.n, e.d`,
          ]),
        );
        exactByOp.set(op, answers);
      }
      return answers;
    }

    /** Per-query recall@k of the index at `efSearch` against the exact answer (a row tying the k-th counts). */
    async function perQueryRecalls(op: '<->' | '<=>', efSearch: number): Promise<number[]> {
      const index = op === '<->' ? 'pts_l2' : 'pts_cos';
      const exact = await exactAnswers(op);
      const search = `SELECT q.n, a.id, a.d FROM (VALUES ${values}) q(n, v),
          LATERAL (SELECT id, embedding ${op} q.v AS d FROM pts ORDER BY embedding ${op} q.v LIMIT ${K}) a
        ORDER BY q.n, a.d`;
      const plan = await session([`SET hnsw.ef_search = ${efSearch}`, `EXPLAIN ${search}`]);
      expect(plan.map((r) => Object.values(r).join(' ')).join('\n')).toContain(`Index Scan using ${index}`);
      const approximate = byQuery(await session([`SET hnsw.ef_search = ${efSearch}`, search]));
      return exact.map((truth, i) => {
        const kth = truth.distances[K - 1]!;
        const got = approximate[i]!;
        const hits = got.ids.filter((id, j) => truth.ids.includes(id) || got.distances[j]! <= kth).length;
        return Math.min(hits, K) / K;
      });
    }

    async function recallJson(args: string[]): Promise<RecallJson> {
      const r = await t.run(['recall', '--table', 'pts', '--queries', '@queries.txt', '--json', ...args], { cwd: dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as RecallJson;
    }

    beforeAll(async () => {
      t = await openCliTarget(target);
      dir = await mkdtemp(join(tmpdir(), 'vecpg-precision-'));
      await writeFile(join(dir, 'queries.txt'), queries.map((q) => `[${q.join(',')}]\n`).join(''));
      // a weak L2 graph (recall varies from query to query) and a sound cosine one
      await t.sql([
        'SELECT setseed(0.25)',
        'CREATE TABLE pts (id int PRIMARY KEY, embedding vector(8))',
        'INSERT INTO pts SELECT i, (SELECT array_agg(random())::vector(8) FROM generate_series(1, 8) g WHERE i > 0) FROM generate_series(1, 1000) i',
        'CREATE INDEX pts_l2 ON pts USING hnsw (embedding vector_l2_ops) WITH (m = 2, ef_construction = 4)',
        'CREATE INDEX pts_cos ON pts USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)',
        'CREATE TABLE tiny (id int PRIMARY KEY, embedding vector(8))',
        "INSERT INTO tiny VALUES (1, '[1,0,0,0,0,0,0,0]'), (2, '[0,1,0,0,0,0,0,0]'), (3, '[0,0,1,0,0,0,0,0]')",
        'CREATE INDEX tiny_l2 ON tiny USING hnsw (embedding vector_l2_ops)',
        'ANALYZE pts',
        'ANALYZE tiny',
      ]);
    });

    afterAll(async () => {
      await t?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('per-query spread: about (1.96·s/E)² queries for the most variable setting, for two precisions', async () => {
      const sweep = [10, 40];
      const recalls: number[][] = [];
      for (const ef of sweep) recalls.push(await perQueryRecalls('<->', ef));
      const spreads = recalls.map(sampleSd);
      // the data gives a real spread (else this would test the uniform case below)
      for (const s of spreads) expect(s).toBeGreaterThan(0.02);
      const s = Math.max(...spreads);

      for (const precision of [0.05, 0.02]) {
        const result = await recallJson([
          '--distance',
          'l2',
          '--sweep',
          `ef_search=${sweep.join(',')}`,
          '--precision',
          String(precision),
        ]);
        expect(result.queryRows).toBe('given');
        expect(result.points.map((p) => p.usesIndex)).toEqual([true, true]);
        // the CLI measured what this test measured
        result.points.forEach((p, i) => {
          const own = recalls[i]!;
          expect(p.recall).toBeCloseTo(own.reduce((a, b) => a + b, 0) / own.length, 12);
          expect(p.recallStdDev).toBeCloseTo(spreads[i]!, 12);
        });
        const textbook = ((Z * s) / precision) ** 2;
        // z to two decimals here, 1.959964 in the code: at an integer edge the two round up one apart
        expect(result.queriesNeeded?.precision).toBe(precision);
        expect(result.queriesNeeded!.queries).toBeGreaterThanOrEqual(Math.ceil(textbook) - 1);
        expect(result.queriesNeeded!.queries).toBeLessThanOrEqual(Math.ceil(textbook));

        if (precision !== 0.05) continue;
        // the same advice in words
        const text = await t.run(
          [
            'recall',
            '--table',
            'pts',
            '--queries',
            '@queries.txt',
            '--distance',
            'l2',
            '--sweep',
            `ef_search=${sweep.join(',')}`,
            '--precision',
            String(precision),
          ],
          { cwd: dir },
        );
        expect(text.code).toBe(0);
        const n = result.queriesNeeded!.queries;
        expect(text.stdout).toContain(
          `for a 95% interval of ±${precision} on every setting: about ${n} queries (--queries ${n}; --precision to change)`,
        );
      }
    });

    it("every query finds all its neighbours: Wilson's interval, and the advice is the queries it needs", async () => {
      const recalls = await perQueryRecalls('<=>', 40);
      expect(recalls).toEqual(queries.map(() => 1));
      const result = await recallJson(['--distance', 'cosine', '--sweep', 'ef_search=40', '--precision', '0.01']);
      expect(result.points[0]?.usesIndex).toBe(true);
      expect(result.points[0]?.recall).toBe(1);
      // [N/(N + z²), 1] over N = n·k neighbours has half-width z²/(2(N + z²)) <= E once N >= z²/(2E) − z²
      const z2 = 1.959964 ** 2;
      expect(result.queriesNeeded).toEqual({ precision: 0.01, queries: Math.ceil((z2 / (2 * 0.01) - z2) / K) });
    });

    it('no advice when no setting uses the index (the planner scans a three-row table)', async () => {
      const plan = await session([
        'SET hnsw.ef_search = 40',
        "EXPLAIN SELECT id FROM tiny ORDER BY embedding <-> '[1,1,1,1,1,1,1,1]' LIMIT 10",
      ]);
      expect(plan.map((r) => Object.values(r).join(' ')).join('\n')).not.toContain('tiny_l2');
      const args = ['recall', '--table', 'tiny', '--distance', 'l2', '--sweep', 'ef_search=40', '--queries', '2'];
      const json = await t.run([...args, '--json']);
      expect(json.code).toBe(0);
      const result = JSON.parse(json.stdout) as RecallJson;
      expect(result.usesIndex).toBe(false);
      expect(result.queriesNeeded).toBeNull();
      const text = await t.run(args);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('PostgreSQL did not use the index');
      expect(text.stdout).not.toContain('for a 95% interval');
    });
  });
}
