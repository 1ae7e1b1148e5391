/**
 * The six distances, as values the Prisma extension's `nearest` and `withDistance` take in `by`:
 * the Prisma counterpart of Django's `CosineDistance('features', target)`. They render nothing
 * themselves; the extension turns them into SQL with pgvector's operator table.
 */
import type { DistanceName } from '../../sql/operators.ts';
import type { VectorInput } from '../../sql/params.ts';

/**
 * A distance between a model's vector field and a query value.
 *
 * @example
 * const by: DistanceTo<'embedding'> = { field: 'embedding', distance: 'cosine', to: [1, 0, 0, 0] };
 */
export interface DistanceTo<F extends string = string> {
  readonly field: F;
  readonly distance: DistanceName;
  /** The query value; left out with `nearest({ likeId })`, where a stored row is the query. */
  readonly to?: VectorInput;
}

/**
 * Euclidean distance (`<->`).
 *
 * @example
 * await prisma.document.nearest({ by: l2Distance('embedding', [0.5, 0.2, 0.9, 0.3]), take: 5 });
 */
export function l2Distance<F extends string>(field: F, to?: VectorInput): DistanceTo<F> {
  return to === undefined ? { field, distance: 'l2' } : { field, distance: 'l2', to };
}

/**
 * Negative inner product (`<#>`): smaller is more similar, so ascending order is best first.
 *
 * @example
 * await prisma.document.nearest({ by: maxInnerProduct('embedding', query), take: 5 });
 */
export function maxInnerProduct<F extends string>(field: F, to?: VectorInput): DistanceTo<F> {
  return to === undefined ? { field, distance: 'ip' } : { field, distance: 'ip', to };
}

/**
 * Cosine distance (`<=>`), `1 - cos`.
 *
 * @example
 * await prisma.scienceData.nearest({ by: cosineDistance('features', new SparseVector({ 0: 5.1, 42: 1 }, 10000)), take: 10 });
 */
export function cosineDistance<F extends string>(field: F, to?: VectorInput): DistanceTo<F> {
  return to === undefined ? { field, distance: 'cosine' } : { field, distance: 'cosine', to };
}

/**
 * Taxicab distance (`<+>`).
 *
 * @example
 * await prisma.document.nearest({ by: l1Distance('embedding', query), take: 5 });
 */
export function l1Distance<F extends string>(field: F, to?: VectorInput): DistanceTo<F> {
  return to === undefined ? { field, distance: 'l1' } : { field, distance: 'l1', to };
}

/**
 * Hamming distance between bit strings (`<~>`).
 *
 * @example
 * await prisma.item.nearest({ by: hammingDistance('bits', '10110'), take: 5 });
 */
export function hammingDistance<F extends string>(field: F, to?: VectorInput): DistanceTo<F> {
  return to === undefined ? { field, distance: 'hamming' } : { field, distance: 'hamming', to };
}

/**
 * Jaccard distance between bit strings (`<%>`).
 *
 * @example
 * await prisma.item.nearest({ by: jaccardDistance('bits', '10110'), take: 5 });
 */
export function jaccardDistance<F extends string>(field: F, to?: VectorInput): DistanceTo<F> {
  return to === undefined ? { field, distance: 'jaccard' } : { field, distance: 'jaccard', to };
}
