import { isSparseVector, isVecpgError } from 'vecpg';
import { requirePgvector } from 'vecpg/sequelize';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTables, enableVector, walkthrough } from '../../examples/sequelize.ts';
import { TARGETS, type TestDb, openTestDb } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

const norm = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0));
// Hand-derived cosine distances of the Django walkthrough's samples to the target {0: 5.1, 42: 1.0}.
const cosine: Record<string, number> = {
  'Sample A': 1 - (5.5 * 5.1 + 1.2 * 1.0) / (norm([5.5, 1.2]) * norm([5.1, 1])),
  'Sample B': 1 - 5.1 / (norm([1, 1]) * norm([5.1, 1])),
  'Sample C': 1 - 3 / (3 * norm([5.1, 1])),
};

// Sequelize talks to PostgreSQL through `pg` only: the server target (DATABASE_URL).
if (TARGETS.includes('server')) {
  describe('sequelize example (docs/sequelize.md) [server]', () => {
    let db: TestDb;
    let sequelize: Sequelize;
    const extension = async () =>
      (await db.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`))[0]?.v;
    beforeAll(async () => {
      db = await openTestDb('server');
      await db.query('DROP EXTENSION vector'); // start from a database without pgvector
      sequelize = new Sequelize(db.url!, { dialect: 'postgres', logging: false });
    });
    afterAll(async () => {
      await sequelize?.close();
      await db?.close();
    });

    it('the migrations enable pgvector and create the tables, storage MAIN and the HNSW index', async () => {
      const qi = sequelize.getQueryInterface();
      expect(await extension()).toBeUndefined();
      await enableVector.up(qi);
      await enableVector.up(qi); // idempotent
      expect(await extension()).toMatch(/^0\.\d+\.\d+$/);
      await createTables.up(qi);
      const types = await db.query<{ name: string; type: string; storage: string }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attstorage AS storage FROM pg_attribute a
         WHERE a.attrelid IN ('documents'::regclass, 'science_data'::regclass) AND a.attname IN ('embedding', 'bits', 'features') ORDER BY 1`,
      );
      expect(types).toEqual([
        { name: 'bits', type: 'bit(8)', storage: 'x' },
        { name: 'embedding', type: 'vector(4)', storage: 'm' },
        { name: 'features', type: 'sparsevec(10000)', storage: 'm' },
      ]);
      const index = await db.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE indexname = 'science_data_features_hnsw_cosine_idx'`,
      );
      expect(index[0]?.indexdef).toContain(
        "USING hnsw (features sparsevec_cosine_ops) WITH (m='16', ef_construction='64')",
      );
    });

    it("runs the walkthrough with the Django walkthrough's results", async () => {
      const r = await walkthrough(sequelize);
      expect(r.orderedItems.map((x) => x.get('name'))).toEqual(['Sample A', 'Sample B', 'Sample C']);
      expect(isSparseVector(r.orderedItems[0]!.get('features'))).toBe(true);
      for (const x of r.annotatedItems) expect(x.get('distance')).toBeCloseTo(cosine[String(x.get('name'))]!, 5);
      expect(r.similarItems.map((x) => x.get('name'))).toEqual(['Sample A']);
      const d = (rows: typeof r.others.l2) => rows.map((x) => Number(x.get('distance')));
      // [0.5,0.2,0.9,0.3] against itself and [0.4,0.3,0.8,0.2]
      expect(d(r.others.l2)).toEqual([0, expect.closeTo(0.2, 6)]);
      expect(d(r.others.maxInnerProduct)).toEqual([expect.closeTo(-1.19, 6), expect.closeTo(-1.04, 6)]);
      expect(d(r.others.l1)).toEqual([0, expect.closeTo(0.4, 6)]);
      // '10100000' against '10110000' (1 bit apart; 2 shared of 3 set) and '10100011' (2 apart; 2 of 4)
      expect(d(r.others.hamming)).toEqual([1, 2]);
      expect(d(r.others.jaccard)).toEqual([expect.closeTo(1 / 3, 6), expect.closeTo(0.5, 6)]);
      expect(r.exact.map((x) => x.instance.get('name'))).toEqual(['Sample A', 'Sample B']);
      expect(r.approximate.map((x) => x.instance.get('name'))).toEqual(['Sample A', 'Sample B']);
      expect(r.stored?.text).toBe('{1:5.5,43:1.2}/10000');
      expect(r.info.version).toBe(await extension());
    });

    it('the migrations are reversible and the version check fails clearly without pgvector', async () => {
      const qi = sequelize.getQueryInterface();
      await createTables.down(qi);
      await enableVector.down(qi);
      await enableVector.down(qi); // idempotent
      expect(await extension()).toBeUndefined();
      const error = await requirePgvector(sequelize, 'sparsevec').catch((e: unknown) => e);
      expect(isVecpgError(error) && error.code).toBe('EXTENSION_MISSING');
      await enableVector.up(qi);
      expect((await requirePgvector(qi, 'iterativeScan')).version).toBe(await extension());
    });
  });
}

it('every code block of docs/sequelize.md is in examples/sequelize.ts, which the tests above run', async () => {
  await expectDocBlocksIn('docs/sequelize.md', 'examples/sequelize.ts', { languages: ['ts'], minBlocks: 11 });
});
