/**
 * Reading pgvector operator class names back into distances (`vector_cosine_ops` → cosine).
 */
import type { DistanceName, VectorType } from '../sql/operators.ts';

/**
 * The distance an operator class serves, or `null` for a name that is not pgvector's.
 *
 * @example
 * opclassDistance('halfvec_ip_ops') // 'ip'
 */
export function opclassDistance(opclass: string): DistanceName | null {
  const m = /^(vector|halfvec|sparsevec|bit)_(l2|ip|cosine|l1|hamming|jaccard)_ops$/.exec(opclass);
  return m ? (m[2] as DistanceName) : null;
}

/**
 * The value type an operator class indexes, or `null`.
 *
 * @example
 * opclassType('bit_hamming_ops') // 'bit'
 */
export function opclassType(opclass: string): VectorType | null {
  const m = /^(vector|halfvec|sparsevec|bit)_/.exec(opclass);
  return m ? (m[1] as VectorType) : null;
}
