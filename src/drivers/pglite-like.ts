/**
 * The part of a PGlite instance the ORM integrations use, typed here rather than imported from
 * `@electric-sql/pglite`: a server-only project type-checking `vecpg/kysely`, `vecpg/knex`,
 * `vecpg/typeorm` or `vecpg/mikro-orm` with `skipLibCheck: false` then needs no PGlite installed.
 * A real `PGlite` (any 0.5 release) fits these shapes; `vecpg/pglite` itself uses PGlite's own types.
 */

/** One statement's result, as PGlite returns it. */
export interface PgliteResultsLike<T = Record<string, unknown>> {
  rows: T[];
  affectedRows?: number;
  /** The command tag's verb (`SELECT`, `INSERT`…), on PGlite releases that report it. */
  command?: string;
  /** The row count of the command tag, on PGlite releases that report it. */
  rowCount?: number;
  fields: Array<{ name: string; dataTypeID: number }>;
}

/** Statements on a PGlite instance or inside one of its transactions. */
export interface PgliteQueryableLike {
  query<T>(query: string, params?: unknown[]): Promise<PgliteResultsLike<T>>;
  exec(query: string): Promise<PgliteResultsLike[]>;
}

/** The `tx` of `pglite.transaction(async (tx) => …)`. */
export interface PgliteTransactionLike extends PgliteQueryableLike {
  rollback(): Promise<void>;
}

/** A PGlite instance (`new PGlite(…)`, `PGlite.create(…)`, `(await openPglite()).pglite`). */
export interface PgliteLike extends PgliteQueryableLike {
  readonly waitReady: Promise<void>;
  readonly closed: boolean;
  close(): Promise<void>;
  transaction<T>(callback: (tx: PgliteTransactionLike) => Promise<T>): Promise<T>;
}
