/**
 * Embedded PostgreSQL with pgvector, in-process: `@electric-sql/pglite` plus its pgvector plugin.
 * `openPglite` opens one; `wrapPglite` adapts an instance you already have; `openDefaultDatabase`
 * is the persistent embedded database the CLI and `npm start` use.
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PGlite, PGliteInterface, PGliteOptions } from '@electric-sql/pglite';
import type { BinaryColumnsQuery, Row, SqlExecutor, VecpgDb } from '../sql/executor.ts';
import { byteaHexToBytes } from '../sql/vector-output.ts';
import type { PgliteLike } from './pglite-like.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { binaryColumnsQuery } from './pglite-binary.ts';
import { importDriver } from './optional-import.ts';
import { LazyTypes } from './lazy-types.ts';
import { queryFailed } from './query-error.ts';
import { prepareVectorParams } from './vector-params.ts';
import {
  BIT_OID,
  VARBIT_OID,
  VECTOR_TYPES_SQL,
  type TypeRow,
  type VectorTypeOids,
  type VectorTypeOptions,
  oidsFromRows,
  textParsers,
  textSerializers,
} from './vector-types.ts';

/** A `VecpgDb` on PGlite, with the instance itself for anything else (`dumpDataDir`, `close`…). */
export type PgliteDb = VecpgDb & { readonly pglite: PGlite };

/** Options of {@link openPglite}. */
export interface OpenPgliteOptions extends VectorTypeOptions {
  /** Persistent data directory (created when missing). In memory when omitted. */
  dataDir?: string;
  /** A dumped data directory (`pglite.dumpDataDir()`) to start from, e.g. a template. */
  loadDataDir?: Blob;
  /** Run `CREATE EXTENSION IF NOT EXISTS vector` (default true). */
  createExtension?: boolean;
  /** Any other PGlite option (`debug`, `relaxedDurability`, more `extensions`…). */
  pglite?: Omit<PGliteOptions, 'dataDir' | 'loadDataDir'>;
}

type PgliteModule = typeof import('@electric-sql/pglite');

const BYTEA_OID = 17;
type PgvectorModule = typeof import('@electric-sql/pglite-pgvector');

/**
 * Open an embedded PGlite with pgvector loaded, the extension created and rows parsed exactly as
 * `vecpg/pg` parses them. A cold in-memory start takes a few seconds; reuse the instance.
 *
 * @example
 * const db = await openPglite();
 * await db.query('CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3))');
 * await db.pglite.close();
 */
export async function openPglite(options: OpenPgliteOptions = {}): Promise<PgliteDb> {
  // PGlite and its pgvector plugin go together: whichever is missing, the hint installs both.
  const both = ['@electric-sql/pglite', '@electric-sql/pglite-pgvector'];
  const { PGlite } = await importDriver<PgliteModule>('@electric-sql/pglite', 'vecpg/pglite', both);
  const { vector } = await importDriver<PgvectorModule>('@electric-sql/pglite-pgvector', 'vecpg/pglite', both);
  const extra = options.pglite ?? {};
  const config: PGliteOptions = { ...extra, extensions: { ...extra.extensions, vector } };
  let lock: DataDirLock | undefined;
  if (options.dataDir !== undefined) {
    // PGlite creates the directory itself but not its parents (~/.cache/vecpg on a fresh machine).
    await mkdir(options.dataDir, { recursive: true });
    config.dataDir = options.dataDir;
    // Two processes on one directory corrupt it: take `<dataDir>.lock` first (DATABASE_BUSY otherwise).
    if (!options.dataDir.startsWith('memory://')) lock = acquireDataDirLock(options.dataDir);
  }
  if (options.loadDataDir !== undefined) config.loadDataDir = options.loadDataDir;
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(config);
  } catch (error) {
    lock?.release();
    throw error;
  }
  if (lock !== undefined) releaseOnClose(pglite, lock);
  try {
    if (options.createExtension !== false) {
      await pglite.exec('CREATE EXTENSION IF NOT EXISTS vector');
    }
    const typeOptions: VectorTypeOptions = {};
    if (options.dense !== undefined) typeOptions.dense = options.dense;
    if (options.bit !== undefined) typeOptions.bit = options.bit;
    return await wrapPglite(pglite, typeOptions);
  } catch (error) {
    await pglite.close().catch(() => undefined);
    throw error;
  }
}

/** The lock goes when this instance closes (its own `close`, not PGlite's prototype) or the process exits. */
function releaseOnClose(pglite: PGlite, lock: DataDirLock): void {
  const close = pglite.close.bind(pglite);
  Object.defineProperty(pglite, 'close', {
    configurable: true,
    value: async (): Promise<void> => {
      try {
        await close();
      } finally {
        lock.release();
      }
    },
  });
}

/**
 * Register pgvector's parsers on this PGlite instance (only this one) and look up the type OIDs.
 * Throws `EXTENSION_MISSING` when the extension was not created.
 *
 * @example
 * const pglite = await PGlite.create({ extensions: { vector } });
 * await pglite.exec('CREATE EXTENSION IF NOT EXISTS vector');
 * await registerVectorTypes(pglite);
 */
export async function registerVectorTypes(pglite: PGlite, options: VectorTypeOptions = {}): Promise<VectorTypeOids> {
  const rows = await run<TypeRow>(pglite, VECTOR_TYPES_SQL, undefined);
  const oids = oidsFromRows(rows);
  await install(pglite, oids, options);
  return oids;
}

async function install(pglite: PGlite, oids: VectorTypeOids, options: VectorTypeOptions): Promise<void> {
  for (const [oid, parse] of textParsers(oids, options)) pglite.parsers[oid] = parse;
  // bytea: the same Uint8Array as PGlite's own parser, ~10x faster (vecpg reads vectors as vector_send bytea).
  pglite.parsers[BYTEA_OID] = byteaHexToBytes;
  // Parameters: bytes (pgvector's send format, vecpg's binary fast path) go through untouched, and
  // PGlite binds them in binary format; anything else is written as pgvector text.
  for (const [oid, serialize] of textSerializers(oids)) {
    pglite.serializers[oid] = (value: unknown) =>
      value instanceof Uint8Array ? (value as unknown as string) : serialize(value);
  }
  for (const oid of [BIT_OID, VARBIT_OID]) {
    const previous = pglite.serializers[oid];
    pglite.serializers[oid] = (value: unknown) =>
      value instanceof Uint8Array ? (value as unknown as string) : previous ? previous(value) : String(value);
  }
  // Array types (vector[]…) parse through the element parser once PGlite knows they exist.
  await pglite.refreshArrayTypes();
}

const registries = new WeakMap<PGliteInterface, LazyTypes>();

/**
 * The lazy type registration of one PGlite instance, shared by every vecpg adapter on it (`wrapPglite`,
 * Knex, MikroORM, Kysely's and TypeORM's PGlite drivers): the parsers are installed as soon as the
 * extension exists. Call `beforeStatement` outside transactions only (the lookup needs the instance).
 *
 * @example
 * await pgliteTypes(pglite).beforeStatement((text) => pglite.query(text).then((r) => r.rows));
 */
export function pgliteTypes(pglite: PGliteInterface, options: VectorTypeOptions = {}): LazyTypes {
  let types = registries.get(pglite);
  if (types === undefined) {
    types = new LazyTypes((oids) => install(pglite as PGlite, oids, options));
    registries.set(pglite, types);
  }
  return types;
}

/**
 * Before a statement on `pglite` outside a transaction: register pgvector's parsers on it if the
 * extension has appeared since the last look (see {@link pgliteTypes}). For the ORM adapters on PGlite.
 *
 * @example
 * await registerPgliteTypesWhenCreated(pglite);
 */
export async function registerPgliteTypesWhenCreated(pglite: PgliteLike | PGliteInterface): Promise<void> {
  // A PgliteLike is a real PGlite typed by shape (the ORM subpaths avoid PGlite's own types).
  const instance = pglite as PGliteInterface;
  await pgliteTypes(instance).beforeStatement(async (text) => (await instance.query<Row>(text)).rows);
}

/**
 * Adapt a PGlite instance you already have (with the pgvector plugin loaded). The extension need not
 * exist yet: the parsers are registered as soon as it does, so `db.query(createExtensionSql())` works
 * on a fresh instance. Inside `transaction`, use the `tx` it gives you: PGlite runs one statement at a
 * time, so a query on the outer `db` would wait for the transaction to end.
 *
 * @example
 * const db = await wrapPglite(await PGlite.create({ extensions: { vector } }));
 * await db.query(createExtensionSql());
 */
export async function wrapPglite(pglite: PGlite, options: VectorTypeOptions = {}): Promise<PgliteDb> {
  const types = pgliteTypes(pglite, options);
  const lookup = (text: string): Promise<Row[]> => run(pglite, text, undefined);
  // Wrapping looks again (the extension may have been dropped and re-created, with new OIDs).
  types.reset();
  await types.ensure(lookup);
  // vecpg's search helpers read vector columns as raw binary results through these (see pglite-binary.ts).
  const binaryTop = withQueryFailed(binaryColumnsQuery(pglite, 'top'));
  const binaryTx = withQueryFailed(binaryColumnsQuery(pglite, 'tx'));
  return {
    kind: 'pglite',
    pglite,
    binaryParams: true,
    vectorOutput: { ...options },
    async query(text, params) {
      await types.beforeStatement(lookup);
      return run(pglite, text, params);
    },
    ...(binaryTop === undefined ? {} : { queryBinaryColumns: binaryTop }),
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
      pglite.transaction((tx) =>
        fn({
          query: (text, params) => run(tx, text, params),
          ...(binaryTx === undefined ? {} : { queryBinaryColumns: binaryTx }),
        }),
      ),
  };
}

function withQueryFailed(query: BinaryColumnsQuery | undefined): BinaryColumnsQuery | undefined {
  if (query === undefined) return undefined;
  return async (text, params, columns) => {
    try {
      return await query(text, params, columns);
    } catch (error) {
      throw queryFailed(error, text);
    }
  };
}

interface PgliteQueryable {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

async function run<R extends Row>(
  target: PgliteQueryable,
  text: string,
  params: readonly unknown[] | undefined,
): Promise<R[]> {
  try {
    const values = prepareVectorParams(text, params);
    return (await target.query<R>(text, values === undefined ? undefined : [...values])).rows;
  } catch (error) {
    throw queryFailed(error, text);
  }
}

/** Options of {@link openDefaultDatabase}. */
export interface DefaultDatabaseOptions extends VectorTypeOptions {
  /** vecpg's state directory; the database lives in `<home>/default`. */
  home?: string;
}

/**
 * Where the default embedded database lives: `$VECPG_HOME/default`, else
 * `$XDG_CACHE_HOME/vecpg/default`, else `~/.cache/vecpg/default`.
 *
 * @example
 * defaultDataDir({ home: '/tmp/vecpg' }); // '/tmp/vecpg/default'
 */
export function defaultDataDir(options: { home?: string } = {}, env: NodeJS.ProcessEnv = process.env): string {
  const home =
    options.home ?? (env.VECPG_HOME || undefined) ?? join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vecpg');
  return join(home, 'default');
}

/**
 * The embedded default database used by `npm start` and the CLI when no `DATABASE_URL` is given:
 * a persistent PGlite in {@link defaultDataDir}. Only the first run pays PGlite's cold
 * initialisation (~5 s); later runs open the existing directory. One process at a time: PGlite
 * is not a server, so the directory is locked while open and a second process (or a second open in
 * this one) gets `DATABASE_BUSY` naming the holder; a lock left by a killed process is taken over.
 *
 * @example
 * const db = await openDefaultDatabase();
 * console.log(db.pglite.dataDir);
 */
export async function openDefaultDatabase(options: DefaultDatabaseOptions = {}): Promise<PgliteDb> {
  const { home, ...typeOptions } = options;
  return openPglite({ ...typeOptions, dataDir: defaultDataDir(home === undefined ? {} : { home }) });
}

export type { VectorTypeOids, VectorTypeOptions };
