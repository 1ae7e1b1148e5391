/** pgvector's limits (0.8.x), in one place. Checked client-side before anything reaches the server. */
export const MAX_DIMENSIONS = 16_000;
/** Largest `sparsevec` dimension count. */
export const SPARSE_MAX_DIMENSIONS = 1_000_000_000;
/** Largest number of non-zero elements in a `sparsevec`. */
export const SPARSE_MAX_NNZ = 16_000;
/** Largest finite binary16 value. */
export const HALF_MAX = 65_504;
/** Index limits: dimensions (or non-zeros for sparsevec, bits for bit) an HNSW / IVFFlat index accepts. */
export const INDEX_MAX_DIMENSIONS = { vector: 2_000, halfvec: 4_000, sparsevec: 1_000, bit: 64_000 } as const;
