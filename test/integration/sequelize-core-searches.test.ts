/**
 * Sequelize's two-stage (`rerank`), certified and hybrid searches, each checked against an independent
 * computation in plain SQL (test/support/core-searches.ts): the hand-written two-stage query over the
 * same quantized index, the exact top-k, and the two ranked lists of hybrid search fused here. The
 * instances must be those `findAll` builds, the host's where must hold, the quantized index must serve
 * the candidate stage (EXPLAIN), and bad options give the core's errors. Server only, as the rest of the
 * Sequelize suite (Sequelize has no PGlite dialect).
 */
import { DataTypes, type Model, type ModelStatic, Op, Sequelize } from 'sequelize';
import { quantizedExpression, rerankSearch, search } from 'vecpg';
import {
  VECTOR,
  addCertifiedColumns,
  addVectorIndex,
  hybridSearch,
  syncVectorStorage,
  vectorIndex,
  vectorSearch,
} from 'vecpg/sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DIMS,
  docsData,
  exactTop,
  fuse,
  hybridLists,
  seedDocs,
  twoStageTop,
  CERTIFIED_CASES,
  PREFIX_LAYOUT,
} from '../support/core-searches.ts';
import { TARGETS, type TestDb, openTestDb } from '../support/db.ts';
import { explainScans, explainScansWithoutSeqScan } from '../support/explain.ts';

interface DocAttrs {
  id: number;
  category: number;
  body: string;
  embedding: number[];
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message?: string },
  );

if (TARGETS.includes('server'))
  describe('sequelize: rerank, certified and hybrid search [server]', () => {
    let db: TestDb;
    let sequelize: Sequelize;
    let Doc: ModelStatic<Model<DocAttrs, DocAttrs>>;
    const log: Array<{ sql: string; bind: unknown }> = [];
    const data = docsData();
    const [q0, q1, q2] = data.queries as [number[], number[], number[]];

    beforeAll(async () => {
      db = await openTestDb('server');
      await seedDocs(db, data);
      sequelize = new Sequelize(db.url!, {
        dialect: 'postgres',
        logging: (sql, options) => log.push({ sql, bind: (options as { bind?: unknown }).bind }),
      });
      Doc = sequelize.define<Model<DocAttrs, DocAttrs>>(
        'Doc',
        {
          id: { type: DataTypes.INTEGER, primaryKey: true },
          category: { type: DataTypes.INTEGER, allowNull: false },
          body: { type: DataTypes.TEXT, allowNull: false },
          embedding: { type: VECTOR(DIMS), allowNull: false },
        },
        {
          tableName: 'docs',
          timestamps: false,
          indexes: [
            vectorIndex({
              name: 'docs_embedding_bq',
              column: 'embedding',
              type: 'vector',
              distance: 'l2',
              quantize: 'binary',
              dimensions: DIMS,
            }),
          ],
        },
      );
      await Doc.sync(); // creates the missing model index
      const sql = await addVectorIndex(sequelize.getQueryInterface(), {
        table: 'docs',
        column: 'embedding',
        type: 'vector',
        distance: 'l2',
        dimensions: DIMS,
        quantize: 'halfvec',
        name: 'docs_embedding_hq',
      });
      expect(sql).toContain(`((${quantizedExpression('embedding', 'halfvec', DIMS)}) halfvec_l2_ops)`);
      const defs = await db.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE indexname = 'docs_embedding_bq'`,
      );
      // The model's index is the very expression the two-stage search orders by.
      expect(defs[0]?.indexdef.replace(/\s+/g, ' ')).toContain('binary_quantize(embedding))::bit(64)) bit_hamming_ops');
      await addCertifiedColumns(sequelize.getQueryInterface(), 'docs', 'embedding', DIMS, ['l2', 'cosine']);
      await addCertifiedColumns(
        sequelize.getQueryInterface(),
        'docs',
        'embedding',
        DIMS,
        ['l2', 'cosine'],
        PREFIX_LAYOUT,
      );
      await db.query('ANALYZE docs');
    });
    afterAll(async () => {
      await sequelize?.close();
      await db?.close();
    });

    /** The instances `findAll` builds for these ids, as plain objects, in this order. */
    async function loaded(ids: number[]): Promise<DocAttrs[]> {
      const rows = await Doc.findAll({ where: { id: ids } });
      return ids.map((id) => rows.find((r) => r.get('id') === id)!.get({ plain: true }));
    }

    it('rerank (binary): the hand-written two-stage answer over the same index, as instances', async () => {
      const rows = await vectorSearch(Doc, {
        column: 'embedding',
        query: q0,
        distance: 'l2',
        k: 10,
        rerank: { using: 'binary', candidates: 100 },
      });
      const expected = await twoStageTop(db, q0, 'binary', 100, 10, 'l2');
      expect(rows.map((r) => r.instance.get('id'))).toEqual(expected.map((r) => r.id));
      rows.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]!.distance, 5));
      expect(rows.map((r) => r.instance.get({ plain: true }))).toEqual(await loaded(expected.map((r) => r.id)));
      expect(rows[0]!.instance.isNewRecord).toBe(false);
    });

    it('rerank (halfvec, 1000 candidates): the exact top-k; the where holds before the candidates', async () => {
      const all = await vectorSearch(Doc, {
        column: 'embedding',
        query: q1,
        distance: 'l2',
        k: 10,
        rerank: { using: 'halfvec', candidates: 1000 },
      });
      expect(all.map((r) => r.instance.get('id'))).toEqual((await exactTop(db, q1, 10, 'l2')).map((r) => r.id));
      const where = { category: { [Op.eq]: 1 } };
      const filtered = await vectorSearch(Doc, {
        column: 'embedding',
        query: q1,
        distance: 'l2',
        k: 10,
        where,
        rerank: { using: 'halfvec', candidates: 1000 },
      });
      expect(filtered).toHaveLength(10);
      expect(where).toEqual({ category: { [Op.eq]: 1 } }); // the caller's where is left as it was
      expect(filtered.every((r) => r.instance.get('category') === 1)).toBe(true);
      expect(filtered.map((r) => r.instance.get('id'))).toEqual((await exactTop(db, q1, 10, 'l2', 1)).map((r) => r.id));
    });

    it('the candidate stage is served by the quantized index (EXPLAIN of the statement sent)', async () => {
      for (const [using, index] of [
        ['binary', 'docs_embedding_bq'],
        ['halfvec', 'docs_embedding_hq'],
      ] as const) {
        for (const where of [undefined, { category: 2 }]) {
          log.length = 0;
          await vectorSearch(Doc, {
            column: 'embedding',
            query: q2,
            distance: 'l2',
            k: 5,
            rerank: { using, candidates: 200 },
            ...(where === undefined ? {} : { where }),
          });
          const sent = log.find((s) => s.sql.includes(quantizedExpression('embedding', using, DIMS)))!;
          const text = sent.sql.replace(/^Executing \([^)]*\): /, '');
          // Unfiltered, the planner picks the index by itself; with the where (a `ctid IN (…)` semi-join) it
          // prefers a scan on 2,400 rows, so it is asked whether the index can serve it at all.
          const report =
            where === undefined
              ? await explainScans(db, text, sent.bind as unknown[])
              : await explainScansWithoutSeqScan(db, text, sent.bind as unknown[]);
          expect(report.indexes, `${using} ${JSON.stringify(where)}`).toContain(index);
        }
      }
    });

    it('sync() keeps the certified columns and syncVectorStorage leaves the vector column out of line', async () => {
      const columns = async () =>
        db.query<{ name: string; storage: string }>(
          "SELECT attname::text AS name, attstorage::text AS storage FROM pg_attribute WHERE attrelid = 'docs'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        );
      const before = await columns();
      expect(before.find((c) => c.name === 'embedding')?.storage).toBe('e'); // set by addCertifiedColumns
      expect(before.map((c) => c.name)).toContain('embedding_unit_prefix');
      await sequelize.sync();
      expect(await syncVectorStorage(sequelize)).toEqual([]);
      expect(await columns()).toEqual(before);
      // sync({ alter: true }) re-types every column: PostgreSQL refuses it on a column generated columns read,
      // and the whole ALTER rolls back (nothing dropped, nothing re-typed).
      await expect(sequelize.sync({ alter: true })).rejects.toThrow(
        /cannot alter type of a column used by a generated column/,
      );
      expect(await columns()).toEqual(before);
    });

    it("exact: 'certified': the exact top-k (plain SQL), with its certificate, where and all", async () => {
      for (const [distance, certified] of CERTIFIED_CASES) {
        for (const category of [undefined, 2]) {
          const rows = await vectorSearch(Doc, {
            column: 'embedding',
            query: q0,
            distance,
            k: 10,
            exact: 'certified',
            ...(certified && { certified }),
            ...(category === undefined ? {} : { where: { category } }),
          });
          const expected = await exactTop(db, q0, 10, distance, category);
          expect(
            rows.map((r) => r.instance.get('id')),
            `${distance} ${category}`,
          ).toEqual(expected.map((r) => r.id));
          rows.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]!.distance, 5));
          expect(rows.certificate.proven).toBe(true);
          // the form asked for: its first try's N (half form: max(40, 4k)), grown ×4 per try
          expect(rows.certificate.candidates).toBe((certified?.candidates ?? 40) * 4 ** (rows.certificate.tries - 1));
          expect(rows.map((r) => r.instance.get({ plain: true }))).toEqual(await loaded(expected.map((r) => r.id)));
        }
      }
    });

    it('hybridSearch: the two lists fused independently, with the where, weights and candidates', async () => {
      const words = 'exact search index';
      const lists = await hybridLists(db, q0, words, 'l2', { vector: 30, text: 5 }, 1);
      expect(lists.text).toHaveLength(5);
      const expected = fuse(lists.vector, lists.text, 15, 1, 2);
      const rows = await hybridSearch(Doc, {
        column: 'embedding',
        query: q0,
        distance: 'l2',
        text: words,
        textColumn: 'body',
        k: 15,
        candidates: { vector: 30, text: 5 },
        weights: { vector: 1, text: 2 },
        where: { category: 1 },
      });
      expect(rows.map((r) => ({ id: r.instance.get('id'), vectorRank: r.vectorRank, textRank: r.textRank }))).toEqual(
        expected.map((r) => ({ id: r.id, vectorRank: r.vectorRank, textRank: r.textRank })),
      );
      rows.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 12));
      expect(rows.some((r) => r.vectorRank === null) && rows.some((r) => r.textRank === null)).toBe(true);
      expect(rows.note).toBeUndefined();
      expect(rows.map((r) => r.instance.get({ plain: true }))).toEqual(await loaded(expected.map((r) => r.id)));
      const none = await hybridSearch(Doc, {
        column: 'embedding',
        query: q0,
        distance: 'l2',
        text: 'the of',
        textColumn: 'body',
        k: 5,
      });
      expect(none.note).toContain('no searchable words');
      expect(none.map((r) => r.instance.get('id'))).toEqual((await exactTop(db, q0, 5, 'l2')).map((r) => r.id));
    });

    it("bad options give the core's errors", async () => {
      const base = { column: 'embedding', query: q0, distance: 'l2' } as const;
      const core = { table: 'docs', column: 'embedding', query: q0, distance: 'l2' } as const;
      for (const rerank of [
        { using: 'pq' },
        { using: 'binary', candidates: 5000 },
        { using: 'binary', candidates: 3 },
      ]) {
        const mine = await errorOf(vectorSearch(Doc, { ...base, k: 10, rerank: rerank as never }));
        const theirs = await errorOf(rerankSearch(db, { ...core, k: 10, rerank: rerank as never }));
        expect(mine?.code).toBe('INVALID_OPTION');
        expect(mine?.message).toBe(theirs?.message);
      }
      expect(
        (await errorOf(vectorSearch(Doc, { ...base, exact: 'certified', approximate: { efSearch: 50 } })))?.message,
      ).toBe((await errorOf(search(db, { ...core, exact: 'certified', approximate: { efSearch: 50 } })))?.message);
      expect((await errorOf(vectorSearch(Doc, { ...base, exact: true, rerank: { using: 'binary' } })))?.code).toBe(
        'INVALID_OPTION',
      );
      expect(
        (await errorOf(vectorSearch(Doc, { column: 'embedding', distance: 'l2', likeId: 1, exact: 'certified' })))
          ?.code,
      ).toBe('UNSUPPORTED');
      expect(
        (
          await errorOf(
            vectorSearch(Doc, { ...base, findOptions: { attributes: ['id'] }, rerank: { using: 'binary' } }),
          )
        )?.code,
      ).toBe('UNSUPPORTED');
      const hybrid = { column: 'embedding', query: q0, distance: 'l2', text: 'x' } as const;
      expect((await errorOf(hybridSearch(Doc, { ...hybrid, textColumn: 'nope' })))?.code).toBe('INVALID_OPTION');
      expect((await errorOf(hybridSearch(Doc, { ...hybrid, textColumn: 'id' })))?.code).toBe('INVALID_OPTION');
    });
  });
