/**
 * The one search contract. `search()`, every ORM helper, Prisma's `nearest` and `vecpg search` hand their
 * options to {@link validateSearchOptions} before any statement runs, so the same bad option gives the
 * same `VecpgError` (code and message) whichever integration it came through.
 */
import { VecpgError, describeValue, optionHintText } from '../errors.ts';
import { type SearchFilter, filterSql } from './filters.ts';
import { type DistanceName, checkDistance } from './operators.ts';
import { type SearchSettings, validateSearchSettings } from './settings.ts';

/** How many rows a search returns when neither `k` nor `maxDistance` is given. */
export const DEFAULT_K = 10;

/**
 * The options every integration shares, as the caller gave them (unchecked). `filters` are the core
 * `where` (see `filterSql`); an ORM's own where builder is its business and is not passed here.
 */
export interface SearchContract {
  distance: unknown;
  k?: unknown;
  maxDistance?: unknown;
  offset?: unknown;
  exact?: unknown;
  approximate?: unknown;
  certified?: unknown;
  /** The core `where` (checked by building it with `filterSql`). */
  filters?: unknown;
  /** Whether `exact: 'certified'` is offered (core `search()` and the CLI). */
  allowCertified?: boolean;
}

/**
 * What an integration calls its options when its host's idiom names them differently (Prisma: `take`,
 * `skip`, `distance.lt`). Messages name the option as the caller wrote it.
 */
export interface SearchOptionNames {
  k?: string;
  offset?: string;
  maxDistance?: string;
}

/** The contract, checked. */
export interface ValidSearch {
  distance: DistanceName;
  /** `k` as given (`undefined` when not). */
  k: number | undefined;
  /** The LIMIT: {@link searchLimit} of `k` and `maxDistance`. */
  limit: number | undefined;
  maxDistance: number | undefined;
  offset: number | undefined;
  /** Exact (true top-k) or approximate (the index serves the query). `'certified'` is exact too. */
  exact: boolean;
  certified: boolean;
  /** The approximate settings (`{}` when exact), already validated. */
  settings: SearchSettings;
}

/**
 * Check the shared search options, in one order, with one set of messages:
 * - `distance`: one of pgvector's six;
 * - `k`: a safe integer >= 1 (default {@link DEFAULT_K}; none with `maxDistance` and no `k`);
 * - `maxDistance`: a finite number, and >= 0 for every distance but `ip` (pgvector's `<#>` is the
 *   negative inner product, so any real is meaningful there; cosine distances lie in [0, 2], the others
 *   are never negative);
 * - `offset`: a safe integer >= 0;
 * - `filters` (the core `where`): known operators, values of a bindable kind, well-formed `sqlFilter`s;
 * - `exact` / `approximate` / `certified`: exact unless `approximate` settings or `exact: false`;
 *   `exact: true` with settings is a contradiction; settings are checked by `validateSearchSettings`;
 *   `certified` options need `exact: 'certified'`, which plain vector searches offer (`search()`, every
 *   ORM's `vectorSearch` / Prisma's `nearest`, the CLI) and hybrid and two-stage search do not.
 * Throws INVALID_OPTION naming the option and the bad value.
 *
 * @example
 * validateSearchOptions({ distance: 'cosine', k: 5 }); // { distance: 'cosine', k: 5, limit: 5, exact: true, … }
 * validateSearchOptions({ distance: 'l2', k: 0 });     // throws INVALID_OPTION: k must be an integer >= 1, got 0
 */
export function validateSearchOptions(options: SearchContract, names: SearchOptionNames = {}): ValidSearch {
  const distance = checkDistance(options.distance);
  const k = options.k === undefined ? undefined : checkSearchCount(names.k ?? 'k', options.k, 1);
  const maxDistance =
    options.maxDistance === undefined
      ? undefined
      : checkDistanceBound(names.maxDistance ?? 'maxDistance', options.maxDistance, distance, true);
  const offset =
    options.offset === undefined ? undefined : checkSearchCount(names.offset ?? 'offset', options.offset, 0);
  const certified = options.exact === 'certified';
  if (certified && options.allowCertified !== true) {
    throw new VecpgError(
      'UNSUPPORTED',
      "exact: 'certified' is a mode of a plain vector search (search(), each ORM's vectorSearch or nearest, vecpg search --certified), not of this call",
      {
        details: { option: 'exact' },
      },
    );
  }
  if (options.exact !== undefined && typeof options.exact !== 'boolean' && !certified) {
    throw new VecpgError(
      'INVALID_OPTION',
      `exact must be true or false${options.allowCertified === true ? " or 'certified'" : ''}, got ${describeValue(options.exact)}`,
      { details: { option: 'exact' } },
    );
  }
  if (!certified && options.certified !== undefined) {
    throw new VecpgError('INVALID_OPTION', "certified options need exact: 'certified'", {
      details: { option: 'certified' },
    });
  }
  if (options.filters !== undefined) filterSql(options.filters as SearchFilter, () => '$0');
  const { exact, settings } = searchMode({
    exact: certified ? true : (options.exact as boolean | undefined),
    approximate: options.approximate as SearchSettings | undefined,
  });
  return { distance, k, limit: searchLimit(k, maxDistance), maxDistance, offset, exact, certified, settings };
}

/**
 * A count option (`k`, `offset`, Prisma's `take` / `skip`): a safe integer >= `min`.
 *
 * @example
 * checkSearchCount('k', 5, 1); // 5
 */
export function checkSearchCount(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const hint = { option: name, text: `{option} must be an integer >= ${min}` };
    throw new VecpgError('INVALID_OPTION', `${optionHintText(hint)}, got ${describeValue(value)}`, {
      details: { option: name },
      hint,
    });
  }
  return value;
}

/**
 * A bound on a distance (`maxDistance`, Prisma's `distance: { lt, lte, gt, gte }`): a finite number; an
 * upper bound is also >= 0 unless the distance can be negative (`ip`).
 *
 * @example
 * checkDistanceBound('maxDistance', 0.2, 'cosine', true); // 0.2
 * checkDistanceBound('maxDistance', -5, 'ip', true);      // -5 (inner-product distances are negative)
 */
export function checkDistanceBound(name: string, value: unknown, distance: DistanceName, upper: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const hint = { option: name, text: '{option} must be a finite number' };
    throw new VecpgError('INVALID_OPTION', `${optionHintText(hint)}, got ${describeValue(value)}`, {
      details: { option: name },
      hint,
    });
  }
  if (upper && value < 0 && distance !== 'ip') {
    const hint = { option: name, text: `{option} must be >= 0 for ${distance} distance (it is never negative)` };
    throw new VecpgError('INVALID_OPTION', `${optionHintText(hint)}, got ${describeValue(value)}`, {
      details: { option: name },
      hint,
    });
  }
  return value;
}

/**
 * The LIMIT of a search, the same way for `search()`, every ORM helper and `vecpg search`: `k` when
 * given (an integer >= 1); otherwise {@link DEFAULT_K}, except with a `maxDistance`, where it is
 * `undefined` (no LIMIT: every row under the threshold, as Django's `filter(distance__lt=…)`).
 *
 * @example
 * searchLimit(undefined, undefined); // 10
 * searchLimit(undefined, 0.2);       // undefined: all rows closer than 0.2
 * searchLimit(5, 0.2);               // 5
 */
export function searchLimit(k: unknown, maxDistance: unknown): number | undefined {
  if (k === undefined) return maxDistance === undefined ? DEFAULT_K : undefined;
  return checkSearchCount('k', k, 1);
}

/**
 * Exact or approximate, the same way for `search()` and every ORM helper: exact unless `approximate`
 * settings are given or `exact: false`; `exact: true` with settings is a contradiction. Settings are
 * validated here, before any statement runs.
 *
 * @example
 * searchMode({ approximate: { efSearch: 100 } }); // { exact: false, settings: { efSearch: 100 } }
 */
export function searchMode(options: { exact?: boolean | undefined; approximate?: SearchSettings | undefined }): {
  exact: boolean;
  settings: SearchSettings;
} {
  if (options.exact === true && options.approximate !== undefined) {
    throw new VecpgError('INVALID_OPTION', 'exact: true contradicts approximate settings; drop one of them', {
      details: { option: 'exact' },
    });
  }
  const settings = options.approximate ?? {};
  validateSearchSettings(settings);
  return { exact: options.exact ?? options.approximate === undefined, settings };
}
