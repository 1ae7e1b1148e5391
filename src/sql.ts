/**
 * `vecpg/sql`: the SQL layer's building blocks, for adapter authors and for applications that write
 * their own statements. Statement builders (`buildHybridQuery`, `buildRerankQuery`,
 * `buildCertifiedQuery`), parameter and result codecs (`vectorParam`, `decodeVectorColumn`), the search
 * contract's validator (`validateSearchOptions`), operator and operator-class tables, the certified
 * search's bound and column helpers, and Citus statement helpers. The root `vecpg` keeps what an
 * application calls; everything here is what those calls are made of. No I/O, no dependencies.
 */
export {
  aggregateExpressionSql,
  buildAggregateQuery,
  checkAggregate,
  checkAggregateType,
  columnVectorTypeOf,
  parseAggregate,
  type AggregateQueryOptions,
} from './sql/aggregates.ts';
export {
  COSINE_MAX_NORM,
  COSINE_MIN_NORM,
  HALF_MAX,
  float32SumError,
  checkPrefix,
  prepareCertifiedQuery,
  type CertifiedDistance,
  type CertifiedLayout,
  type CertifiedQuery,
} from './sql/certified-bound.ts';
export {
  certifiedColumnDefinitions,
  certifiedColumns,
  certifiedCompanions,
  isCertifiedColumn,
  certifiedGeneratedColumns,
  certifiedStorageSql,
  checkCertifiedDistance,
  checkForm,
  type CertifiedColumns,
  type GeneratedColumn,
} from './sql/certified-ddl.ts';
export {
  buildCertifiedQuery,
  checkCertificate,
  type CertifiedQueryOptions,
  type TryOutcome,
} from './sql/certified-query.ts';
export { runCertifiedSearch, type CertifiedSearchContext } from './sql/certified-search.ts';
export { CITUS_DETECT_SQL, citusSearchSettingsSql, inlineParameters, type RunStatement } from './sql/citus.ts';
export { binaryQuantizeExpression, castExpression, defaultIndexName } from './sql/ddl.ts';
export { isSqlFilter } from './sql/filters.ts';
export { buildHybridQuery } from './sql/hybrid.ts';
export {
  checkDistance,
  checkIndexDimensions,
  checkIndexMethod,
  checkVectorType,
  isSparseObject,
  operatorFor,
  opclassFor,
  typeOfValue,
  type DistanceInfo,
} from './sql/operators.ts';
export { paramCast, toVectorValue, vectorParam, vectorParamBinary, type VectorValueOf } from './sql/params.ts';
export { distanceSql, exactOrderSql } from './sql/query.ts';
export { buildRerankQuery } from './sql/rerank.ts';
export {
  checkDistanceBound,
  validateSearchOptions,
  type SearchContract,
  type ValidSearch,
} from './sql/search-options.ts';
export { searchLimit, searchMode } from './sql/search.ts';
export { searchSettingsSql } from './sql/settings.ts';
export {
  binaryColumnSql,
  byteaHexToBytes,
  decodeVectorColumn,
  readsBinary,
  type BinaryReadType,
} from './sql/vector-output.ts';
