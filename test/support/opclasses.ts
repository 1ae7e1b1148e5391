/**
 * The operator class pgvector has for each (type, distance, index method), written by hand from
 * pgvector's operator class table (its README, "Index operator classes"), not from vecpg's code. `null`: pgvector has none, so vecpg must refuse. test/unit/sql-operators.test.ts
 * checks `opclassFor` against it; test/integration/sql-ddl.test.ts checks it against the servers.
 */
import type { DistanceName, IndexMethod, VectorType } from 'vecpg';

export const OPCLASSES: ReadonlyArray<readonly [VectorType, DistanceName, IndexMethod, string | null]> = [
  ['vector', 'l2', 'hnsw', 'vector_l2_ops'],
  ['vector', 'ip', 'hnsw', 'vector_ip_ops'],
  ['vector', 'cosine', 'hnsw', 'vector_cosine_ops'],
  ['vector', 'l1', 'hnsw', 'vector_l1_ops'],
  ['vector', 'l2', 'ivfflat', 'vector_l2_ops'],
  ['vector', 'ip', 'ivfflat', 'vector_ip_ops'],
  ['vector', 'cosine', 'ivfflat', 'vector_cosine_ops'],
  ['vector', 'l1', 'ivfflat', null],
  ['halfvec', 'l2', 'hnsw', 'halfvec_l2_ops'],
  ['halfvec', 'ip', 'hnsw', 'halfvec_ip_ops'],
  ['halfvec', 'cosine', 'hnsw', 'halfvec_cosine_ops'],
  ['halfvec', 'l1', 'hnsw', 'halfvec_l1_ops'],
  ['halfvec', 'l2', 'ivfflat', 'halfvec_l2_ops'],
  ['halfvec', 'ip', 'ivfflat', 'halfvec_ip_ops'],
  ['halfvec', 'cosine', 'ivfflat', 'halfvec_cosine_ops'],
  ['halfvec', 'l1', 'ivfflat', null],
  ['sparsevec', 'l2', 'hnsw', 'sparsevec_l2_ops'],
  ['sparsevec', 'ip', 'hnsw', 'sparsevec_ip_ops'],
  ['sparsevec', 'cosine', 'hnsw', 'sparsevec_cosine_ops'],
  ['sparsevec', 'l1', 'hnsw', 'sparsevec_l1_ops'],
  ['sparsevec', 'l2', 'ivfflat', null],
  ['sparsevec', 'ip', 'ivfflat', null],
  ['sparsevec', 'cosine', 'ivfflat', null],
  ['sparsevec', 'l1', 'ivfflat', null],
  ['bit', 'hamming', 'hnsw', 'bit_hamming_ops'],
  ['bit', 'jaccard', 'hnsw', 'bit_jaccard_ops'],
  ['bit', 'hamming', 'ivfflat', 'bit_hamming_ops'],
  ['bit', 'jaccard', 'ivfflat', null],
  // A distance of the other family: no operator class for any method.
  ['bit', 'l2', 'hnsw', null],
  ['vector', 'hamming', 'hnsw', null],
  ['sparsevec', 'hamming', 'hnsw', null],
];
