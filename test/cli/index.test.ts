import pg from 'pg';
import { expect, it } from 'vitest';
import { describeEachCliTarget } from './harness.ts';

const OPCLASS_SQL = `SELECT ic.relname AS name, opc.opcname AS opclass, am.amname AS method, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
  JOIN pg_opclass opc ON opc.oid = i.indclass[0] WHERE i.indrelid = $1::regclass ORDER BY 1`;

describeEachCliTarget('vecpg index', (t, target) => {
  it('sets up tables', async () => {
    await t().sql([
      'CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))',
      'INSERT INTO items SELECT i, ARRAY[i, i % 7, 1]::vector(3) FROM generate_series(1, 50) i',
      'CREATE TABLE wide (id int PRIMARY KEY, embedding vector(2001))',
      'CREATE TABLE nodims (id int PRIMARY KEY, embedding vector)',
      "INSERT INTO nodims VALUES (1, '[1,2,3]')",
      'CREATE TABLE sparse (id int PRIMARY KEY, features sparsevec(5000))',
      "INSERT INTO sparse VALUES (1, '{1:1,3:2}/5000')",
    ]);
    expect((await t().sql('SELECT count(*)::int AS n FROM items'))[0]?.n).toBe(50);
  });

  it('--dry-run prints the statement with the opclass for the distance and the options', async () => {
    const r = await t().run([
      'index',
      'create',
      '--table',
      'items',
      '--column',
      'embedding',
      '--distance',
      'cosine',
      '--m',
      '8',
      '--ef-construction',
      '32',
      '--dry-run',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(
      'CREATE INDEX "items_embedding_hnsw_cosine_idx" ON "items" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 8, ef_construction = 32);',
    );
    expect(await t().sql([[OPCLASS_SQL, ['items']]])).toHaveLength(1); // only the primary key
  });

  it('creates HNSW and IVFFlat indexes that PostgreSQL reports with the right operator class', async () => {
    const h = await t().run(['index', 'create', '--table', 'items', '--column', 'embedding', '--distance', 'ip']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('created index items_embedding_hnsw_ip_idx (hnsw, vector_ip_ops) on 50 rows');
    const i = await t().run([
      'index',
      'create',
      '--table',
      'items',
      '--column',
      'embedding',
      '--distance',
      'l2',
      '--method',
      'ivfflat',
      '--json',
    ]);
    expect(i.code).toBe(0);
    const plan = JSON.parse(i.stdout) as { name: string; opclass: string; notes: string[]; created: boolean };
    expect(plan).toMatchObject({ name: 'items_embedding_ivfflat_l2_idx', opclass: 'vector_l2_ops', created: true });
    expect(plan.notes[0]).toContain('lists = 1'); // 50 rows / 1000, at least 1
    const rows = await t().sql([[OPCLASS_SQL, ['items']]]);
    const vectorIndexes = rows.filter((r) => r.method !== 'btree');
    expect(vectorIndexes.map((r) => [r.name, r.method, r.opclass])).toEqual([
      ['items_embedding_hnsw_ip_idx', 'hnsw', 'vector_ip_ops'],
      ['items_embedding_ivfflat_l2_idx', 'ivfflat', 'vector_l2_ops'],
    ]);
    expect(String(vectorIndexes[1]?.def)).toMatch(/lists='?1'?\)/);
  });

  it('lists and drops indexes', async () => {
    const l = await t().run(['index', 'list', '--table', 'items']);
    expect(l.stdout).toMatch(/items_embedding_hnsw_ip_idx\s+items\s+embedding\s+hnsw\s+vector_ip_ops/);
    const j = JSON.parse((await t().run(['index', 'list', '--json'])).stdout) as Array<{
      name: string;
      valid: boolean;
    }>;
    expect(j.map((x) => x.name)).toEqual(['items_embedding_hnsw_ip_idx', 'items_embedding_ivfflat_l2_idx']);
    expect(j.every((x) => x.valid)).toBe(true);
    const d = await t().run(['index', 'drop', '--name', 'items_embedding_ivfflat_l2_idx']);
    expect(d.code).toBe(0);
    expect(d.stdout).toContain('DROP INDEX "public"."items_embedding_ivfflat_l2_idx"');
    const left = await t().sql([[OPCLASS_SQL, ['items']]]);
    expect(left.map((r) => r.name)).toEqual(['items_embedding_hnsw_ip_idx', 'items_pkey']);
    const again = await t().run(['index', 'drop', '--name', 'items_pkey']);
    expect(again.code).toBe(1); // a btree index is not ours to drop
    expect(again.stderr).toContain('no HNSW or IVFFlat index named "items_pkey"');
  });

  it('refuses more than 2,000 dimensions and proposes a halfvec expression index, which then works', async () => {
    const r = await t().run(['index', 'create', '--table', 'wide', '--column', 'embedding', '--distance', 'cosine']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[UNSUPPORTED]');
    expect(r.stderr).toContain('at most 2000 dimensions for vector; wide.embedding has 2001');
    expect(r.stderr).toContain('--as halfvec ("embedding"::halfvec(2001)');
    expect(r.stderr).toContain('--as bit (binary_quantize("embedding")::bit(2001)');
    // pgvector itself refuses the plain index
    await expect(t().sql('CREATE INDEX ON wide USING hnsw (embedding vector_cosine_ops)')).rejects.toThrow(
      /2000 dimensions/,
    );
    const h = await t().run([
      'index',
      'create',
      '--table',
      'wide',
      '--column',
      'embedding',
      '--distance',
      'cosine',
      '--as',
      'halfvec',
    ]);
    expect(h.stderr).toBe('');
    expect(h.code).toBe(0);
    const b = await t().run([
      'index',
      'create',
      '--table',
      'wide',
      '--column',
      'embedding',
      '--distance',
      'cosine',
      '--as',
      'bit',
    ]);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('re-rank the candidates exactly by cosine');
    const rows = await t().sql([[OPCLASS_SQL, ['wide']]]);
    const defs = rows.filter((x) => x.method === 'hnsw').map((x) => [x.opclass, String(x.def)]);
    expect(defs).toHaveLength(2);
    expect(defs[0]?.[0]).toBe('bit_hamming_ops');
    expect(defs[0]?.[1]).toContain('binary_quantize(embedding))::bit(2001)');
    expect(defs[1]?.[0]).toBe('halfvec_cosine_ops');
    expect(defs[1]?.[1]).toContain('(embedding)::halfvec(2001)');
  });

  it('refuses a column without dimensions, with the ALTER TABLE that fixes it', async () => {
    const r = await t().run(['index', 'create', '--table', 'nodims', '--column', 'embedding', '--distance', 'l2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ALTER TABLE "nodims" ALTER COLUMN "embedding" TYPE vector(3)');
    await expect(t().sql('CREATE INDEX ON nodims USING hnsw (embedding vector_l2_ops)')).rejects.toThrow(
      /column does not have dimensions/,
    );
  });

  it('refuses IVFFlat on sparsevec and sparse rows over 1,000 non-zeros for HNSW', async () => {
    const ivf = await t().run([
      'index',
      'create',
      '--table',
      'sparse',
      '--column',
      'features',
      '--distance',
      'l2',
      '--method',
      'ivfflat',
    ]);
    expect(ivf.code).toBe(1);
    expect(ivf.stderr).toContain('IVFFlat indexes do not support sparsevec; use method "hnsw"');
    const dense = Array.from({ length: 1001 }, (_, i) => `${i + 1}:1`).join(',');
    await t().sql([[`INSERT INTO sparse VALUES (2, $1::sparsevec)`, [`{${dense}}/5000`]]]);
    const r = await t().run(['index', 'create', '--table', 'sparse', '--column', 'features', '--distance', 'l2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('at most 1000 non-zero elements; 1 row(s) of sparse.features have more');
    expect(r.stderr).toContain('has 1001');
    // what pgvector says for the same build
    await expect(t().sql('CREATE INDEX ON sparse USING hnsw (features sparsevec_l2_ops)')).rejects.toThrow(
      /1000 non-zero elements/,
    );
    // Not a DELETE: a deleted row stays in the index build while any snapshot in the database predates
    // the delete (an autovacuum ANALYZE, say), which made this step flaky. TRUNCATE leaves no old rows.
    await t().sql([
      'CREATE TABLE sparse_keep AS SELECT * FROM sparse WHERE id <> 2',
      'TRUNCATE sparse',
      'INSERT INTO sparse SELECT * FROM sparse_keep',
      'DROP TABLE sparse_keep',
    ]);
    const ok = await t().run(['index', 'create', '--table', 'sparse', '--column', 'features', '--distance', 'l2']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('(hnsw, sparsevec_l2_ops)');
  });

  it('validates build options', async () => {
    const r = await t().run([
      'index',
      'create',
      '--table',
      'items',
      '--column',
      'embedding',
      '--distance',
      'l2',
      '--m',
      '16',
      '--ef-construction',
      '20',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[INVALID_OPTION]');
    expect(r.stderr).toContain('efConstruction (20) must be at least 2 × m (32)');
    const m = await t().run([
      'index',
      'create',
      '--table',
      'items',
      '--column',
      'embedding',
      '--distance',
      'l2',
      '--m',
      '101',
    ]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('--m must be an integer from 2 to 100, got "101"');
    const h = await t().run(['index', 'create', '--table', 'items', '--column', 'embedding', '--distance', 'hamming']);
    expect(h.code).toBe(1);
    expect(h.stderr).toContain('pgvector has no hamming distance for vector');
  });

  if (target === 'server') {
    it('--concurrently shows progress from pg_stat_progress_create_index on a terminal', async () => {
      const url = (t().env as { DATABASE_URL: string }).DATABASE_URL;
      const blocker = new pg.Client({ connectionString: url });
      const watcher = new pg.Client({ connectionString: url });
      await blocker.connect();
      await watcher.connect();
      try {
        // An open writing transaction makes CREATE INDEX CONCURRENTLY wait in a known phase.
        await blocker.query('BEGIN');
        await blocker.query("INSERT INTO items VALUES (1000, '[1,1,1]')");
        const running = t().run(
          ['index', 'create', '--table', 'items', '--column', 'embedding', '--distance', 'l2', '--concurrently'],
          { isTTY: true },
        );
        let phase = '';
        for (let i = 0; i < 100 && phase === ''; i++) {
          await new Promise((r) => setTimeout(r, 100));
          const p = await watcher.query(
            "SELECT phase FROM pg_stat_progress_create_index WHERE relid = 'items'::regclass",
          );
          phase = String(p.rows[0]?.phase ?? '');
        }
        expect(phase).toBe('waiting for writers before build');
        await new Promise((r) => setTimeout(r, 600)); // let the CLI's 200 ms poll see it
        await blocker.query('COMMIT');
        const r = await running;
        expect(r.code).toBe(0);
        expect(r.stderr).toContain('waiting for writers before build');
        expect(r.stdout).toContain('CREATE INDEX CONCURRENTLY "items_embedding_hnsw_l2_idx"');
      } finally {
        await blocker.end();
        await watcher.end();
      }
    });
  } else {
    it('--concurrently works on the embedded database too (no progress there)', async () => {
      const r = await t().run(
        ['index', 'create', '--table', 'items', '--column', 'embedding', '--distance', 'l2', '--concurrently'],
        { isTTY: true },
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('CREATE INDEX CONCURRENTLY "items_embedding_hnsw_l2_idx"');
    });
  }
});
