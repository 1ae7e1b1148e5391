/**
 * The Django walkthrough ("Adding pgvector to Django"), step by step, in TypeScript with vecpg.
 *
 *   npm start                                   # embedded PostgreSQL (PGlite), nothing to set up
 *   DATABASE_URL=postgres://… npm start         # your own server with pgvector
 */
import {
  Bit,
  SparseVector,
  Vector,
  buildSimilarityQuery,
  columnTypeSql,
  createExtensionSql,
  createIndexSql,
  extensionInfo,
  search,
  setStorageSql,
  type DistanceName,
  type VecpgDb,
} from 'vecpg';

async function connect(): Promise<{ db: VecpgDb; where: string; close: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const pg = (await import('pg')).default;
    const { wrapPg } = await import('vecpg/pg');
    // One client, one session: the walkthrough sets its search_path once (step 2) and keeps it.
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    return { db: await wrapPg(client), where: 'server at DATABASE_URL', close: () => client.end() };
  }
  // The embedded default database is locked while open: a second `npm start` gets DATABASE_BUSY.
  const { openDefaultDatabase, defaultDataDir } = await import('vecpg/pglite');
  const db = await openDefaultDatabase();
  return { db, where: `embedded PGlite in ${defaultDataDir()}`, close: () => db.pglite.close() };
}

/** The walkthrough's own schema: dropped and recreated as a whole on every run, and nothing else is touched. */
const DEMO_SCHEMA = 'vecpg_demo';
const DEMO_MARK = 'created by the vecpg walkthrough (npm start); dropped and recreated on every run';

async function useDemoSchema(db: VecpgDb): Promise<void> {
  const [found] = await db.query<{ note: string | null; extensions: string | null }>(
    `SELECT obj_description(n.oid, 'pg_namespace') AS note,
            (SELECT string_agg(e.extname::text, ', ') FROM pg_extension e WHERE e.extnamespace = n.oid) AS extensions
       FROM pg_namespace n WHERE n.nspname = $1`,
    [DEMO_SCHEMA],
  );
  if (found !== undefined && (found.note !== DEMO_MARK || found.extensions !== null)) {
    throw new Error(
      `schema "${DEMO_SCHEMA}" already exists and was not created by this walkthrough` +
        `${found.extensions === null ? '' : ` (it holds the extension(s) ${found.extensions})`}; ` +
        'the walkthrough drops only its own schema, so it stops here. Rename that schema, or run against another database.',
    );
  }
  await db.query(`DROP SCHEMA IF EXISTS ${DEMO_SCHEMA} CASCADE`);
  await db.query(`CREATE SCHEMA ${DEMO_SCHEMA}`);
  await db.query(`COMMENT ON SCHEMA ${DEMO_SCHEMA} IS '${DEMO_MARK}'`);
  // Tables are created in vecpg_demo; the vector type still resolves wherever the extension lives.
  await db.query(`SELECT set_config('search_path', '${DEMO_SCHEMA}, ' || current_setting('search_path'), false)`);
}

const heading = (s: string) => console.log(`\n== ${s} ==`);
const fmt = (x: unknown) => (typeof x === 'number' ? x.toFixed(4) : String(x));

const { db, where, close } = await connect();
try {
  // 1. "Turn on the extension using a migration": CREATE EXTENSION IF NOT EXISTS vector (reversible with
  //    dropExtensionSql()). Every ORM integration has this as a migration helper.
  heading(`Connected to ${where}`);
  await db.query(createExtensionSql());
  const ext = await extensionInfo(db);
  console.log(`pgvector ${ext.version} installed in schema "${ext.schema}"`);

  // 2. Dense vectors: Document(title, embedding = VectorField(dimensions=4)).
  //    The walkthrough works in a schema of its own (vecpg_demo), so your own `documents` table is safe.
  //    vecpg creates vector columns with STORAGE MAIN so exact scans read vectors from the row.
  await useDemoSchema(db);
  console.log(`tables go in schema "${DEMO_SCHEMA}" (dropped and recreated on every run; nothing else is touched)`);
  await db.query(`CREATE TABLE documents (id serial PRIMARY KEY, title varchar(255), embedding ${columnTypeSql('vector', 4)})`);
  await db.query(setStorageSql('documents', 'embedding', 'main'));
  const docs: Array<[string, number[]]> = [
    ['My First Doc', [0.5, 0.2, 0.9, 0.3]],
    ['Second Doc', [0.4, 0.3, 0.8, 0.2]],
    ['Unrelated Doc', [-0.7, 0.9, -0.1, 0.0]],
  ];
  for (const [title, embedding] of docs) {
    // A plain array works; so does `new Vector(embedding)`.
    await db.query('INSERT INTO documents (title, embedding) VALUES ($1, $2::vector)', [title, new Vector(embedding).toSql()]);
  }
  heading('documents (vector(4))');
  // Rows come back as number[] holding the exact float32 values the server stores (0.2 is stored as
  // 0.20000000298023224); `new Vector(...)` prints them the way PostgreSQL does.
  for (const r of await db.query<{ title: string; embedding: number[] }>('SELECT title, embedding FROM documents ORDER BY id')) {
    console.log(`${r.title.padEnd(14)} ${new Vector(r.embedding).toSql()}`);
  }

  // 3. Sparse vectors: ScienceData(name, features = SparseVectorField(dimensions=10000)).
  await db.query(`CREATE TABLE science_data (id serial PRIMARY KEY, name varchar(100), features ${columnTypeSql('sparsevec', 10000)})`);
  const samples: Array<[string, SparseVector]> = [
    ['Sample A', new SparseVector({ 0: 5.5, 42: 1.2 }, 10000)], // keys are 0-based, as in Python
    ['Sample B', new SparseVector({ 0: 5.0, 42: 1.1, 9999: 0.3 }, 10000)],
    ['Sample C', new SparseVector({ 1: 4.0, 43: 2.0 }, 10000)],
    ['Sample D', new SparseVector({ 0: -5.5, 500: 3.0 }, 10000)],
  ];
  for (const [name, features] of samples) {
    await db.query('INSERT INTO science_data (name, features) VALUES ($1, $2::sparsevec)', [name, features.toSql()]);
  }

  // 4. 0-indexing vs 1-indexing: what you wrote (0-based) next to what PostgreSQL stores (1-based text).
  heading('0-based in TypeScript, 1-based in pgvector text');
  const stored = await db.query<{ name: string; features: SparseVector; text: string }>(
    'SELECT name, features, features::text AS text FROM science_data ORDER BY id',
  );
  for (const r of stored) {
    console.log(`${r.name}: indices ${JSON.stringify(r.features.indices)} (0-based)  ⇔  stored '${r.text}' (1-based)`);
  }
  const tiny = new SparseVector({ 0: 1, 2: 2, 4: 3 }, 5);
  console.log(`SparseVector({0: 1, 2: 2, 4: 3}, 5) is stored as '${tiny.toSql()}'`);

  // 5. Querying — the Django walkthrough's three patterns, with every distance that applies to the type.
  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
  const sparseDistances: DistanceName[] = ['cosine', 'l2', 'ip', 'l1'];
  for (const distance of sparseDistances) {
    heading(`science_data, ${distance}`);
    // 5.1 Just ordering: ORDER BY features <=> $1 LIMIT 10 (exact: no index can change the answer)
    const ordered = await search(db, { table: 'science_data', column: 'features', query: target, distance, k: 10, select: ['name'] });
    console.log(`ordered:   ${ordered.map((r) => r.name).join(', ')}`);
    // 5.2 Just annotating: every row with its distance, in table order.
    const annotated = buildSimilarityQuery({ table: 'science_data', column: 'features', query: target, distance, select: ['name'], orderBy: false });
    const rows = await db.query<{ name: string; distance: number }>(annotated.text, annotated.values);
    console.log(`annotated: ${rows.map((r) => `${r.name}=${fmt(r.distance)}`).join(', ')}`);
    // 5.3 Annotate, filter (distance < threshold), order.
    const threshold = distance === 'cosine' ? 0.2 : distance === 'ip' ? -20 : 2;
    const close_ = await search(db, { table: 'science_data', column: 'features', query: target, distance, maxDistance: threshold, select: ['name'] });
    console.log(`distance < ${threshold}: ${close_.map((r) => `${r.name}=${fmt(r.distance)}`).join(', ') || '(none)'}`);
  }

  heading('documents, every dense distance (exact top-2)');
  const q = new Vector([0.5, 0.2, 0.9, 0.3]);
  for (const distance of ['l2', 'ip', 'cosine', 'l1'] as const) {
    const top = await search(db, { table: 'documents', column: 'embedding', query: q, distance, k: 2, select: ['title'] });
    console.log(`${distance.padEnd(6)} ${top.map((r) => `${r.title} (${fmt(r.distance)})`).join(', ')}`);
  }

  // 6. Binary data: Hamming and Jaccard distances on bit(8).
  heading('fingerprints (bit(8)): hamming and jaccard');
  await db.query(`CREATE TABLE fingerprints (id serial PRIMARY KEY, label text, bits ${columnTypeSql('bit', 8)})`);
  for (const [label, bits] of [['a', '11110000'], ['b', '11100000'], ['c', '00001111']] as const) {
    await db.query('INSERT INTO fingerprints (label, bits) VALUES ($1, $2::bit(8))', [label, new Bit(bits).toSql()]);
  }
  for (const distance of ['hamming', 'jaccard'] as const) {
    const top = await search(db, { table: 'fingerprints', column: 'bits', query: new Bit('11110000'), distance, select: ['label', 'bits'] });
    console.log(`${distance.padEnd(8)} ${top.map((r) => `${r.label}:${r.bits} (${fmt(r.distance)})`).join(', ')}`);
  }

  // 7. Exact vs approximate: an IVFFlat index with many lists and one probe misses true neighbours;
  //    vecpg's default (exact) search returns the true top-10 even with the index present.
  heading('exact vs approximate (IVFFlat, 100 lists, probes = 1)');
  await db.query('CREATE TABLE ann_demo (id int PRIMARY KEY, embedding vector(16))');
  await db.query(`SELECT setseed(0.42)`);
  await db.query(
    `INSERT INTO ann_demo SELECT i, (SELECT array_agg(random()::real) FROM generate_series(1, 16) WHERE i > 0)::vector FROM generate_series(1, 3000) i`,
  );
  await db.query(createIndexSql({ table: 'ann_demo', column: 'embedding', type: 'vector', distance: 'l2', method: 'ivfflat', lists: 100 }));
  await db.query('ANALYZE ann_demo');
  let hits = 0;
  let total = 0;
  for (let id = 1; id <= 20; id++) {
    const [row] = await db.query<{ embedding: number[] }>('SELECT embedding FROM ann_demo WHERE id = $1', [id]);
    const query = row!.embedding;
    const exact = await search(db, { table: 'ann_demo', column: 'embedding', query, distance: 'l2', k: 10, select: ['id'] });
    const approx = await search(db, { table: 'ann_demo', column: 'embedding', query, distance: 'l2', k: 10, select: ['id'], approximate: { probes: 1 } });
    const truth = new Set(exact.map((r) => r.id));
    hits += approx.filter((r) => truth.has(r.id)).length;
    total += exact.length;
  }
  console.log(`approximate recall@10 over 20 queries: ${((100 * hits) / total).toFixed(1)}% — exact search: 100% by construction`);
  // The rows are the same on every run (setseed, one session), the recall is not quite: pgvector picks
  // IVFFlat's initial centroids with the server's own random generator, which no SQL setting seeds.
  console.log('(the rows are the same on every run; the figure moves by a few points because pgvector seeds');
  console.log(" IVFFlat's k-means from the server's own random generator, which SQL cannot set)");
  console.log('(`vecpg recall` measures this on your own table and finds the cheapest setting for a target recall)');
} finally {
  await close();
}
