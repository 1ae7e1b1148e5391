/**
 * The two search modes every ORM's `vectorSearch` adds on top of its own exact / approximate query:
 * two-stage (`rerank`: quantized candidates, exact re-rank) and certified exact (`exact: 'certified'`).
 * Each ORM compiles its host's `where` to a `sqlFilter` and hands the rest to the core (`rerankSearch`,
 * `search`), so the statements, their checks and their messages are the core's; this file only decides
 * which mode the options ask for and refuses the combinations the core does not offer.
 */
import { VecpgError, describeValue } from '../errors.ts';
import type { CreateIndexOptions } from '../sql/ddl.ts';
import type { SearchFilter } from '../sql/filters.ts';
import type { QualifiedName } from '../sql/identifiers.ts';
import type { DistanceName, VectorType } from '../sql/operators.ts';
import type { VectorInput } from '../sql/params.ts';
import type { Row, VecpgDb } from '../sql/executor.ts';
import type { CertifiedRows, CertifiedSearchOptions } from '../sql/certified-search.ts';
import { type QuantizedForm, type RerankOptions, quantizedExpression, rerankSearch } from '../sql/rerank.ts';
import { search } from '../sql/search.ts';
import { type ValidSearch, validateSearchOptions } from '../sql/search-options.ts';
import type { SearchSettings } from '../sql/settings.ts';

/** What the ORM helpers' options add for the two modes. */
export interface SearchModeOptions {
  /** Two-stage search: candidates from a quantized index, re-ranked exactly (see docs/two-stage-search.md). */
  rerank?: RerankOptions;
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
}

/** The mode an ORM search runs in, with the shared contract checked. */
export type SearchModeOf = { mode: 'plain' | 'rerank' | 'certified'; valid: ValidSearch };

/**
 * Check the shared contract (`validateSearchOptions`, certified allowed) and pick the mode. `rerank` is a
 * search of its own: it takes neither `exact` (the candidate stage is approximate, the re-rank exact),
 * `maxDistance`, `offset` nor `likeId`; `exact: 'certified'` takes no `likeId` (the core's rule).
 *
 * @example
 * searchModeOf({ distance: 'l2', k: 5, rerank: { using: 'binary' } }).mode; // 'rerank'
 */
export function searchModeOf(
  options: {
    distance: unknown;
    k?: unknown;
    maxDistance?: unknown;
    offset?: unknown;
    exact?: unknown;
    approximate?: unknown;
    certified?: unknown;
    rerank?: unknown;
    likeId?: unknown;
  },
  names: { k?: string; offset?: string; maxDistance?: string } = {},
): SearchModeOf {
  const valid = validateSearchOptions(
    {
      distance: options.distance,
      k: options.k,
      maxDistance: options.maxDistance,
      offset: options.offset,
      exact: options.exact,
      approximate: options.approximate,
      certified: options.certified,
      allowCertified: true,
    },
    names,
  );
  if (options.rerank !== undefined) {
    const clash = (
      [
        ['exact', options.exact !== undefined && options.exact !== false],
        [names.maxDistance ?? 'maxDistance', options.maxDistance !== undefined],
        [names.offset ?? 'offset', options.offset !== undefined],
        ['likeId', options.likeId !== undefined],
      ] as const
    ).find(([, given]) => given);
    if (clash !== undefined) {
      throw new VecpgError(
        'INVALID_OPTION',
        `rerank is a two-stage search of its own (quantized candidates, exact re-rank): it does not take ${clash[0]}`,
        { details: { option: clash[0] } },
      );
    }
    return { mode: 'rerank', valid };
  }
  if (valid.certified && options.offset !== undefined) {
    const name = names.offset ?? 'offset';
    throw new VecpgError('INVALID_OPTION', `exact: 'certified' does not take ${name}; ask for k + ${name} rows`, {
      details: { option: name },
    });
  }
  if (valid.certified && options.likeId !== undefined) {
    throw new VecpgError('UNSUPPORTED', "exact: 'certified' needs the query vector itself; likeId is not supported", {
      details: { option: 'likeId' },
    });
  }
  return { mode: valid.certified ? 'certified' : 'plain', valid };
}

/** What {@link runRerank} and {@link runCertified} need, in the core's terms. */
export interface CoreSearch {
  table: QualifiedName;
  column: string;
  query: VectorInput;
  distance: DistanceName;
  type?: VectorType | undefined;
  k: number | undefined;
  where: SearchFilter | undefined;
  select?: '*' | readonly string[];
}

/** The core's two-stage search over an ORM's database. */
export async function runRerank<R extends Row>(
  db: VecpgDb,
  search: CoreSearch,
  rerank: RerankOptions,
  approximate: SearchSettings | undefined,
): Promise<Array<R & { distance: number }>> {
  const type = search.type;
  if (type !== undefined && type !== 'vector' && type !== 'halfvec') {
    throw new VecpgError('UNSUPPORTED', `rerank needs a vector or halfvec column, not ${type}`, {
      details: { option: 'rerank' },
    });
  }
  return rerankSearch<R>(db, {
    table: search.table,
    column: search.column,
    query: search.query,
    distance: search.distance,
    ...(type === undefined ? {} : { type }),
    ...(search.k === undefined ? {} : { k: search.k }),
    ...(search.where === undefined ? {} : { where: search.where }),
    ...(search.select === undefined ? {} : { select: search.select }),
    rerank,
    ...(approximate === undefined ? {} : { approximate }),
  });
}

/** The core's certified exact search over an ORM's database; the rows carry the `certificate`. */
export async function runCertified<R extends Row>(
  db: VecpgDb,
  s: CoreSearch & { maxDistance: number | undefined },
  certified: CertifiedSearchOptions | undefined,
): Promise<CertifiedRows<R & { distance: number }>> {
  return search<R>(db, {
    table: s.table,
    column: s.column,
    query: s.query,
    distance: s.distance,
    ...(s.type === undefined ? {} : { type: s.type }),
    ...(s.k === undefined ? {} : { k: s.k }),
    ...(s.where === undefined ? {} : { where: s.where }),
    ...(s.maxDistance === undefined ? {} : { maxDistance: s.maxDistance }),
    ...(s.select === undefined ? {} : { select: s.select }),
    exact: 'certified',
    ...(certified === undefined ? {} : { certified }),
  });
}

/** Give `rows` the `certificate` of `from` (a non-enumerable property, as the core sets it). */
export function carryCertificate<T>(rows: T[], from: CertifiedRows<unknown>): CertifiedRows<T> {
  Object.defineProperty(rows, 'certificate', { value: from.certificate, enumerable: false });
  return rows as CertifiedRows<T>;
}

/** Index options with `quantize`: the index a two-stage search orders by (see {@link quantizedIndexOptions}). */
export type QuantizableIndexOptions = CreateIndexOptions & {
  /**
   * Index a compact copy for two-stage search (`rerank: { using }`) instead of the column: `'binary'`
   * indexes `binary_quantize(col)::bit(n)` (Hamming, whatever distance the search uses), `'halfvec'`
   * indexes `col::halfvec(n)` with `distance`. Needs `column`, `dimensions` and a vector or halfvec `type`.
   */
  quantize?: QuantizedForm;
};

/**
 * The SQL layer's index options for a quantized index: the core's `quantizedExpression` (the very
 * expression `rerankSearch` orders by), its type and distance. Options without `quantize` are returned as
 * they are.
 *
 * @example
 * quantizedIndexOptions({ table: 'items', column: 'embedding', type: 'vector', distance: 'l2', dimensions: 3, quantize: 'binary' });
 * // { table: 'items', expression: 'binary_quantize("embedding")::bit(3)', type: 'bit', distance: 'hamming', dimensions: 3 }
 */
export function quantizedIndexOptions(options: QuantizableIndexOptions): CreateIndexOptions {
  const { quantize, ...rest } = options;
  if (quantize === undefined) return rest;
  if (quantize !== 'binary' && quantize !== 'halfvec') {
    throw new VecpgError('INVALID_OPTION', `quantize must be 'binary' or 'halfvec', got ${describeValue(quantize)}`, {
      details: { option: 'quantize' },
    });
  }
  const { column, dimensions, type } = rest;
  if (column === undefined || rest.expression !== undefined) {
    throw new VecpgError('INVALID_OPTION', 'quantize needs column (the vector column), not expression', {
      details: { option: 'quantize' },
    });
  }
  if (type !== 'vector' && type !== 'halfvec') {
    throw new VecpgError('UNSUPPORTED', `quantize applies to vector and halfvec columns; ${column} is ${type}`, {
      details: { option: 'quantize' },
    });
  }
  if (dimensions === undefined) {
    throw new VecpgError('INVALID_OPTION', `quantize needs dimensions (of ${column})`, {
      details: { option: 'dimensions' },
    });
  }
  const { column: _column, ...others } = rest;
  return {
    ...others,
    expression: quantizedExpression(column, quantize, dimensions, type),
    ...(quantize === 'binary' ? { type: 'bit', distance: 'hamming' } : { type: 'halfvec' }),
  };
}
