/**
 * What an ORM's `vectorSearch` checks before handing `rerank` or `exact: 'certified'` to the core, beyond
 * the one search contract (`validateSearchOptions`) and the core's own rerank and certified checks: the
 * combinations the two searches do not take, with one message whichever ORM they came through.
 */
import { VecpgError } from '../errors.ts';
import type { ValidSearch } from '../sql/search-options.ts';

/**
 * Throw for options that a two-stage or certified search would otherwise ignore: `rerank` with
 * `exact: true` / `'certified'`, `likeId` or `maxDistance`; `likeId` with either; and the host options
 * (`unsupported`, e.g. `modify`) that shape a query builder these searches do not use.
 *
 * @example
 * checkCoreSearch({ rerank: { using: 'binary' }, exact: true }, valid, []); // throws INVALID_OPTION (exact)
 */
export function checkCoreSearch(
  options: { rerank?: unknown; exact?: unknown; likeId?: unknown; maxDistance?: unknown },
  valid: ValidSearch,
  unsupported: readonly string[],
): void {
  const what = options.rerank !== undefined ? 'rerank' : "exact: 'certified'";
  if (options.rerank !== undefined && (options.exact === true || valid.certified)) {
    throw new VecpgError(
      'INVALID_OPTION',
      `rerank takes its candidates from a quantized index (approximate), which contradicts exact: ${String(options.exact === true ? true : "'certified'")}; drop one of them`,
      { details: { option: 'exact' } },
    );
  }
  if (options.likeId !== undefined) {
    throw new VecpgError('UNSUPPORTED', `${what} needs the query vector itself; likeId is not supported`, {
      details: { option: 'likeId' },
    });
  }
  if (options.rerank !== undefined && options.maxDistance !== undefined) {
    throw new VecpgError('UNSUPPORTED', 'rerank returns the k best candidates; maxDistance is not supported with it', {
      details: { option: 'maxDistance' },
    });
  }
  for (const option of unsupported) {
    throw new VecpgError('UNSUPPORTED', `${option} is not applied to a ${what} search (its statement is vecpg's)`, {
      details: { option },
    });
  }
}
