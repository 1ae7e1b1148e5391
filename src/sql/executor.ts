/**
 * The only thing vecpg's SQL layer needs from a database: run a statement with bound parameters,
 * and run a function inside a transaction on one connection (for `SET LOCAL`).
 * Every driver subpath (`vecpg/pg`, `vecpg/postgres`, `vecpg/pglite`) returns one of these.
 */
export type Row = Record<string, unknown>;

export interface SqlExecutor {
  /** Run one statement; parameters are bound (`$1`, `$2`, …), never spliced into the text. */
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface VecpgDb extends SqlExecutor {
  /** Which driver is underneath. */
  readonly kind: 'pg' | 'postgres' | 'pglite';
  /**
   * Run `fn` in a transaction on a single connection: committed when it resolves, rolled back
   * when it throws. Settings made with `SET LOCAL` inside end with it.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
