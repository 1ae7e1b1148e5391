/**
 * `vecpg/tune`: recall measurement, sweeps and reports, index planning, and the doctor's checks —
 * everything the `vecpg recall | index | doctor` commands do, as library functions.
 */
export { recall, type RecallOptions, type RecallPoint, type RecallResult, type SweepSetting } from './tune/recall.ts';
export {
  listVectorColumns,
  listVectorIndexes,
  describeVectorColumn,
  type VectorColumnInfo,
  type VectorIndexInfo,
} from './sql/catalog.ts';
export {
  planIndex,
  recommendedLists,
  HNSW_SPARSE_MAX_NNZ,
  type PlanIndexOptions,
  type IndexPlan,
} from './tune/index-plan.ts';
export {
  readIndexBuildProgress,
  watchIndexBuild,
  formatIndexBuildProgress,
  type IndexBuildProgress,
} from './tune/progress.ts';
export { parseQueryVector, type QueryVector } from './tune/query-vector.ts';
export { percentile, recallAt } from './tune/stats.ts';
export { opclassDistance, opclassType } from './tune/opclass.ts';
export { renderRecallReport, recallChartSvg } from './tune/report.ts';
export { doctor, type DoctorOptions, type Finding, type FindingCode, type Severity } from './tune/doctor.ts';
export { distancesUsedOn } from './tune/doctor-checks.ts';
