import { expect, it } from 'vitest';
import { addCertifiedColumnsSql, convertStorageSql, dropCertifiedColumnsSql } from 'vecpg';
import { doctor, type Finding } from 'vecpg/tune';
import { describeEachTarget } from '../support/db.ts';

function only(findings: Finding[], code: Finding['code']): Finding[] {
  return findings.filter((f) => f.code === code);
}

describeEachTarget('doctor()', (db) => {
  it('a healthy database reports only the extension version', async () => {
    await db().query('CREATE TABLE ok (id int PRIMARY KEY, embedding vector(3))');
    await db().query("INSERT INTO ok VALUES (1, '[1,2,3]'), (2, '[3,2,1]')");
    await db().query('CREATE INDEX ok_idx ON ok USING hnsw (embedding vector_l2_ops)');
    const version = (
      await db().query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")
    )[0]?.v;
    const findings = await doctor(db(), { distances: ['l2'] });
    expect(findings).toEqual([
      {
        severity: 'info',
        code: 'EXTENSION_VERSION',
        message: `pgvector ${version} is installed in schema public`,
        fix: null,
        subject: null,
      },
    ]);
  });

  it('column without dimensions, bare bit, bit varying, over the index limit', async () => {
    await db().query(
      'CREATE TABLE shapes (id int, nodims vector, flag bit, bits varbit, wide vector(3000), half halfvec(3000))',
    );
    // why a bare bit is a trap: the type is bit(1) and a ::bit cast truncates
    const cast = await db().query<{ b: string; t: string }>(
      "SELECT '101'::bit::text AS b, format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'shapes'::regclass AND attname = 'flag'",
    );
    expect(cast[0]).toEqual({ b: '1', t: 'bit(1)' });
    const f = await doctor(db(), { table: 'shapes' });
    expect(only(f, 'COLUMN_WITHOUT_DIMENSIONS').map((x) => x.subject)).toEqual(['shapes.nodims', 'shapes.bits']);
    expect(only(f, 'COLUMN_WITHOUT_DIMENSIONS')[0]?.fix).toContain(
      'ALTER TABLE "public"."shapes" ALTER COLUMN "nodims" TYPE vector(n)',
    );
    expect(only(f, 'BARE_BIT_COLUMN').map((x) => x.subject)).toEqual(['shapes.flag']);
    const over = only(f, 'COLUMN_OVER_INDEX_LIMIT');
    expect(over.map((x) => x.subject)).toEqual(['shapes.wide']); // halfvec(3000) is within halfvec's 4,000
    expect(over[0]?.fix).toContain(
      'vecpg index create --table shapes --column wide --distance <distance> --as halfvec',
    );
    // pgvector refuses an index on exactly these
    await expect(db().query('CREATE INDEX ON shapes USING hnsw (nodims vector_l2_ops)')).rejects.toThrow(
      /column does not have dimensions/,
    );
    await expect(db().query('CREATE INDEX ON shapes USING hnsw (wide vector_l2_ops)')).rejects.toThrow(
      /2000 dimensions/,
    );
  });

  it('operator class versus the distances queries use; an invalid index', async () => {
    const declared = await doctor(db(), { table: 'ok', distances: { 'ok.embedding': ['cosine'] } });
    const mismatch = only(declared, 'OPCLASS_MISMATCH');
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]?.message).toContain('serves l2 (<->) but declared cosine (<=>)');
    expect(mismatch[0]?.fix).toContain('vecpg index create --table ok --column embedding --distance cosine');
    // and indeed PostgreSQL cannot use it for <=>
    const plan = await db().transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query("EXPLAIN SELECT id FROM ok ORDER BY embedding <=> '[1,1,1]' LIMIT 1");
    });
    expect(JSON.stringify(plan)).not.toContain('ok_idx');
    const undeclared = await doctor(db(), { table: 'ok' });
    expect(only(undeclared, 'INDEX_OPCLASS')[0]?.message).toContain('serves only l2 distance: queries must use <->');

    // A CONCURRENTLY build that hits a pgvector limit leaves an invalid index behind.
    await db().query('CREATE TABLE sp (id int, f sparsevec(2000))');
    const dense = Array.from({ length: 1001 }, (_, i) => `${i + 1}:1`).join(',');
    await db().query(`INSERT INTO sp VALUES (1, '{1:1}/2000'), (2, $1::sparsevec)`, [`{${dense}}/2000`]);
    await expect(db().query('CREATE INDEX CONCURRENTLY sp_idx ON sp USING hnsw (f sparsevec_l2_ops)')).rejects.toThrow(
      /1000 non-zero/,
    );
    const f = await doctor(db(), { table: 'sp' });
    expect(only(f, 'INDEX_INVALID').map((x) => x.subject)).toEqual(['public.sp_idx']);
    expect(f[0]?.severity).toBe('error'); // errors first
    expect(only(f, 'SPARSE_OVER_HNSW_LIMIT')[0]?.message).toMatch(/^1 rows of sp\.f have more than 1000 non-zero/);
  });

  it('NULL and zero vectors under a cosine index', async () => {
    await db().query('CREATE TABLE cos (id int PRIMARY KEY, e vector(2))');
    await db().query('INSERT INTO cos SELECT i, ARRAY[i, 1]::vector FROM generate_series(1, 20) i');
    await db().query("INSERT INTO cos VALUES (100, '[0,0]'), (101, NULL), (102, NULL)");
    await db().query('CREATE INDEX cos_idx ON cos USING hnsw (e vector_cosine_ops)');
    const f = await doctor(db(), { table: 'cos' });
    expect(only(f, 'NULL_VECTORS')[0]?.message).toMatch(/^2 of 23 rows of cos\.e are NULL/);
    expect(only(f, 'ZERO_VECTORS_COSINE')[0]?.message).toMatch(/^1 rows of cos\.e are zero vectors/);
    // pgvector: the index scan never returns the zero vector; an exact scan does (NaN sorts last)
    const viaIndex = await db().transaction(async (tx) => {
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query<{ id: number }>("SELECT id FROM cos ORDER BY e <=> '[1,1]' LIMIT 100");
    });
    expect(viaIndex.map((r) => r.id)).not.toContain(100);
    expect(viaIndex).toHaveLength(20);
    const exact = await db().query<{ id: number }>(
      "SELECT id FROM cos WHERE e IS NOT NULL ORDER BY (e <=> '[1,1]') + 0 LIMIT 100",
    );
    expect(exact.at(-1)?.id).toBe(100);
  });

  it('maintenance_work_mem too small for an HNSW build of the table', async () => {
    await db().query('CREATE TABLE mem (id int, e vector(128))');
    await db().query(
      'INSERT INTO mem SELECT i, (SELECT array_agg(random())::vector(128) FROM generate_series(1, 128) g WHERE i > 0) FROM generate_series(1, 3000) i',
    );
    const normal = await doctor(db(), { table: 'mem' });
    expect(only(normal, 'MAINTENANCE_WORK_MEM_LOW')).toEqual([]);
    const small = await db().transaction(async (tx) => {
      await tx.query("SET LOCAL maintenance_work_mem = '1MB'");
      return doctor(tx, { table: 'mem' });
    });
    const f = only(small, 'MAINTENANCE_WORK_MEM_LOW');
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain('maintenance_work_mem is 1024 kB');
    expect(f[0]?.fix).toMatch(/--maintenance-work-mem \d+MB .*SET maintenance_work_mem = '\d+MB'/);
  });

  it('vectors stored out of line (TOAST) that would fit inline; the fix removes the finding', async () => {
    await db().query('CREATE TABLE big (id int, e vector(1000))');
    await db().query(
      'INSERT INTO big SELECT i, (SELECT array_agg(random())::vector(1000) FROM generate_series(1, 1000) g WHERE i > 0) FROM generate_series(1, 30) i',
    );
    const storage = await db().query<{ s: string }>(
      "SELECT attstorage::text AS s FROM pg_attribute WHERE attrelid = 'big'::regclass AND attname = 'e'",
    );
    expect(storage[0]?.s).toBe('e'); // pgvector's default: external
    const f = only(await doctor(db(), { table: 'big' }), 'TOAST_STORAGE');
    expect(f).toHaveLength(1);
    expect(f[0]?.fix).toMatch(/^ALTER TABLE "public"."big" ALTER COLUMN "e" SET STORAGE MAIN;/);
    await db().query('ALTER TABLE "public"."big" ALTER COLUMN "e" SET STORAGE MAIN');
    await db().query('UPDATE big SET e = e::text::vector(1000)');
    await db().query('VACUUM big');
    expect(only(await doctor(db(), { table: 'big' }), 'TOAST_STORAGE')).toEqual([]);
  });

  it('a certified table keeps its full vectors out of line by design: no TOAST advice for that column', async () => {
    await db().query('CREATE TABLE certdocs (id int, e vector(1000))');
    await db().query(
      'INSERT INTO certdocs SELECT i, (SELECT array_agg(random())::vector(1000) FROM generate_series(1, 1000) g WHERE i > 0) FROM generate_series(1, 30) i',
    );
    // without the compact copies, the same table gets the advice (as 'big' above)
    expect(only(await doctor(db(), { table: 'certdocs' }), 'TOAST_STORAGE')).toHaveLength(1);
    for (const layout of [{}, { form: 'prefix', prefix: 100 }] as const) {
      await db().query(addCertifiedColumnsSql('certdocs', 'e', 1000, ['cosine'], layout));
      // the full vectors are out of line: the layout certified search reads (docs/certified-search.md)
      const [toast] = await db().query<{ t: string }>(
        "SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE oid = 'certdocs'::regclass",
      );
      const [held] = await db().query<{ n: unknown }>(
        `SELECT coalesce(sum(octet_length(chunk_data)), 0) AS n FROM ${toast!.t}`,
      );
      expect(Number(held!.n)).toBeGreaterThanOrEqual(30 * 4000);
      expect(only(await doctor(db(), { table: 'certdocs' }), 'TOAST_STORAGE')).toEqual([]);
      await db().query(dropCertifiedColumnsSql('certdocs', 'e', ['cosine'], layout));
    }
  });

  it('vector(384) + a text body: every embedding out of line (TOAST) is found by measurement; short bodies are not', async () => {
    // 1,544 bytes of vector + ~1,000 bytes of incompressible text: the row is over the ~2 kB TOAST threshold,
    // and PostgreSQL moves the largest EXTERNAL/EXTENDED value out of line: the vector.
    const vec = '(SELECT array_agg(random())::vector(384) FROM generate_series(1, 384) g WHERE i > 0)';
    const body = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 32) g WHERE i > 0)";
    await db().query('CREATE TABLE toastdocs (id int PRIMARY KEY, body text, embedding vector(384))');
    await db().query(`INSERT INTO toastdocs SELECT i, ${body}, ${vec} FROM generate_series(1, 60) i`);
    await db().query('CREATE TABLE slimdocs (id int PRIMARY KEY, body text, embedding vector(384))');
    await db().query(`INSERT INTO slimdocs SELECT i, 'short body ' || i, ${vec} FROM generate_series(1, 60) i`);
    // The truth, from the TOAST tables themselves: the bytes they hold. Before: exactly 60 vectors' data
    // (1,540 bytes each: 384 float4 + the dim/unused header words), no body.
    const toastBytes = async (table: string) => {
      const toast = await db().query<{ t: string }>(
        'SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE oid = $1::regclass',
        [table],
      );
      return Number(
        (
          await db().query<{ n: unknown }>(`SELECT coalesce(sum(octet_length(chunk_data)), 0) AS n FROM ${toast[0]!.t}`)
        )[0]?.n,
      );
    };
    expect(await toastBytes('toastdocs')).toBe(60 * (384 * 4 + 4));
    expect(await toastBytes('slimdocs')).toBe(0);
    const f = only(await doctor(db(), { table: 'toastdocs' }), 'TOAST_STORAGE');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', subject: 'toastdocs.embedding' });
    expect(f[0]?.message).toMatch(
      /^all of the 60 values of toastdocs\.embedding are stored out of line .* only 1544 bytes/,
    );
    expect(f[0]?.fix).toContain(convertStorageSql(['public', 'toastdocs'], 'embedding').join('; '));
    expect(only(await doctor(db(), { table: 'slimdocs' }), 'TOAST_STORAGE')).toEqual([]);

    // The fix works: after convertStorageSql's statements nothing is out of line and the finding is gone.
    for (const statement of convertStorageSql('toastdocs', 'embedding', { rewrite: 'update' }))
      await db().query(statement);
    // STORAGE MAIN: now the bodies go out of line instead, and the TOAST table holds exactly them.
    const bodies = await db().query<{ n: unknown }>('SELECT sum(pg_column_size(body)) AS n FROM toastdocs');
    expect(await toastBytes('toastdocs')).toBe(Number(bodies[0]?.n));
    expect(only(await doctor(db(), { table: 'toastdocs' }), 'TOAST_STORAGE')).toEqual([]);
  });

  it('the TOAST check samples a large table and reports the share it saw', async () => {
    const vec = '(SELECT array_agg(random())::vector(384) FROM generate_series(1, 384) g WHERE i > 0)';
    await db().query('CREATE TABLE halfway (id int PRIMARY KEY, body text, embedding vector(384))');
    // every other row has a long body: half the vectors go out of line
    await db().query(
      `INSERT INTO halfway SELECT i, CASE WHEN i % 2 = 0 THEN (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 32) g WHERE i > 0) ELSE 'x' END, ${vec} FROM generate_series(1, 3000) i`,
    );
    const f = only(await doctor(db(), { table: 'halfway' }), 'TOAST_STORAGE');
    expect(f).toHaveLength(1);
    const m = /^(\d+) \((\d+)%\) of (\d+) sampled values \(of 3000\)/.exec(f[0]?.message ?? '');
    expect(m).not.toBeNull();
    const [out, pct, sampled] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(sampled).toBeGreaterThan(800);
    expect(sampled).toBeLessThan(1200);
    expect(pct).toBeGreaterThanOrEqual(40);
    expect(pct).toBeLessThanOrEqual(60);
    expect(out).toBeLessThan(sampled);
  });

  it('the extension missing is an error', async () => {
    await db().query('DROP EXTENSION vector CASCADE');
    const f = await doctor(db());
    expect(f).toEqual([expect.objectContaining({ severity: 'error', code: 'EXTENSION_MISSING' })]);
    expect(f[0]?.fix).toContain('CREATE EXTENSION vector');
  });
});
