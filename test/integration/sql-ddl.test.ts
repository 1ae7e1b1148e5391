import { expect, it } from 'vitest';
import {
  columnTypeSql,
  createExtensionSql,
  createIndexSql,
  dropExtensionSql,
  dropIndexSql,
  extensionInfo,
  isVecpgError,
  requireFeature,
  setStorageSql,
  type ColumnStorage,
  type DistanceName,
  type VectorType,
} from 'vecpg';
import { binaryQuantizeExpression, castExpression, checkIndexDimensions, opclassFor } from 'vecpg/sql';
import { describeEachTarget } from '../support/db.ts';
import { OPCLASSES } from '../support/opclasses.ts';

const COLUMN: Record<VectorType, string> = { vector: 'v', halfvec: 'h', sparsevec: 's', bit: 'b' };

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isVecpgError(e) ? e.code : 'OTHER';
  }
  return 'ACCEPTED';
}

describeEachTarget('sql DDL', (db) => {
  it('creates a table with every column type, with the declared dimensions', async () => {
    await db().query(
      `CREATE TABLE ddl_types (id int PRIMARY KEY, v ${columnTypeSql('vector', 3)}, h ${columnTypeSql('halfvec', 3)}, ` +
        `s ${columnTypeSql('sparsevec', 5)}, b ${columnTypeSql('bit', 8)})`,
    );
    const rows = await db().query<{ attname: string; type: string }>(
      `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'ddl_types'::regclass AND attnum > 1 ORDER BY attnum`,
    );
    expect(rows.map((r) => [r.attname, r.type])).toEqual([
      ['v', 'vector(3)'],
      ['h', 'halfvec(3)'],
      ['s', 'sparsevec(5)'],
      ['b', 'bit(8)'],
    ]);
    // the dimensions are enforced by the server: expected 3 dimensions, not 2
    expect(await refused(db().query(`INSERT INTO ddl_types (id, v) VALUES (1, $1::vector)`, ['[1,2]']))).toBe(
      'QUERY_FAILED',
    );
  });

  it('creates every supported index with the operator class from the table', async () => {
    await db().query(`CREATE TABLE ddl_idx (id int PRIMARY KEY, v vector(3), h halfvec(3), s sparsevec(5), b bit(8))`);
    await db().query(
      `INSERT INTO ddl_idx SELECT i, ARRAY[i, i + 1, i + 2]::real[]::vector, ARRAY[i, 1, 2]::real[]::vector::halfvec,
         ('{1:' || i || ',3:1}/5')::sparsevec, (i::bit(8)) FROM generate_series(1, 20) i`,
    );
    const expected: Array<[string, string, string]> = [];
    for (const [type, distance, method, opclass] of OPCLASSES) {
      if (opclass === null) continue;
      const sql = createIndexSql({
        table: 'ddl_idx',
        column: COLUMN[type],
        type,
        distance,
        method,
        ...(method === 'ivfflat' ? { lists: 2 } : {}),
      });
      await db().query(sql);
      expected.push([`ddl_idx_${COLUMN[type]}_${method}_${distance}_idx`, method, opclass]);
    }
    const rows = await db().query<{ index: string; method: string; opclass: string }>(
      `SELECT i.relname AS index, am.amname AS method, o.opcname AS opclass
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
         JOIN pg_opclass o ON o.oid = x.indclass[0]
        WHERE x.indrelid = 'ddl_idx'::regclass AND am.amname IN ('hnsw', 'ivfflat') ORDER BY 1`,
    );
    expect(rows.map((r) => [r.index, r.method, r.opclass])).toEqual(
      expected.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    );
    expect(rows).toHaveLength(21);
  });

  it('the server also refuses every combination vecpg refuses', async () => {
    await db().query(`CREATE TABLE ddl_refuse (v vector(3), h halfvec(3), s sparsevec(5), b bit(8))`);
    for (const [type, distance, method, opclass] of OPCLASSES) {
      if (opclass !== null) continue;
      expect(() => opclassFor(type, distance, method)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
      const raw = `CREATE INDEX ON ddl_refuse USING ${method} (${COLUMN[type]} ${type}_${distance}_ops)`;
      expect([raw, await refused(db().query(raw))]).toEqual([raw, 'QUERY_FAILED']);
    }
  });

  it('agrees with the server on index dimension limits', async () => {
    const cases: Array<[VectorType, number, number]> = [
      ['vector', 2000, 2001],
      ['halfvec', 4000, 4001],
      ['bit', 64000, 64001],
    ];
    for (const [type, ok, tooMany] of cases) {
      await db().query(
        `CREATE TABLE ddl_lim_${type} (ok ${columnTypeSql(type, ok)}, bad ${columnTypeSql(type, tooMany)})`,
      );
      const distance: DistanceName = type === 'bit' ? 'hamming' : 'l2';
      await db().query(createIndexSql({ table: `ddl_lim_${type}`, column: 'ok', type, distance, dimensions: ok }));
      expect(() => checkIndexDimensions(type, tooMany, 'hnsw')).toThrow(
        expect.objectContaining({ code: 'UNSUPPORTED' }),
      );
      const raw = createIndexSql({ table: `ddl_lim_${type}`, column: 'bad', type, distance });
      expect(await refused(db().query(raw))).toBe('QUERY_FAILED');
    }
  });

  it('indexes wide vectors through halfvec and binary_quantize expressions', async () => {
    await db().query(`CREATE TABLE ddl_expr (id int PRIMARY KEY, embedding vector(3000))`);
    const half = createIndexSql({
      table: 'ddl_expr',
      expression: castExpression('embedding', 'halfvec', 3000),
      type: 'halfvec',
      distance: 'cosine',
      dimensions: 3000,
    });
    const bits = createIndexSql({
      table: 'ddl_expr',
      expression: binaryQuantizeExpression('embedding', 3000),
      type: 'bit',
      distance: 'hamming',
      dimensions: 3000,
    });
    expect(() =>
      createIndexSql({ table: 'ddl_expr', column: 'embedding', type: 'vector', distance: 'cosine', dimensions: 3000 }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    await db().query(half);
    await db().query(bits);
    const rows = await db().query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ddl_expr' AND indexdef LIKE '%USING hnsw%' ORDER BY indexname`,
    );
    expect(rows.map((r) => r.indexname)).toEqual([
      'ddl_expr_binary_quantize_embedding_bit_3000_hnsw_hamming_idx',
      'ddl_expr_embedding_halfvec_3000_hnsw_cosine_idx',
    ]);
    expect(rows[0]!.indexdef).toMatch(
      /USING hnsw \(\(\(binary_quantize\(embedding\)\)::bit\(3000\)\) bit_hamming_ops\)/,
    );
    expect(rows[1]!.indexdef).toMatch(/USING hnsw \(\(\(embedding\)::halfvec\(3000\)\) halfvec_cosine_ops\)/);
  });

  it('writes build options the server accepts and records, and drops indexes', async () => {
    await db().query(`CREATE TABLE "odd.name" (id int, "Emb ""x""" vector(3))`);
    const sql = createIndexSql({
      table: 'odd.name',
      column: 'Emb "x"',
      type: 'vector',
      distance: 'l2',
      m: 8,
      efConstruction: 32,
      ifNotExists: true,
    });
    await db().query(sql);
    await db().query(sql); // IF NOT EXISTS: a second run is a no-op
    const ivf = createIndexSql({
      table: 'odd.name',
      column: 'Emb "x"',
      type: 'vector',
      distance: 'ip',
      method: 'ivfflat',
      lists: 7,
    });
    await db().query(ivf);
    const rows = await db().query<{ relname: string; reloptions: string[] }>(
      `SELECT c.relname, c.reloptions FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = '"odd.name"'::regclass ORDER BY 1`,
    );
    expect(rows.map((r) => [r.relname, r.reloptions])).toEqual([
      ['odd.name_Emb_x_hnsw_l2_idx', ['m=8', 'ef_construction=32']],
      ['odd.name_Emb_x_ivfflat_ip_idx', ['lists=7']],
    ]);
    await db().query(dropIndexSql('odd.name_Emb_x_hnsw_l2_idx'));
    await db().query(dropIndexSql('odd.name_Emb_x_hnsw_l2_idx')); // IF EXISTS
    await db().query(dropIndexSql(['public', 'odd.name_Emb_x_ivfflat_ip_idx']));
    const left = await db().query(`SELECT 1 FROM pg_index WHERE indrelid = '"odd.name"'::regclass`);
    expect(left).toHaveLength(0);
  });

  it('sets column storage', async () => {
    await db().query(`CREATE TABLE ddl_storage (embedding vector(3))`);
    const codes: Record<ColumnStorage, string> = { plain: 'p', main: 'm', external: 'e', extended: 'x' };
    for (const [storage, code] of Object.entries(codes) as Array<[ColumnStorage, string]>) {
      await db().query(setStorageSql('ddl_storage', 'embedding', storage));
      const rows = await db().query<{ s: string }>(
        `SELECT attstorage::text AS s FROM pg_attribute WHERE attrelid = 'ddl_storage'::regclass AND attname = 'embedding'`,
      );
      expect([storage, rows[0]?.s]).toEqual([storage, code]);
    }
  });
});

describeEachTarget('sql extension and version', (db, target) => {
  it('reports the installed version and schema', async () => {
    const info = await extensionInfo(db());
    expect(info).toEqual({ installed: true, version: target === 'pglite' ? '0.8.7' : '0.8.0', schema: 'public' });
    const raw = await db().query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`);
    expect(info.version).toBe(raw[0]!.v);
    for (const feature of ['halfvec', 'sparsevec', 'iterativeScan'] as const) {
      await expect(requireFeature(db(), feature)).resolves.toEqual(info);
    }
  });

  it('an older pgvector is VERSION_TOO_OLD (catalog edited inside a rolled-back transaction)', async () => {
    const rollback = new Error('rollback');
    const outcome = await db()
      .transaction(async (tx) => {
        await tx.query(`UPDATE pg_extension SET extversion = '0.7.4' WHERE extname = 'vector'`);
        await expect(requireFeature(tx, 'halfvec')).resolves.toMatchObject({ version: '0.7.4' });
        await expect(requireFeature(tx, 'iterativeScan')).rejects.toMatchObject({
          code: 'VERSION_TOO_OLD',
          message: /0\.8\.0.*0\.7\.4/,
        });
        await tx.query(`UPDATE pg_extension SET extversion = '0.6.2' WHERE extname = 'vector'`);
        await expect(requireFeature(tx, 'sparsevec')).rejects.toMatchObject({ code: 'VERSION_TOO_OLD' });
        throw rollback;
      })
      .catch((e: unknown) => e);
    expect(outcome).toBe(rollback);
    expect((await extensionInfo(db())).version).not.toBe('0.6.2');
  });

  it('drops and re-creates the extension; a missing extension is EXTENSION_MISSING', async () => {
    await db().query(dropExtensionSql());
    expect(await extensionInfo(db())).toEqual({ installed: false, version: null, schema: null });
    await expect(requireFeature(db(), 'halfvec')).rejects.toMatchObject({
      code: 'EXTENSION_MISSING',
      message: /CREATE EXTENSION vector/,
    });
    await db().query(`CREATE SCHEMA ext`);
    await db().query(createExtensionSql({ schema: 'ext' }));
    await db().query(createExtensionSql({ schema: 'ext' })); // IF NOT EXISTS
    expect(await extensionInfo(db())).toMatchObject({ installed: true, schema: 'ext' });
  });
});
