/**
 * `doctor(db)`: checks a database for the mistakes that make vector search silently slow or
 * wrong, each finding with a severity and the fix. Runs read-only catalog queries and one scan
 * per vector column.
 */
import type { SqlExecutor } from '../sql/executor.ts';
import { compareVersions, extensionInfo } from '../sql/version.ts';
import { listVectorColumns, listVectorIndexes } from '../sql/catalog.ts';
import type { DoctorContext, DoctorOptions, Finding, Severity } from './findings.ts';
import { checkColumnData, columnTypeFindings, indexFindings, opclassFindings } from './doctor-checks.ts';
import { citusFindings } from './doctor-citus.ts';
import { isCitus } from '../sql/citus.ts';

export type { DoctorOptions, Finding, FindingCode, Severity } from './findings.ts';

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
