/**
 * The only thing vecpg's SQL layer needs from a database: run a statement with bound parameters,
 * and run a function inside a transaction on one connection (for `SET LOCAL`).
 * Every driver subpath (`vecpg/pg`, `vecpg/postgres`, `vecpg/pglite`) returns one of these.
 */
import { VecpgError } from '../errors.ts';

export type Row = Record<string, unknown>;

/** A statement with bound parameters. */
export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

export interface SqlExecutor {
  /** Run one statement; parameters are bound (`$1`, `$2`, …), never spliced into the text. */
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Set by drivers that can ask for individual result columns in binary (vecpg's PGlite driver): like
   * `query`, but the columns at these 0-based positions arrive as the raw bytes of their type's send
   * function (`Uint8Array`). vecpg's search helpers read vector columns this way when it is there.
   */
  queryBinaryColumns?: BinaryColumnsQuery;
}

/** See {@link SqlExecutor.queryBinaryColumns}. */
export type BinaryColumnsQuery = <R extends Row = Row>(
  text: string,
  params: readonly unknown[],
  binaryColumns: readonly number[],
) => Promise<R[]>;

/**
 * How a driver returns vector columns (the options its row parsers were registered with), so that
 * vecpg's fast paths return exactly the same values.
 *
 * @example
 * const output: VectorOutput = { dense: 'array', bit: 'string' };
 */
export interface VectorOutput {
  /** `vector` / `halfvec` as `number[]` (default), `Float32Array`, or `Vector` / `HalfVector`. */
  dense?: 'array' | 'float32' | 'class';
  /** `bit` as a `'0101'` string (default) or a `Bit`. */
  bit?: 'string' | 'class';
}

export interface VecpgDb extends SqlExecutor {
  /** Which driver is underneath. */
  readonly kind: 'pg' | 'postgres' | 'pglite';
  /**
   * The driver sends a `Uint8Array` parameter in binary format, so vecpg's own statements bind vectors
   * in pgvector's binary send format (`toBinary()`). Absent or false: text parameters.
   */
  readonly binaryParams?: boolean;
  /**
   * Set by vecpg's drivers: how they return vector columns. When present, vecpg's search helpers read
   * the vector columns you list in `select` as binary (`vector_send(col)`) and decode them to the same
   * values. Absent: text, parsed by the driver.
   */
  readonly vectorOutput?: VectorOutput;
  /**
   * Run `fn` in a transaction on a single connection: committed when it resolves, rolled back
   * when it throws. Settings made with `SET LOCAL` inside end with it.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

/**
 * `db`, refusing every new statement once `signal` aborts (CANCELLED), its transactions' statements included.
 * For work made of many statements (`recall`, the CLI's commands): it stops before the next one, since the
 * abort may come while none is running, when a cancel would find nothing to stop. A statement already sent
 * runs to its end; a transaction's own rollback is not refused.
 *
 * @example
 * const guarded = refuseAfterAbort(db, controller.signal);
 */
export function refuseAfterAbort(db: VecpgDb, signal: AbortSignal): VecpgDb {
  const check = (): void => {
    if (signal.aborted) throw new VecpgError('CANCELLED', 'interrupted: no further statement is sent');
  };
  const guard = <E extends SqlExecutor>(executor: E): E => ({
    ...executor,
    async query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
      check();
      return executor.query<R>(text, params);
    },
    ...(executor.queryBinaryColumns === undefined
      ? {}
      : {
          async queryBinaryColumns<R extends Row = Row>(
            text: string,
            params: readonly unknown[],
            binaryColumns: readonly number[],
          ): Promise<R[]> {
            check();
            return executor.queryBinaryColumns!<R>(text, params, binaryColumns);
          },
        }),
  });
  return {
    ...guard(db),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      check();
      return db.transaction((tx) => fn(guard(tx)));
    },
  };
}
