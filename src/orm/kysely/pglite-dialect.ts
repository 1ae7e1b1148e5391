/**
 * A Kysely dialect for embedded PostgreSQL (PGlite), so Kysely and vecpg work with no server.
 * Queries go to the PGlite instance; a Kysely transaction is a PGlite transaction, which holds
 * PGlite's transaction lock so no other query of the instance runs inside it.
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { registerPgliteTypesWhenCreated } from '../../drivers/pglite.ts';
import type { PgliteLike, PgliteTransactionLike } from '../../drivers/pglite-like.ts';
import { VecpgError } from '../../errors.ts';

/** Options of {@link PgliteDialect}. */
export interface PgliteDialectOptions {
  /** The PGlite instance, e.g. `(await openPglite()).pglite` from `vecpg/pglite` (its pgvector parsers registered). */
  pglite: PgliteLike;
  /** Close the instance on `db.destroy()` (default false: whoever opened it closes it). */
  closeOnDestroy?: boolean;
}

const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PgliteConnection implements DatabaseConnection {
  readonly #pglite: PgliteLike;
  #tx: PgliteTransactionLike | undefined;
  #finish: ((commit: boolean) => void) | undefined;
  #done: Promise<unknown> | undefined;

  constructor(pglite: PgliteLike) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    // A fresh database: pgvector's parsers are registered as soon as a migration created the extension
    // (looked up outside transactions: the lookup needs the instance, which a transaction holds).
    if (!this.#tx) await registerPgliteTypesWhenCreated(this.#pglite);
    const target = this.#tx ?? this.#pglite;
    const result = await target.query<R>(compiled.sql, [...compiled.parameters]);
    const command = result.command?.toUpperCase();
    if (command !== undefined && WRITE_COMMANDS.has(command)) {
      return { rows: result.rows, numAffectedRows: BigInt(result.affectedRows ?? result.rowCount ?? 0) };
    }
    return { rows: result.rows };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    yield await this.executeQuery<R>(compiled);
  }

  async begin(settings: TransactionSettings): Promise<void> {
    if (this.#tx) throw new VecpgError('UNSUPPORTED', 'a PGlite connection is already in a transaction');
    const finished = new Promise<boolean>((resolve) => {
      this.#finish = resolve;
    });
    let started: (tx: PgliteTransactionLike) => void = () => {};
    const ready = new Promise<PgliteTransactionLike>((resolve) => {
      started = resolve;
    });
    const done = this.#pglite.transaction(async (tx) => {
      started(tx);
      if (!(await finished)) await tx.rollback();
    });
    this.#done = done;
    this.#tx = await Promise.race([
      ready,
      done.then(() => {
        throw new VecpgError('QUERY_FAILED', 'the PGlite transaction ended before it started');
      }),
    ]);
    const parts: string[] = [];
    if (settings.isolationLevel) parts.push(`ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}`);
    if (settings.accessMode) parts.push(settings.accessMode.toUpperCase());
    if (parts.length > 0) await this.#tx.query(`SET TRANSACTION ${parts.join(', ')}`);
  }

  async end(commit: boolean): Promise<void> {
    const done = this.#done;
    this.#finish?.(commit);
    this.#tx = undefined;
    this.#finish = undefined;
    this.#done = undefined;
    await done;
  }
}

class PgliteDriver implements Driver {
  readonly #options: PgliteDialectOptions;

  constructor(options: PgliteDialectOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    await this.#options.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgliteConnection(this.#options.pglite);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as PgliteConnection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).end(true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PgliteConnection).end(false);
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    if (this.#options.closeOnDestroy && !this.#options.pglite.closed) await this.#options.pglite.close();
  }
}

/**
 * Kysely on embedded PGlite. Use an instance with pgvector loaded and its parsers registered —
 * `openPglite()` from `vecpg/pglite` does both — so vectors read back as `number[]` and sparse
 * vectors as `SparseVector`.
 *
 * @example
 * const { pglite } = await openPglite();
 * const db = new Kysely<Database>({ dialect: new PgliteDialect({ pglite }), plugins: [new PgvectorPlugin()] });
 */
export class PgliteDialect implements Dialect {
  readonly #options: PgliteDialectOptions;

  constructor(options: PgliteDialectOptions) {
    this.#options = options;
  }

  createDriver(): Driver {
    return new PgliteDriver(this.#options);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
