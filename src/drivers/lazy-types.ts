/**
 * Registering pgvector's types without requiring the extension up front. Wrapping a connection on a
 * fresh database must work (the first thing a user runs through it is often `CREATE EXTENSION`), so
 * the drivers look the types up when they wrap, and while the extension is still missing, again
 * before each statement until it appears — whether it was created through this connection, a
 * migration tool or another client. Once found, the lookups stop: the cost is one catalog query per
 * statement only while the database has no pgvector.
 */
import { isVecpgError } from '../errors.ts';
import type { Row } from '../sql/executor.ts';
import { VECTOR_TYPES_SQL, type TypeRow, type VectorTypeOids, oidsFromRows } from './vector-types.ts';

/** Runs the lookup statement on some connection (the one the next statement will use, when it matters). */
export type LookupRunner = (text: string) => Promise<readonly Row[]>;

/**
 * The type OIDs of one database connection (or pool, or PGlite instance), found lazily. `apply` installs
 * the parsers once the OIDs are known.
 *
 * @example
 * const types = new LazyTypes((oids) => install(oids));
 * await types.ensure((text) => run(pool, text));
 */
export class LazyTypes {
  #oids: VectorTypeOids | undefined;
  #inflight: Promise<VectorTypeOids | undefined> | undefined;
  readonly #apply: (oids: VectorTypeOids) => void | Promise<void>;

  constructor(apply: (oids: VectorTypeOids) => void | Promise<void>) {
    this.#apply = apply;
  }

  /** The OIDs, once the extension was found. */
  get oids(): VectorTypeOids | undefined {
    return this.#oids;
  }

  /**
   * Look the types up unless already found; undefined while the extension is missing. Concurrent
   * calls share one lookup. Errors other than a missing extension (no connection…) propagate.
   */
  async ensure(run: LookupRunner): Promise<VectorTypeOids | undefined> {
    if (this.#oids !== undefined) return this.#oids;
    this.#inflight ??= (async () => {
      try {
        const oids = oidsFromRows((await run(VECTOR_TYPES_SQL)) as TypeRow[]);
        await this.#apply(oids);
        this.#oids = oids;
        return oids;
      } catch (error) {
        if (isVecpgError(error) && error.code === 'EXTENSION_MISSING') return undefined;
        throw error;
      } finally {
        this.#inflight = undefined;
      }
    })();
    return this.#inflight;
  }

  /**
   * Before a statement: look up while the types are unknown. A lookup that fails (an aborted
   * transaction, a lost connection) is ignored here: the statement itself reports the real error.
   */
  async beforeStatement(run: LookupRunner): Promise<void> {
    if (this.#oids !== undefined) return;
    await this.ensure(run).catch(() => undefined);
  }

  /** Forget the OIDs (e.g. the transaction that created the extension rolled back). */
  reset(): void {
    this.#oids = undefined;
  }
}
