/**
 * The vocabulary of `doctor()`: findings, their codes and severities, the options, and the context the
 * individual checks share. Its own module so the checks (doctor-checks.ts, doctor-citus.ts) and the
 * doctor that runs them depend on it, not on each other.
 */
import type { QualifiedName } from '../sql/identifiers.ts';
import type { SqlExecutor } from '../sql/executor.ts';
import type { DistanceName } from '../sql/operators.ts';
import type { VectorColumnInfo, VectorIndexInfo } from '../sql/catalog.ts';

/** How much a finding matters. */
export type Severity = 'error' | 'warning' | 'info';

/** Stable identifiers of doctor findings. */
export type FindingCode =
  | 'EXTENSION_MISSING'
  | 'EXTENSION_VERSION'
  | 'COLUMN_WITHOUT_DIMENSIONS'
  | 'BARE_BIT_COLUMN'
  | 'COLUMN_OVER_INDEX_LIMIT'
  | 'INDEX_OPCLASS'
  | 'OPCLASS_MISMATCH'
  | 'INDEX_INVALID'
  | 'SPARSE_OVER_HNSW_LIMIT'
  | 'MAINTENANCE_WORK_MEM_LOW'
  | 'NULL_VECTORS'
  | 'ZERO_VECTORS_COSINE'
  | 'TOAST_STORAGE'
  | 'CITUS_CLUSTER'
  | 'CITUS_VECTOR_MISSING'
  | 'CITUS_VECTOR_VERSION'
  | 'CITUS_SETTING_DIFFERS'
  | 'CITUS_SHARDS'
  | 'CITUS_INDEX_MISSING';

/** One thing the doctor found. */
export interface Finding {
  severity: Severity;
  code: FindingCode;
  message: string;
  /** What to run or change; `null` for purely informational findings. */
  fix: string | null;
  /** `schema.table.column` or `schema.index` the finding is about, when there is one. */
  subject: string | null;
}

/** Options of {@link doctor}. */
export interface DoctorOptions {
  /** Only look at this table. */
  table?: QualifiedName;
  /**
   * The distances your queries use, to check index operator classes against: one list for every
   * column, or per column keyed `table.column` (or `schema.table.column`). Without it the doctor
   * reads pg_stat_statements when it is loaded, else reports each index's distance as info.
   */
  distances?: readonly DistanceName[] | Readonly<Record<string, readonly DistanceName[]>>;
  /** Parameters of the HNSW index a build is estimated for (default m = 16). */
  hnswM?: number;
}

/** Context the individual checks share. */
export interface DoctorContext {
  db: SqlExecutor;
  options: DoctorOptions;
  columns: VectorColumnInfo[];
  indexes: VectorIndexInfo[];
  maintenanceWorkMemBytes: number;
  /** `server_version_num`, e.g. 150020. */
  serverVersionNum: number;
}
