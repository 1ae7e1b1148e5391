/**
 * The schema of a certified exact search: per vector column and distance, a `halfvec` copy and its
 * error bound as STORED generated columns (kept in sync by PostgreSQL on every insert and update), with
 * the full-precision column out of line (`STORAGE EXTERNAL`) so that a scan of the compact copy reads a
 * fraction of the bytes. See docs/certified-search.md.
 */
import { VecpgError, describeValue } from '../errors.ts';
import {
  type CertifiedDistance,
  type CertifiedLayout,
  COSINE_MAX_NORM,
  COSINE_MIN_NORM,
  HALF_MAX,
  checkPrefix,
} from './certified-bound.ts';
import { columnTypeSql } from './ddl.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from './identifiers.ts';

/** The generated columns a certified search with one distance reads. */
export interface CertifiedColumns {
  /** `halfvec(n)`: h(v), or h(l2_normalize(v)) for cosine; NULL where it cannot be formed. */
  readonly half: string;
  /** `float8`: ‖v − half‖ (L1 norm for l1, L2 otherwise), as the server computes it. */
  readonly error: string;
  /** `float8`: ‖v‖ (ip only). */
  readonly norm?: string;
  /** Prefix form: `float8`, the norm of the elements after the prefix (of l2_normalize(v) for cosine). */
  readonly rest?: string;
}

const CERTIFIED: readonly string[] = ['l2', 'ip', 'cosine', 'l1'];

/**
 * Check that `distance` has a certificate: l2, ip, cosine and l1 do (hamming and jaccard: UNSUPPORTED).
 *
 * @example
 * checkCertifiedDistance('cosine'); // 'cosine'
 */
export function checkCertifiedDistance(distance: unknown): CertifiedDistance {
  if (typeof distance === 'string' && CERTIFIED.includes(distance)) return distance as CertifiedDistance;
  throw new VecpgError(
    'UNSUPPORTED',
    `certified search needs distance l2, ip, cosine or l1, got ${describeValue(distance)}`,
    {
      details: { distance },
    },
  );
}

/**
 * The names of the generated columns for `column` and `distance`: l2 and ip share `<column>_half` and
 * `<column>_half_l2err` (ip adds `<column>_norm`), l1 reads `<column>_half` and `<column>_half_l1err`,
 * cosine `<column>_unit_half` and `<column>_unit_half_l2err`.
 *
 * @example
 * certifiedColumns('embedding', 'l2'); // { half: 'embedding_half', error: 'embedding_half_l2err' }
 */
export function certifiedColumns(
  column: string,
  distance: CertifiedDistance,
  layout: CertifiedLayout = {},
): CertifiedColumns {
  const d = checkCertifiedDistance(distance);
  if (checkForm(layout) === 'prefix') {
    if (d !== 'l2' && d !== 'cosine') {
      throw new VecpgError('UNSUPPORTED', `the certified prefix form has a bound for l2 and cosine, not ${d}`, {
        details: { distance: d },
      });
    }
    const base = d === 'cosine' ? `${column}_unit` : column;
    return { half: `${base}_prefix`, error: `${base}_prefix_l2err`, rest: `${base}_rest_norm` };
  }
  switch (d) {
    case 'l2':
      return { half: `${column}_half`, error: `${column}_half_l2err` };
    case 'ip':
      return { half: `${column}_half`, error: `${column}_half_l2err`, norm: `${column}_norm` };
    case 'l1':
      return { half: `${column}_half`, error: `${column}_half_l1err` };
    case 'cosine':
      return { half: `${column}_unit_half`, error: `${column}_unit_half_l2err` };
  }
}

/**
 * The form of `layout` ('half' when not given), checked.
 *
 * @example
 * checkForm({ form: 'prefix', prefix: 64 }); // 'prefix'
 */
export function checkForm(layout: CertifiedLayout | undefined): 'half' | 'prefix' {
  const form = layout?.form ?? 'half';
  if (form !== 'half' && form !== 'prefix') {
    throw new VecpgError('INVALID_OPTION', `certified form must be 'half' or 'prefix', got ${describeValue(form)}`, {
      details: { option: 'form' },
    });
  }
  return form;
}

/** One generated column: its name, SQL type and generation expression. */
export interface GeneratedColumn {
  readonly name: string;
  readonly type: string;
  readonly expression: string;
}

/**
 * The generated columns certified search needs on a `vector(dimensions)` column for `distances`
 * (deduplicated: l2 and ip share theirs). A row whose vector cannot be represented (norm above 65504,
 * or for cosine outside [1e-12, 1e18]) gets NULLs: it is then a candidate of every certified search.
 *
 * @example
 * certifiedGeneratedColumns('embedding', 3, ['l2']).map((c) => c.name); // ['embedding_half', 'embedding_half_l2err']
 */
export function certifiedGeneratedColumns(
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): GeneratedColumn[] {
  const half = columnTypeSql('halfvec', dimensions);
  const v = quoteIdent(column);
  const fits = `vector_norm(${v}) <= ${HALF_MAX}`;
  const unit = `vector_norm(${v}) BETWEEN ${COSINE_MIN_NORM} AND ${COSINE_MAX_NORM}`;
  const out = new Map<string, GeneratedColumn>();
  const add = (name: string, type: string, expression: string) => out.set(name, { name, type, expression });
  if (distances.length === 0) throw new VecpgError('INVALID_OPTION', 'certified columns need at least one distance');
  if (checkForm(layout) === 'prefix') {
    const m = checkPrefix(layout.prefix, dimensions);
    const prefixType = columnTypeSql('halfvec', m);
    for (const d of distances) {
      const names = certifiedColumns(column, d, layout);
      // All three NULL together where the vector has no compact form: the key is then NULL (a candidate).
      const [when, x] = d === 'cosine' ? [unit, `l2_normalize(${v})`] : [fits, v];
      const p = `subvector(${x}, 1, ${m})`;
      add(names.half, prefixType, `CASE WHEN ${when} THEN ${p}::${prefixType} END`);
      add(names.error, 'double precision', `CASE WHEN ${when} THEN l2_distance(${p}, ${p}::${prefixType}::vector) END`);
      add(
        names.rest!,
        'double precision',
        `CASE WHEN ${when} THEN vector_norm(subvector(${x}, ${m + 1}, ${dimensions - m})) END`,
      );
    }
    return [...out.values()];
  }
  for (const d of distances) {
    const names = certifiedColumns(column, d);
    if (d === 'cosine') {
      const n = `l2_normalize(${v})`;
      add(names.half, half, `CASE WHEN ${unit} THEN ${n}::${half} END`);
      add(names.error, 'double precision', `CASE WHEN ${unit} THEN l2_distance(${n}, ${n}::${half}::vector) END`);
      continue;
    }
    add(names.half, half, `CASE WHEN ${fits} THEN ${v}::${half} END`);
    const fn = d === 'l1' ? 'l1_distance' : 'l2_distance';
    add(names.error, 'double precision', `CASE WHEN ${fits} THEN ${fn}(${v}, ${v}::${half}::vector) END`);
    if (names.norm !== undefined) add(names.norm, 'double precision', `vector_norm(${v})`);
  }
  return [...out.values()];
}

/**
 * Column definitions for `CREATE TABLE` (after the vector column itself); follow the CREATE TABLE with
 * {@link certifiedStorageSql}.
 *
 * @example
 * certifiedColumnDefinitions('embedding', 3, ['l2'])[0];
 * // '"embedding_half" halfvec(3) GENERATED ALWAYS AS (CASE WHEN vector_norm("embedding") <= 65504 THEN "embedding"::halfvec(3) END) STORED'
 */
export function certifiedColumnDefinitions(
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): string[] {
  return certifiedGeneratedColumns(column, dimensions, distances, layout).map(
    (c) => `${quoteIdent(c.name)} ${c.type} GENERATED ALWAYS AS (${c.expression}) STORED`,
  );
}

/**
 * `ALTER TABLE … SET STORAGE`: the full vector out of line (EXTERNAL), the compact copies in the row
 * (MAIN). For a table just created with {@link certifiedColumnDefinitions} (PostgreSQL 15 has no
 * STORAGE clause in CREATE TABLE).
 *
 * @example
 * certifiedStorageSql('items', 'embedding', ['l2']);
 * // 'ALTER TABLE "items" ALTER COLUMN "embedding" SET STORAGE EXTERNAL, ALTER COLUMN "embedding_half" SET STORAGE MAIN'
 */
export function certifiedStorageSql(
  table: QualifiedName,
  column: string,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): string {
  return `ALTER TABLE ${quoteQualified(table)} ${storageParts(column, distances, layout).join(', ')}`;
}

function storageParts(column: string, distances: readonly CertifiedDistance[], layout: CertifiedLayout): string[] {
  const halves = [...new Set(distances.map((d) => certifiedColumns(column, d, layout).half))];
  return [
    `ALTER COLUMN ${quoteIdent(column)} SET STORAGE EXTERNAL`,
    ...halves.map((h) => `ALTER COLUMN ${quoteIdent(h)} SET STORAGE MAIN`),
  ];
}

/**
 * One `ALTER TABLE` adding the certified columns to an existing table, with the storage settings, in a
 * single rewrite (adding a STORED generated column rewrites the table, which also moves the existing
 * full vectors out of line). Holds an ACCESS EXCLUSIVE lock for the duration. `ifNotExists` makes it
 * re-runnable. `{ form: 'prefix', prefix: m }` adds the prefix form instead (l2, cosine): a `halfvec(m)`
 * of the first m elements, its error and the norm of the rest (search with the same `certified` layout).
 *
 * @example
 * addCertifiedColumnsSql('items', 'embedding', 768, ['cosine']);
 * // 'ALTER TABLE "items" ADD COLUMN "embedding_unit_half" halfvec(768) GENERATED ALWAYS AS (…) STORED, …,
 * //  ALTER COLUMN "embedding" SET STORAGE EXTERNAL, ALTER COLUMN "embedding_unit_half" SET STORAGE MAIN'
 */
export function addCertifiedColumnsSql(
  table: QualifiedName,
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  options: { ifNotExists?: boolean } & CertifiedLayout = {},
): string {
  const ine = options.ifNotExists ? 'IF NOT EXISTS ' : '';
  const adds = certifiedColumnDefinitions(column, dimensions, distances, options).map((d) => `ADD COLUMN ${ine}${d}`);
  return `ALTER TABLE ${quoteQualified(table)} ${[...adds, ...storageParts(column, distances, options)].join(', ')}`;
}

/**
 * The `down` of {@link addCertifiedColumnsSql}: one `ALTER TABLE` dropping the generated columns of
 * `distances` in `layout` (`IF EXISTS`: re-runnable). The vector column keeps STORAGE EXTERNAL; set it back
 * with `setStorageSql` if the table had another (vecpg's tables: MAIN). Columns another distance still
 * reads are dropped too (l2 and ip share theirs): pass every distance the table was set up for.
 *
 * @example
 * dropCertifiedColumnsSql('items', 'embedding', ['l2']);
 * // 'ALTER TABLE "items" DROP COLUMN IF EXISTS "embedding_half", DROP COLUMN IF EXISTS "embedding_half_l2err"'
 */
export function dropCertifiedColumnsSql(
  table: QualifiedName,
  column: string,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): string {
  if (distances.length === 0) throw new VecpgError('INVALID_OPTION', 'certified columns need at least one distance');
  const names = new Set<string>();
  for (const d of distances) {
    const c = certifiedColumns(column, d, layout);
    for (const name of [c.half, c.error, c.norm, c.rest]) if (name !== undefined) names.add(name);
  }
  const drops = [...names].map((n) => `DROP COLUMN IF EXISTS ${quoteIdent(n)}`);
  return `ALTER TABLE ${quoteQualified(table)} ${drops.join(', ')}`;
}

/**
 * The names of the compact copies certified search keeps of `column`, in either form and for every distance
 * (`<column>_half`, `<column>_unit_half`, `<column>_prefix`, `<column>_unit_prefix`). A vector column with
 * one of them as a generated column of its table is a certified column: its full vectors are out of line
 * (STORAGE EXTERNAL) by design, and tools that would move them back into the row leave it alone.
 *
 * @example
 * certifiedCompanions('embedding'); // ['embedding_half', 'embedding_unit_half', 'embedding_prefix', 'embedding_unit_prefix']
 */
export function certifiedCompanions(column: string): string[] {
  const prefix = { form: 'prefix', prefix: 1 } as const;
  return [
    certifiedColumns(column, 'l2').half,
    certifiedColumns(column, 'cosine').half,
    certifiedColumns(column, 'l2', prefix).half,
    certifiedColumns(column, 'cosine', prefix).half,
  ];
}

/**
 * Whether `column` has certified search's compact copies among `columns` (the same table's, with whether
 * each is generated).
 *
 * @example
 * isCertifiedColumn('embedding', [{ name: 'embedding_half', generated: true }]); // true
 */
export function isCertifiedColumn(
  column: string,
  columns: ReadonlyArray<{ readonly name: string; readonly generated: boolean }>,
): boolean {
  const companions = new Set(certifiedCompanions(column));
  return columns.some((c) => c.generated && companions.has(c.name));
}
