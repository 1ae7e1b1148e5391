/**
 * postgres.js (`postgres` 3.4) support: parsers and serializers for pgvector's types on one `sql`
 * instance, a `types` option builder, and `wrapPostgres`, which turns `sql` into a `VecpgDb`.
 */
import type { PostgresType, Sql } from 'postgres';
import type { Row, SqlExecutor, VecpgDb } from '../sql/executor.ts';
import type { ConnectionTarget } from './connection-error.ts';
import { LazyTypes } from './lazy-types.ts';
import { queryFailed } from './query-error.ts';
import { prepareVectorParams } from './vector-params.ts';
import {
  VECTOR_TYPES_SQL,
  type TypeRow,
  type VectorTypeOids,
  type VectorTypeOptions,
  arrayTextParsers,
  oidsFromRows,
  textParsers,
  textSerializers,
} from './vector-types.ts';

/** Any postgres.js `sql` instance, whatever custom types it was created with. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- postgres.js's own default
export type PostgresSql<T extends Record<string, unknown> = {}> = Sql<T>;

interface Unsafe {
  unsafe(text: string, params?: never[]): PromiseLike<Iterable<unknown>>;
  options?: { host?: unknown; port?: unknown; database?: unknown; user?: unknown };
}

/**
 * Where a postgres.js `sql` connects (first host and port, database, user; never the password).
 *
 * @example
 * postgresConnectionTarget(postgres('postgres://me@db:5433/app')); // { host: 'db', port: 5433, database: 'app', user: 'me' }
 */
export function postgresConnectionTarget(sql: { options?: unknown }): ConnectionTarget {
  const o = (sql.options ?? {}) as { host?: unknown; port?: unknown; database?: unknown; user?: unknown };
  const first = (x: unknown): unknown => (Array.isArray(x) ? x[0] : x);
  const text = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);
  const port = first(o.port);
  return {
    host: text(first(o.host)),
    port: typeof port === 'number' ? port : text(port),
    database: text(o.database),
    user: text(o.user),
  };
}

async function run<R extends Row>(
  sql: Unsafe,
  text: string,
  params: readonly unknown[] | undefined,
  root: Unsafe = sql,
): Promise<R[]> {
  try {
    const rows = await sql.unsafe(text, (prepareVectorParams(text, params) ?? []) as never[]);
    return Array.from(rows) as R[];
  } catch (error) {
    throw queryFailed(error, text, () => postgresConnectionTarget(root));
  }
}

/**
 * Look up pgvector's type OIDs (in whatever schema the extension lives in) and register parsers
 * and serializers on this `sql` instance only. Rows then come back exactly as with `vecpg/pg`.
 * Throws `EXTENSION_MISSING` when the extension is not installed.
 *
 * @example
 * const sql = postgres(url);
 * await registerVectorTypes(sql);
 * const rows = await sql`SELECT embedding FROM items`;
 */
export async function registerVectorTypes<T extends Record<string, unknown>>(
  sql: PostgresSql<T>,
  options: VectorTypeOptions = {},
): Promise<VectorTypeOids> {
  const oids = oidsFromRows(await run<TypeRow>(sql, VECTOR_TYPES_SQL, undefined));
  install(sql, oids, options);
  return oids;
}

function install<T extends Record<string, unknown>>(
  sql: PostgresSql<T>,
  oids: VectorTypeOids,
  options: VectorTypeOptions,
): void {
  for (const [oid, parse] of textParsers(oids, options)) sql.options.parsers[oid] = parse;
  // postgres.js installed its array parsers (vector[]…) at connect, before ours existed: replace them.
  for (const [oid, parse] of arrayTextParsers(oids, options)) sql.options.parsers[oid] = parse;
  for (const [oid, serialize] of textSerializers(oids)) sql.options.serializers[oid] = serialize;
}

/** The `types` option entries {@link vectorTypes} returns: `vector`, and `halfvec` / `sparsevec` when installed. */
export type VectorPostgresTypes = Record<string, PostgresType> & { vector: PostgresType };

/**
 * postgres.js `types` entries for pgvector, for `postgres(url, { types: vectorTypes(oids) })`
 * when you already know the OIDs (e.g. from `registerTypes` on another instance). It also enables
 * `sql.typed.vector([1, 2, 3])`.
 *
 * @example
 * const oids = await registerVectorTypes(postgres(url));
 * const sql = postgres(url, { types: vectorTypes(oids) });
 */
export function vectorTypes(oids: VectorTypeOids, options: VectorTypeOptions = {}): VectorPostgresTypes {
  const parsers = textParsers(oids, options);
  const serializers = textSerializers(oids);
  const entry = (oid: number): PostgresType => ({
    to: oid,
    from: [oid],
    serialize: serializers.get(oid)!,
    parse: parsers.get(oid)!,
  });
  const out: VectorPostgresTypes = { vector: entry(oids.vector) };
  if (oids.halfvec !== undefined) out.halfvec = entry(oids.halfvec);
  if (oids.sparsevec !== undefined) out.sparsevec = entry(oids.sparsevec);
  return out;
}

/**
 * Wrap a postgres.js `sql` as a `VecpgDb`. The extension need not exist yet: the types are registered
 * as soon as it does (looked up now, then before each statement until found), so
 * `db.query(createExtensionSql())` works on a fresh database. Statements run with
 * `sql.unsafe(text, params)`, transactions with `sql.begin`.
 *
 * @example
 * const db = await wrapPostgres(postgres(process.env.DATABASE_URL!));
 * const rows = await db.query('SELECT $1::vector AS v', [new Vector([1, 2, 3])]);
 */
export async function wrapPostgres<T extends Record<string, unknown>>(
  sql: PostgresSql<T>,
  options: VectorTypeOptions = {},
): Promise<VecpgDb> {
  const target = sql as unknown as Unsafe;
  const types = new LazyTypes((oids) => install(sql, oids, options));
  const lookup = (text: string): Promise<Row[]> => run(target, text, undefined);
  await types.ensure(lookup);
  return {
    kind: 'postgres',
    // No binaryParams: postgres.js types a Buffer parameter as bytea, which does not cast to vector.
    vectorOutput: { ...options },
    async query(text, params) {
      await types.beforeStatement(lookup);
      return run(target, text, params);
    },
    async transaction<R>(fn: (tx: SqlExecutor) => Promise<R>): Promise<R> {
      let result: R | undefined;
      let started = false;
      try {
        await sql.begin(async (tx) => {
          started = true;
          const inner = tx as unknown as Unsafe;
          result = await fn({
            async query(text, params) {
              // Looked up on this transaction's connection: it sees an extension created inside it.
              await types.beforeStatement((t) => run(inner, t, undefined, target));
              return run(inner, text, params, target);
            },
          });
        });
      } catch (error) {
        // fn's own errors pass through as they are; before it, BEGIN itself failed (no connection…).
        throw started ? error : queryFailed(error, 'BEGIN', () => postgresConnectionTarget(target));
      }
      return result as R;
    },
  };
}

export type { VectorTypeOids, VectorTypeOptions };
