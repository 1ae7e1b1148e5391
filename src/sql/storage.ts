/**
 * Keeping vectors in the row. PostgreSQL's default column storage (EXTENDED) moves any row over ~2 kB
 * out of line to the TOAST table, so a `vector(768)` (3 kB) is read through TOAST on every exact scan.
 * With `STORAGE MAIN` a vector stays in the row whenever the row fits the page (~8 kB), and is still
 * moved out of line when it does not (`PLAIN` would refuse that insert). See bench/README.md.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { setStorageSql } from './ddl.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from './identifiers.ts';
import { type VectorType, checkVectorType } from './operators.ts';

/** How {@link convertStorageSql} moves the rows already stored out of line back into the row. */
export type StorageRewrite = 'vacuum-full' | 'update' | 'none';

/** Options of {@link convertStorageSql}. */
export interface ConvertStorageOptions {
  /** The column's type (default `vector`); `update` needs `vector` or `halfvec`. */
  type?: VectorType;
  /**
   * - `vacuum-full` (default): `VACUUM FULL` rewrites the table and its indexes, compacted. Holds an
   *   ACCESS EXCLUSIVE lock (no reads or writes) for the duration and needs disk for a full copy.
   * - `update`: rewrites each row with a copy of its vector (`subvector(col, 1, vector_dims(col))`,
   *   value unchanged), then `VACUUM ANALYZE`. Only row locks, but every row is written again (WAL,
   *   dead tuples until the vacuum). `UPDATE t SET col = col` would NOT do it: PostgreSQL keeps an
   *   unchanged out-of-line value where it is.
   * - `none`: only new and updated rows are stored inline.
   */
  rewrite?: StorageRewrite;
}

/**
 * The statements that convert an existing table's vector column to `STORAGE MAIN` and move the rows
 * already stored out of line back into the row. Run them in order, outside a transaction block (VACUUM
 * cannot run inside one). Rows too wide for a page (e.g. `vector(2000)` and up) stay out of line.
 *
 * @example
 * convertStorageSql('items', 'embedding');
 * // ['ALTER TABLE "items" ALTER COLUMN "embedding" SET STORAGE MAIN', 'VACUUM (FULL, ANALYZE) "items"']
 * convertStorageSql('items', 'embedding', { rewrite: 'update' });
 * // [..., 'UPDATE "items" SET "embedding" = subvector("embedding", 1, vector_dims("embedding")) WHERE "embedding" IS NOT NULL',
 * //  'VACUUM (ANALYZE) "items"']
 */
export function convertStorageSql(table: QualifiedName, column: string, options: ConvertStorageOptions = {}): string[] {
  const type = checkVectorType(options.type ?? 'vector');
  const rewrite = options.rewrite ?? 'vacuum-full';
  const out = [setStorageSql(table, column, 'main')];
  const t = quoteQualified(table);
  switch (rewrite) {
    case 'vacuum-full':
      out.push(`VACUUM (FULL, ANALYZE) ${t}`);
      break;
    case 'update': {
      if (type !== 'vector' && type !== 'halfvec') {
        throw new VecpgError(
          'UNSUPPORTED',
          `rewrite 'update' needs a vector or halfvec column (subvector), not ${type}; use 'vacuum-full'`,
        );
      }
      const c = quoteIdent(column);
      out.push(`UPDATE ${t} SET ${c} = subvector(${c}, 1, vector_dims(${c})) WHERE ${c} IS NOT NULL`);
      out.push(`VACUUM (ANALYZE) ${t}`);
      break;
    }
    case 'none':
      break;
    default:
      throw new VecpgError(
        'INVALID_OPTION',
        `rewrite must be 'vacuum-full', 'update' or 'none', got ${describeValue(rewrite)}`,
      );
  }
  return out;
}
