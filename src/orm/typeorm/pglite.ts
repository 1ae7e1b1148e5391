/**
 * TypeORM on the embedded PGlite. TypeORM's PostgreSQL driver takes the `pg` module as its
 * `driver` option; {@link pgliteDriver} is a small stand-in for it that sends every query to one
 * PGlite instance. Its pool hands out one connection at a time (PGlite is a single session), so a
 * transaction and its `SET LOCAL` settings never interleave with other queries. Nothing global
 * changes: the object is passed to one DataSource.
 */
import type { PgliteLike, PgliteResultsLike } from '../../drivers/pglite-like.ts';
import type { DataSourceOptions } from 'typeorm';
import { registerPgliteTypesWhenCreated } from '../../drivers/pglite.ts';

type Callback = (error: Error | null, result?: unknown) => void;

/** A `pg` query result, as TypeORM reads it. */
interface PgResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: unknown[];
}

function toPgResult(text: string, result: PgliteResultsLike<unknown>): PgResult {
  const command = (/^\s*([A-Za-z]+)/.exec(text)?.[1] ?? '').toUpperCase();
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length, command, fields: result.fields };
}

/** One PGlite "connection": `query` with pg's three call shapes, and the event methods TypeORM calls. */
class PgliteConnection {
  readonly #pglite: PgliteLike;
  constructor(pglite: PgliteLike) {
    this.#pglite = pglite;
  }

  async #run(text: string, params: unknown[] | undefined): Promise<PgResult | PgResult[]> {
    // A fresh database: pgvector's parsers are registered as soon as a migration created the extension.
    await registerPgliteTypesWhenCreated(this.#pglite);
    if (params && params.length > 0) return toPgResult(text, await this.#pglite.query(text, params));
    // Without parameters pg uses the simple protocol, which allows several statements.
    const results = await this.#pglite.exec(text);
    const out = results.map((r) => toPgResult(text, r));
    return out.length === 1 ? out[0]! : out;
  }

  query(text: string, params?: unknown[] | Callback, callback?: Callback): Promise<unknown> | undefined {
    const cb = typeof params === 'function' ? params : callback;
    const values = typeof params === 'function' ? undefined : params;
    const promise = this.#run(text, values);
    if (!cb) return promise;
    promise.then(
      (r) => cb(null, r),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
    return undefined;
  }

  on(): this {
    return this;
  }

  removeListener(): this {
    return this;
  }
}

/**
 * A `pg`-compatible module backed by one PGlite instance, for TypeORM's `driver` option.
 * Closing the DataSource does not close the PGlite instance: it is yours.
 *
 * @example
 * const pglite = (await openPglite()).pglite;
 * const dataSource = new DataSource({ type: 'postgres', driver: pgliteDriver(pglite), entities: [Document] });
 */
export function pgliteDriver(pglite: PgliteLike): { Pool: new (options?: unknown) => object } {
  const connection = new PgliteConnection(pglite);
  let queue: Promise<void> = Promise.resolve();

  class Pool {
    totalCount = 1;
    idleCount = 1;
    waitingCount = 0;

    on(): this {
      return this;
    }

    /** Hand out the connection once the previous holder released it. */
    connect(
      callback: (error: Error | null, client: PgliteConnection, release: (error?: unknown) => void) => void,
    ): void {
      let release!: () => void;
      const turn = new Promise<void>((resolve) => {
        release = resolve;
      });
      const previous = queue;
      queue = previous.then(() => turn);
      this.waitingCount++;
      void previous.then(() => {
        this.waitingCount--;
        let released = false;
        callback(null, connection, () => {
          if (released) return;
          released = true;
          release();
        });
      });
    }

    end(callback?: (error?: Error) => void): Promise<void> | undefined {
      if (callback) {
        callback();
        return undefined;
      }
      return Promise.resolve();
    }
  }
  return { Pool };
}

/**
 * DataSource options for TypeORM on PGlite: the `postgres` type with {@link pgliteDriver}; add
 * your entities, `synchronize`, `migrations`…
 *
 * @example
 * const dataSource = registerVectorTypes(new DataSource({ ...pgliteOptions(pglite), entities: [Document] }));
 */
export function pgliteOptions(pglite: PgliteLike): DataSourceOptions {
  return { type: 'postgres', driver: pgliteDriver(pglite) };
}
