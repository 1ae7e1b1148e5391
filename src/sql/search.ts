import { VecpgError } from '../errors.ts';
import type { Row, VecpgDb } from './executor.ts';
import { type SimilarityQueryOptions, buildSimilarityQuery } from './query.ts';
import { type SearchSettings, validateSearchSettings, withSearchSettings } from './settings.ts';

/** Options of {@link search}. */
export interface SearchOptions extends Omit<SimilarityQueryOptions, 'annotate' | 'orderBy' | 'k' | 'exact' | 'distanceAlias'> {
  /** How many rows (default 10). */
  k?: number;
  /**
   * Exact by default: the true top-k, whatever indexes the table has. `false` lets PostgreSQL use
   * an HNSW/IVFFlat index (approximate), as does passing `approximate`.
   */
  exact?: boolean;
  /** Ask for an approximate (index) search, with query-time settings applied to this query only. */
  approximate?: SearchSettings;
}

/**
 * Nearest rows to `query`, nearest first, each with its `distance`. Exact unless you ask for
 * `approximate` (or `exact: false`); approximate settings are `SET LOCAL` in a transaction.
 *
 * @example
 * const rows = await search(db, { table: 'items', column: 'embedding', query: [1, 2, 3], distance: 'cosine', k: 5 });
 * const fast = await search(db, { table: 'items', column: 'embedding', query, distance: 'l2', approximate: { efSearch: 100 } });
 */
export async function search<R extends Row = Row>(db: VecpgDb, options: SearchOptions): Promise<Array<R & { distance: number }>> {
  const { approximate, exact: exactOption, k, ...rest } = options;
  if (exactOption === true && approximate !== undefined) {
    throw new VecpgError('INVALID_OPTION', 'exact: true contradicts approximate settings; drop one of them');
  }
  const exact = exactOption ?? approximate === undefined;
  const settings = approximate ?? {};
  const pairs = validateSearchSettings(settings);
  const built = buildSimilarityQuery({ ...rest, annotate: true, orderBy: true, k: k ?? 10, exact, distanceAlias: 'distance' });
  type Out = R & { distance: number };
  // No settings to scope: no transaction needed.
  if (exact || pairs.length === 0) return db.query<Out>(built.text, built.values);
  return withSearchSettings(db, settings, (tx) => tx.query<Out>(built.text, built.values));
}
