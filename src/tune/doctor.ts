/**
 * `doctor(db)`: checks a database for the mistakes that make vector search silently slow or
 * wrong, each finding with a severity and the fix. Runs read-only catalog queries and one scan
 * per vector column.
 */
import type { SqlExecutor } from '../sql/executor.ts';
import type { DistanceName } from '../sql/operators.ts';
import { compareVersions, extensionInfo } from '../sql/version.ts';
import {
  listVectorColumns,
  listVectorIndexes,
  type TableName,
  type VectorColumnInfo,
  type VectorIndexInfo,
} from './catalog.ts';
import { checkColumnData, columnTypeFindings, indexFindings, opclassFindings } from './doctor-checks.ts';
import { citusFindings } from './doctor-citus.ts';
import { isCitus } from '../sql/citus.ts';

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
  table?: TableName;
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

/**
 * Check the database and return every finding, errors first.
 *
 * @example
 * for (const f of await doctor(db, { distances: ['cosine'] })) console.log(f.severity, f.code, f.message, f.fix);
 */
export async function doctor(db: SqlExecutor, options: DoctorOptions = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  const ext = await extensionInfo(db);
  if (!ext.installed || ext.version === null) {
    findings.push({
      severity: 'error',
      code: 'EXTENSION_MISSING',
      message: 'the vector extension is not installed in this database',
      fix: 'CREATE EXTENSION vector; (install pgvector on the server first: scripts/setup-postgres.sh)',
      subject: null,
    });
    return findings;
  }
  const old = compareVersions(ext.version, '0.8.0') < 0;
  findings.push({
    severity: old ? 'warning' : 'info',
    code: 'EXTENSION_VERSION',
    message: `pgvector ${ext.version} is installed in schema ${ext.schema ?? '?'}${old ? '; versions before 0.8.0 have no iterative index scans' : ''}`,
    fix: old ? 'upgrade pgvector to 0.8.0 or later, then ALTER EXTENSION vector UPDATE;' : null,
    subject: null,
  });
  const mwm = await db.query<{ bytes: unknown; version: unknown }>(
    "SELECT setting::bigint * 1024 AS bytes, current_setting('server_version_num')::int AS version FROM pg_settings WHERE name = 'maintenance_work_mem'",
  );
  const ctx: DoctorContext = {
    db,
    options,
    columns: await listVectorColumns(db, options.table),
    indexes: await listVectorIndexes(db, options.table),
    maintenanceWorkMemBytes: Number(mwm[0]?.bytes ?? 0),
    serverVersionNum: Number(mwm[0]?.version ?? 0),
  };
  findings.push(...columnTypeFindings(ctx), ...indexFindings(ctx), ...(await opclassFindings(ctx)));
  for (const column of ctx.columns) findings.push(...(await checkColumnData(ctx, column)));
  if (await isCitus((text, values) => db.query(text, values), db)) {
    const tables = [...new Map(ctx.columns.map((c) => [`${c.schema}.${c.table}`, c])).values()];
    findings.push(...(await citusFindings(db, ctx.indexes, ext.version, ext.schema ?? 'public', tables)));
  }
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
