import { VecpgError } from '../errors.ts';
import type { SqlExecutor } from './executor.ts';

/** The vector extension as installed in the current database. */
export interface ExtensionInfo {
  installed: boolean;
  /** `extversion`, e.g. `'0.8.0'`; null when not installed. */
  version: string | null;
  /** The schema holding its types and operators; null when not installed. */
  schema: string | null;
}

/** Features that need a minimum pgvector version. */
export type VectorFeature = 'halfvec' | 'sparsevec' | 'iterativeScan';

/**
 * Minimum pgvector version per feature.
 *
 * @example
 * FEATURE_VERSIONS.iterativeScan; // '0.8.0'
 */
export const FEATURE_VERSIONS: Readonly<Record<VectorFeature, string>> = {
  halfvec: '0.7.0',
  sparsevec: '0.7.0',
  iterativeScan: '0.8.0',
};

/**
 * Read the vector extension's version and schema from `pg_extension`.
 *
 * @example
 * await extensionInfo(db); // { installed: true, version: '0.8.0', schema: 'public' }
 */
export async function extensionInfo(db: SqlExecutor): Promise<ExtensionInfo> {
  const rows = await db.query<{ version: string; schema: string }>(
    `SELECT e.extversion AS version, n.nspname::text AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`,
    ['vector'],
  );
  const row = rows[0];
  return row
    ? { installed: true, version: row.version, schema: row.schema }
    : { installed: false, version: null, schema: null };
}

/**
 * Compare dotted versions numerically (`'0.10.0' > '0.9.1'`); pre-release tails are ignored.
 *
 * @example
 * compareVersions('0.8.0', '0.7.4'); // 1
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * Make sure the installed pgvector has `feature` (halfvec and sparsevec need 0.7.0, iterative
 * scans 0.8.0). Throws EXTENSION_MISSING or VERSION_TOO_OLD with the fix; returns the info.
 *
 * @example
 * await requireFeature(db, 'iterativeScan');
 */
export async function requireFeature(db: SqlExecutor, feature: VectorFeature): Promise<ExtensionInfo> {
  const needed = FEATURE_VERSIONS[feature];
  if (needed === undefined)
    throw new VecpgError('INVALID_OPTION', `unknown pgvector feature ${JSON.stringify(feature)}`);
  const info = await extensionInfo(db);
  if (!info.installed || info.version === null) {
    throw new VecpgError(
      'EXTENSION_MISSING',
      `the vector extension is not installed in this database (${feature} needs pgvector >= ${needed}): run CREATE EXTENSION vector, or scripts/setup-postgres.sh to install pgvector on a local server`,
      { details: { feature, needed } },
    );
  }
  if (compareVersions(info.version, needed) < 0) {
    throw new VecpgError(
      'VERSION_TOO_OLD',
      `${feature} needs pgvector >= ${needed}, but version ${info.version} is installed: run ALTER EXTENSION vector UPDATE after upgrading pgvector (scripts/setup-postgres.sh)`,
      { details: { feature, needed, installed: info.version } },
    );
  }
  return info;
}
