/**
 * One connection in one transaction, able to run statements and a binary `COPY … FROM STDIN`:
 * through pg-copy-streams on node-postgres (streamed, with backpressure), through `/dev/blob`
 * on PGlite (one COPY per chunk, all inside the same transaction). On node-postgres also a
 * `COPY … TO STDOUT`, read off the socket by src/io/pg-copy-out.ts.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client, Pool, PoolClient, Submittable } from 'pg';
import { importDriver } from '../drivers/optional-import.ts';
import type { PgliteLike, PgliteResultsLike } from '../drivers/pglite-like.ts';
import { queryFailed } from '../drivers/query-error.ts';
import type { Row } from '../sql/executor.ts';
import { COPY_HEADER, COPY_TRAILER } from './copy.ts';
import { type CopyOutSink, PgCopyOut } from './pg-copy-out.ts';

/**
 * The part of a node-postgres `Client` or `PoolClient` that `load` and `exportTable` use (typed
 * here, not imported from `pg`, so `vecpg/load` type-checks without `@types/pg` or PGlite).
 */
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** A node-postgres `Pool`, as far as `load` and `exportTable` use it. */
export interface PgPoolLike {
  connect(): Promise<PgClientLike & { release(error?: Error | boolean): void }>;
}

/** A PGlite instance, as far as `load` and `exportTable` use it (a blob for `COPY … FROM '/dev/blob'`). */
export interface PgliteLoadTarget extends Pick<PgliteLike, 'query' | 'exec'> {
  transaction<T>(
    callback: (tx: {
      query<R>(query: string, params?: unknown[], options?: { blob?: Blob }): Promise<PgliteResultsLike<R>>;
    }) => Promise<T>,
  ): Promise<T>;
}

/**
 * A postgres.js `sql`, as far as a session uses it: `begin` for the transaction, `unsafe` for statements
 * and for `COPY … FROM STDIN` (its `writable()` stream).
 */
export interface PostgresJsLike {
  begin<T>(fn: (tx: PostgresJsTx) => Promise<T>): Promise<unknown>;
}
interface PostgresJsTx {
  unsafe(
    text: string,
    params?: never[],
  ): PromiseLike<Iterable<unknown>> & { writable(): Promise<NodeJS.WritableStream> };
}

/** What `load` and `exportTable` run on: a node-postgres Pool or Client, a PGlite, or a `vecpg/pglite` db. */
export type LoadTarget = PgPoolLike | PgClientLike | PgliteLoadTarget | { readonly pglite: PgliteLoadTarget };

/**
 * A session's target: a `LoadTarget` or a postgres.js `sql`. postgres.js 3.4 never settles a COPY's
 * stream when the server refuses the data at its end (a constraint, a bad value): the error goes to a
 * query already resolved with the stream. So only `bulkInsert` runs on it, through a staging table
 * whose COPY cannot be refused (see bulk-insert.ts); `load` and `exportTable` stay on pg and PGlite.
 */
export type SessionTarget = LoadTarget | PostgresJsLike;

export interface Session {
  readonly kind: 'pg' | 'pglite' | 'postgres';
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Run `COPY … FROM STDIN (FORMAT binary)` (pg) or `FROM '/dev/blob'` (PGlite) with the tuple
   * bytes of `chunks`; header and trailer are added here. `copySql(source)` builds the statement.
   */
  /**
   * Stream a COPY … FROM. When `signal` aborts, the client ends the COPY itself (a CopyFail message on the
   * server drivers), so the server rolls it back at once even while the input is stalled.
   */
  copyIn(copySql: (source: string) => string, chunks: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void>;
  /**
   * Asked by `chunks` of a running `copyIn` while it makes its next chunk: true when the driver holds none
   * of the chunks handed over so far (all written to the socket, or copied), so their memory may be reused;
   * false when that cannot be told.
   */
  copyDrained(): boolean;
  /**
   * Run `COPY … TO STDOUT`, handing the data to `sink` as it comes off the socket (see {@link CopyOutSink}).
   * Only on node-postgres; the other sessions have none. When `signal` aborts, the connection is closed
   * (the server cannot be stopped mid-COPY from it) and never returned to a pool.
   */
  copyOut?(text: string, sink: CopyOutSink, signal?: AbortSignal): Promise<void>;
}

function pgliteOf(target: SessionTarget): PgliteLoadTarget | undefined {
  if ('pglite' in target && typeof target.pglite === 'object') return target.pglite;
  const t = target as Partial<PgliteLoadTarget> & { dumpDataDir?: unknown };
  return typeof t.transaction === 'function' && typeof t.exec === 'function' && typeof t.dumpDataDir === 'function'
    ? (target as PgliteLoadTarget)
    : undefined;
}

function isPool(target: Pool | Client | PoolClient): target is Pool {
  return typeof (target as Partial<Client>).setTypeParser !== 'function';
}

/**
 * Run `fn` in a transaction on one connection of `target`: committed when it resolves, rolled
 * back when it throws (or always, with `rollback: true`, for dry runs).
 *
 * @example
 * await withSession(pool, async (s) => s.query('SELECT 1'));
 */
export async function withSession<T>(
  target: SessionTarget,
  fn: (session: Session) => Promise<T>,
  options: { rollback?: boolean } = {},
): Promise<T> {
  const pglite = pgliteOf(target);
  if (pglite !== undefined) return withPglite(pglite, fn, options.rollback ?? false);
  if (isPostgresJs(target)) return withPostgresJs(target, fn, options.rollback ?? false);
  return withPg(target as unknown as Pool | Client | PoolClient, fn, options.rollback ?? false);
}

class Rollback<T> {
  constructor(readonly value: T) {}
}

async function withPglite<T>(
  pglite: PgliteLoadTarget,
  fn: (session: Session) => Promise<T>,
  rollback: boolean,
): Promise<T> {
  try {
    return await pglite.transaction(async (tx) => {
      const run = async <R extends Row>(text: string, params?: readonly unknown[], blob?: Blob): Promise<R[]> => {
        try {
          const result = await tx.query<R>(
            text,
            params === undefined ? [] : [...params],
            blob === undefined ? {} : { blob },
          );
          return result.rows;
        } catch (error) {
          throw queryFailed(error, text);
        }
      };
      const session: Session = {
        kind: 'pglite',
        query: (text, params) => run(text, params),
        async copyIn(copySql, chunks, signal) {
          const text = copySql("'/dev/blob'");
          for await (const chunk of abortable(chunks, signal)) {
            if (chunk.length === 0) continue;
            await run(text, [], new Blob([COPY_HEADER, chunk, COPY_TRAILER]));
          }
        },
        // A Blob copies its parts, and each chunk's COPY has ended before the next chunk is made.
        copyDrained: () => true,
      };
      const value = await fn(session);
      // Rollback is a sentinel carrying the result through the driver's transaction, caught just below.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (rollback) throw new Rollback(value);
      return value;
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
}

function isPostgresJs(target: SessionTarget): target is PostgresJsLike {
  const t = target as Partial<{ begin: unknown; unsafe: unknown }>;
  return typeof target === 'function' && typeof t.begin === 'function' && typeof t.unsafe === 'function';
}

async function withPostgresJs<T>(
  sql: PostgresJsLike,
  fn: (session: Session) => Promise<T>,
  rollback: boolean,
): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await sql.begin(async (tx) => {
      const run = async <R extends Row>(text: string, params?: readonly unknown[]): Promise<R[]> => {
        try {
          return [...(await tx.unsafe(text, (params ?? []) as never[]))] as R[];
        } catch (error) {
          throw queryFailed(error, text);
        }
      };
      const session: Session = {
        kind: 'postgres',
        query: run,
        async copyIn(copySql, chunks, signal) {
          const text = copySql('STDIN');
          try {
            await copyInto(withHeader(chunks), await tx.unsafe(text).writable(), signal);
          } catch (error) {
            throw queryFailed(error, text);
          }
        },
        copyDrained: () => false,
      };
      result = { value: await fn(session) };
      // Rollback is a sentinel carrying the result through the driver's transaction, caught just below.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (rollback) throw new Rollback(result.value);
    });
  } catch (error) {
    if (error instanceof Rollback) return error.value as T;
    throw error;
  }
  if (result === undefined) throw new Error('postgres.js begin() returned without running the session');
  return result.value;
}

/**
 * Stream the COPY data into the server's COPY stream, and fail as soon as the server does. `pipeline` alone
 * waits for the source to finish too, and a source blocked on a read (a pipe or FIFO that is not closed, a
 * slow disk) would hold a failed COPY until its next byte arrives. The server cannot help either: a backend
 * waiting for COPY data acts on a cancel request only when data comes. So an abort destroys the COPY stream,
 * which sends CopyFail: the server rolls the COPY back at once and the stream fails with its error.
 */
async function copyInto(
  source: AsyncIterable<Uint8Array>,
  destination: NodeJS.WritableStream & { destroy?: (error?: Error) => void },
  signal: AbortSignal | undefined,
): Promise<void> {
  signal?.throwIfAborted();
  let onError: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onError = reject;
    destination.once('error', reject);
  });
  const abort = (): void => destination.destroy?.(new Error('COPY interrupted by the client'));
  signal?.addEventListener('abort', abort, { once: true });
  const piped = pipeline(source, destination);
  piped.catch(() => undefined); // its error, if any, is the destination's, reported by the race
  try {
    await Promise.race([piped, failed]);
  } finally {
    destination.removeListener('error', onError);
    signal?.removeEventListener('abort', abort);
  }
}

/** The chunks until `signal` aborts: then the pending read is abandoned and the abort reason thrown. */
async function* abortable(
  chunks: AsyncIterable<Uint8Array>,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  if (signal === undefined) return yield* chunks;
  signal.throwIfAborted();
  const it = chunks[Symbol.asyncIterator]();
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const r = await Promise.race([it.next(), aborted]);
      if (r.done === true) return;
      yield r.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    void it.return?.()?.catch(() => undefined);
  }
}

async function* withHeader(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield COPY_HEADER;
  for await (const chunk of chunks) if (chunk.length > 0) yield chunk;
  yield COPY_TRAILER;
}

async function withPg<T>(
  target: Pool | Client | PoolClient,
  fn: (session: Session) => Promise<T>,
  rollback: boolean,
): Promise<T> {
  const pooled = isPool(target);
  const client = pooled ? await target.connect() : target;
  let broken: Error | undefined;
  // A connection lost mid-COPY also emits 'error' on the client; without a listener that would crash the process.
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  let copying: Writable | undefined;
  const run = async <R extends Row>(text: string, params?: readonly unknown[]): Promise<R[]> => {
    try {
      return (await client.query<R>(text, params === undefined ? undefined : [...params])).rows;
    } catch (error) {
      throw queryFailed(error, text);
    }
  };
  try {
    await run('BEGIN');
    const session: Session = {
      kind: 'pg',
      query: run,
      async copyIn(copySql, chunks, signal) {
        const { from } = await importDriver<typeof import('pg-copy-streams')>('pg-copy-streams', 'vecpg/load');
        const text = copySql('STDIN');
        try {
          copying = client.query(from(text));
          await copyInto(withHeader(chunks), copying, signal);
        } catch (error) {
          throw queryFailed(error, text);
        } finally {
          copying = undefined;
        }
      },
      // While `chunks` runs, the pipeline has written every earlier chunk to the COPY stream. That stream
      // has passed them all to the socket when nothing is buffered in it (a write counts until its callback),
      // and the socket has handed them to the kernel when nothing is buffered in it either.
      copyDrained: () =>
        copying !== undefined && copying.writableLength === 0 && socketOf(client)?.writableLength === 0,
      async copyOut(text, sink, signal) {
        const copy = new PgCopyOut(text, sink, signal);
        // query() queues the submittable and returns it; `done` says how it went. (Typed through `unknown`:
        // its `submit` takes node-postgres's connection by the shape it uses, not @types/pg's Connection.)
        client.query(copy as unknown as Submittable);
        try {
          await copy.done;
        } catch (error) {
          if (signal?.aborted === true) {
            // The socket is closed: the connection must not go back to a pool, and ending the client says
            // the close was wanted (node-postgres then emits no 'error' for it). The abort's reason is the error.
            broken ??= error instanceof Error ? error : new Error(String(error));
            client.end().catch(() => undefined);
            throw error;
          }
          throw queryFailed(error, text);
        }
      },
    };
    let value: T;
    try {
      value = await fn(session);
    } catch (error) {
      // A closed connection answers nothing: ROLLBACK would wait for it in vain.
      if (broken !== undefined) throw error;
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken = e instanceof Error ? e : new Error(String(e));
      });
      throw error;
    }
    await run(rollback ? 'ROLLBACK' : 'COMMIT');
    return value;
  } catch (error) {
    broken ??= isConnectionError(error) ? new Error('connection lost') : undefined;
    throw error;
  } finally {
    client.removeListener('error', onError);
    if (pooled) (client as PoolClient).release(broken);
  }
}

/** node-postgres's socket (`client.connection.stream`, not part of its typings), if it has one. */
function socketOf(client: object): { readonly writableLength: number } | undefined {
  const stream = (client as { connection?: { stream?: { writableLength?: unknown } } }).connection?.stream;
  return typeof stream?.writableLength === 'number' ? (stream as { writableLength: number }) : undefined;
}

function isConnectionError(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  return code === '57P01' || code === 'ECONNRESET' || code === 'EPIPE' || code === '08006';
}
