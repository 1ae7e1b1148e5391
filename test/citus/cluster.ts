/**
 * The Citus suite's connection: the coordinator at CITUS_URL (scripts/setup-citus.sh prints it). Each
 * test file works in a schema of its own (Citus propagates CREATE SCHEMA to the workers) and drops it.
 */
import pg from 'pg';
import { wrapPg } from 'vecpg/pg';
import type { VecpgDb } from 'vecpg';

export const CITUS_URL = process.env.CITUS_URL;
/** The reason the suite is skipped, for describe.runIf's title. */
export const NEEDS_CITUS = 'on a Citus cluster (CITUS_URL; see scripts/setup-citus.sh)';

export interface Cluster {
  readonly db: VecpgDb;
  readonly pool: pg.Pool;
  readonly schema: string;
  /** The worker node ports, from pg_dist_node. */
  readonly workers: Array<{ host: string; port: number }>;
  /** A connection URL for a worker (same database as the coordinator). */
  workerUrl(port: number): string;
  close(): Promise<void>;
}

let counter = 0;

export async function openCluster(name: string, poolSize = 2): Promise<Cluster> {
  if (!CITUS_URL) throw new Error('openCluster needs CITUS_URL');
  const schema = `vecpg_citus_${name}_${process.pid}_${counter++}`;
  const admin = new pg.Client({ connectionString: CITUS_URL });
  await admin.connect();
  let workers: Array<{ host: string; port: number }>;
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    const r = await admin.query<{ nodename: string; nodeport: number }>(
      "SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport",
    );
    workers = r.rows.map((w) => ({ host: w.nodename, port: w.nodeport }));
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString: CITUS_URL,
    max: poolSize,
    options: `-c search_path=${schema},public`,
  });
  const db = await wrapPg(pool);
  return {
    db,
    pool,
    schema,
    workers,
    workerUrl(port) {
      const u = new URL(CITUS_URL);
      u.port = String(port);
      return u.toString();
    },
    async close() {
      await pool.end();
      const c = new pg.Client({ connectionString: CITUS_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Deterministic pseudo-random vectors (mulberry32), so the cluster and the single server get the same data. */
export function randomVectors(n: number, dims: number, seed = 1): number[][] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Array.from({ length: dims }, () => Math.round(next() * 1000) / 1000));
}

/** Insert rows `(id, tenant, embedding)` in batches through bound text parameters. */
export async function insertRows(
  pool: pg.Pool | pg.Client,
  table: string,
  vectors: number[][],
  tenants: number,
): Promise<void> {
  for (let start = 0; start < vectors.length; start += 500) {
    const batch = vectors.slice(start, start + 500);
    const params: unknown[] = [];
    const values = batch.map((v, i) => {
      const id = start + i + 1;
      params.push(id, id % tenants, `[${v.join(',')}]`);
      return `($${params.length - 2}, $${params.length - 1}, $${params.length}::vector)`;
    });
    await pool.query(`INSERT INTO ${table} (id, tenant, embedding) VALUES ${values.join(', ')}`, params);
  }
}
