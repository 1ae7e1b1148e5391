/**
 * The individual checks of `doctor` (see doctor.ts for the findings they produce).
 */
import { estimateHnswBuildMemory, memorySetting } from './build-memory.ts';
import { convertStorageSql } from '../sql/storage.ts';
import { quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import { DISTANCES, type DistanceName } from '../sql/operators.ts';
import { INDEX_MAX_DIMENSIONS } from '../types/limits.ts';
import type { VectorColumnInfo } from '../sql/catalog.ts';
import { isCertifiedColumn } from '../sql/certified-ddl.ts';
import type { DoctorContext, Finding } from './findings.ts';
import { HNSW_SPARSE_MAX_NNZ, sparseNnzSql } from './index-plan.ts';
import { opclassDistance } from './opclass.ts';

/** Values up to about this size fit in an 8 kB heap page when stored inline (STORAGE MAIN). */
const INLINE_MAX = 8000;
/** Rows of a column the TOAST check samples (Bernoulli, repeatable): enough for a percentage. */
export const TOAST_SAMPLE_ROWS = 1000;

function name(c: { schema: string; table: string }): string {
  return c.schema === 'public' ? c.table : `${c.schema}.${c.table}`;
}

function subject(c: VectorColumnInfo): string {
  return `${name(c)}.${c.column}`;
}

function qualified(c: { schema: string; table: string }): string {
  return quoteQualified([c.schema, c.table]);
}

/**
 * Columns pgvector cannot index as declared: no dimensions, `bit varying`, a bare `bit` (bit(1)),
 * or more dimensions than an index accepts.
 *
 * @example
 * columnTypeFindings(ctx) // [{ code: 'BARE_BIT_COLUMN', … }]
 */
export function columnTypeFindings(ctx: DoctorContext): Finding[] {
  const out: Finding[] = [];
  for (const c of ctx.columns) {
    const alter = `ALTER TABLE ${qualified(c)} ALTER COLUMN ${quoteIdent(c.column)} TYPE`;
    if (c.varying || (c.dimensions === null && c.type !== 'bit')) {
      const what = c.varying ? 'bit varying' : `${c.type} without dimensions`;
      out.push({
        severity: 'warning',
        code: 'COLUMN_WITHOUT_DIMENSIONS',
        message: `${subject(c)} is ${what}: pgvector cannot index it (column does not have dimensions)`,
        fix: `${alter} ${c.varying ? 'bit' : c.type}(n); -- n = the length every value has`,
        subject: subject(c),
      });
    } else if (c.type === 'bit' && c.dimensions === 1) {
      out.push({
        severity: 'warning',
        code: 'BARE_BIT_COLUMN',
        message: `${subject(c)} is bit(1), what a bare "bit" declares: longer values are rejected or, cast with ::bit, silently truncated to one bit`,
        fix: `${alter} bit(n); -- declare the real length`,
        subject: subject(c),
      });
    } else if (
      c.type !== 'sparsevec' &&
      c.dimensions !== null &&
      c.dimensions > INDEX_MAX_DIMENSIONS[c.type] &&
      !ctx.indexes.some((i) => i.schema === c.schema && i.table === c.table && i.expression?.includes(c.column))
    ) {
      const table = c.schema === 'public' ? c.table : `${c.table} --schema ${c.schema}`;
      const command = `vecpg index create --table ${table} --column ${c.column} --distance <distance>`;
      const fix =
        c.type === 'vector' && c.dimensions <= INDEX_MAX_DIMENSIONS.halfvec
          ? `index an expression: ${command} --as halfvec (or --as bit: binary quantization, then re-rank exactly)`
          : `index binary_quantize(${quoteIdent(c.column)}::vector)::bit(${c.dimensions}) and re-rank exactly: ${command} --as bit`;
      out.push({
        severity: 'info',
        code: 'COLUMN_OVER_INDEX_LIMIT',
        message: `${subject(c)} has ${c.dimensions} dimensions; HNSW and IVFFlat index at most ${INDEX_MAX_DIMENSIONS[c.type]} for ${c.type}`,
        fix,
        subject: subject(c),
      });
    }
  }
  return out;
}

/**
 * Indexes left invalid (a failed or unfinished CREATE INDEX CONCURRENTLY, e.g. one that hit a
 * pgvector limit): they cost writes and serve no query.
 *
 * @example
 * indexFindings(ctx) // [{ code: 'INDEX_INVALID', … }]
 */
export function indexFindings(ctx: DoctorContext): Finding[] {
  return ctx.indexes
    .filter((i) => !i.valid)
    .map((i) => ({
      severity: 'error' as const,
      code: 'INDEX_INVALID' as const,
      message: `index ${i.schema}.${i.name} on ${name(i)} is invalid (a failed or unfinished CREATE INDEX CONCURRENTLY): it is maintained on every write and used by no query`,
      fix: `DROP INDEX ${quoteQualified([i.schema, i.name])}; then create it again (vecpg index create) after fixing what made the build fail`,
      subject: `${i.schema}.${i.name}`,
    }));
}

function declaredDistances(
  ctx: DoctorContext,
  i: { schema: string; table: string; column: string | null },
): readonly DistanceName[] | undefined {
  const d = ctx.options.distances;
  if (d === undefined || Array.isArray(d)) return d as readonly DistanceName[] | undefined;
  const map = d as Readonly<Record<string, readonly DistanceName[]>>;
  return map[`${i.schema}.${i.table}.${i.column ?? ''}`] ?? map[`${i.table}.${i.column ?? ''}`];
}

async function statementDistances(ctx: DoctorContext): Promise<string[] | null> {
  try {
    const ok = await ctx.db.query<{ r: unknown }>("SELECT to_regclass('pg_stat_statements') IS NOT NULL AS r");
    if (ok[0]?.r !== true) return null;
    const rows = await ctx.db.query<{ query: string }>(
      `SELECT query FROM pg_stat_statements WHERE query ~ '<->|<#>|<=>|<\\+>|<~>|<%>'`,
    );
    return rows.map((r) => r.query);
  } catch {
    return null; // installed but not in shared_preload_libraries
  }
}

/**
 * The distances whose operator is applied to `column` in SQL `statements`
 * (`embedding <=> $1`, `"embedding" <-> …`).
 *
 * @example
 * distancesUsedOn('embedding', ['SELECT * FROM items ORDER BY embedding <=> $1 LIMIT $2']) // ['cosine']
 */
export function distancesUsedOn(column: string, statements: readonly string[]): DistanceName[] {
  const col = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('"', '""');
  const found: DistanceName[] = [];
  for (const [d, info] of Object.entries(DISTANCES) as Array<[DistanceName, { operator: string }]>) {
    const op = info.operator.replace(/[+]/g, '\\+');
    const re = new RegExp(`(?:^|[^\\w"])(?:${col}|"${col}")\\s*${op}`);
    if (statements.some((q) => re.test(q))) found.push(d);
  }
  return found;
}

/**
 * Indexes whose operator class does not match the distances queries use (declared in
 * `options.distances`, or read from pg_stat_statements); otherwise each index's distance as info.
 *
 * @example
 * await opclassFindings(ctx) // [{ code: 'OPCLASS_MISMATCH', … }]
 */
export async function opclassFindings(ctx: DoctorContext): Promise<Finding[]> {
  const out: Finding[] = [];
  const statements = ctx.options.distances === undefined ? await statementDistances(ctx) : null;
  for (const i of ctx.indexes) {
    const served = opclassDistance(i.opclass);
    if (served === null || !i.valid) continue; // an invalid index is reported as INDEX_INVALID
    const target = i.column ?? i.expression ?? '?';
    let used = declaredDistances(ctx, i);
    let source = 'declared';
    if (used === undefined && statements !== null && i.column !== null) {
      const found = distancesUsedOn(i.column, statements);
      if (found.length > 0) {
        used = found;
        source = 'pg_stat_statements shows';
      }
    }
    if (used === undefined) {
      out.push({
        severity: 'info',
        code: 'INDEX_OPCLASS',
        message: `index ${i.name} on ${name(i)}.${target} (${i.method}, ${i.opclass}) serves only ${served} distance: queries must use ${DISTANCES[served].operator}`,
        fix: null,
        subject: `${i.schema}.${i.name}`,
      });
    } else if (!used.includes(served)) {
      const want = used[0] ?? served;
      out.push({
        severity: 'warning',
        code: 'OPCLASS_MISMATCH',
        message: `index ${i.name} on ${name(i)}.${target} serves ${served} (${DISTANCES[served].operator}) but ${source} ${used.join(', ')} (${used.map((u) => DISTANCES[u].operator).join(', ')}): those queries never use it`,
        fix: `vecpg index create --table ${i.table} --column ${i.column ?? '<column>'} --distance ${want} --method ${i.method}; then DROP INDEX ${quoteQualified([i.schema, i.name])}`,
        subject: `${i.schema}.${i.name}`,
      });
    }
  }
  return out;
}

/**
 * One scan of a column: NULL and zero vectors under a cosine index, sparse rows over HNSW's
 * limit, maintenance_work_mem for a build, values stored out of line (TOAST).
 *
 * @example
 * await checkColumnData(ctx, column) // [{ code: 'TOAST_STORAGE', … }]
 */
export async function checkColumnData(ctx: DoctorContext, c: VectorColumnInfo): Promise<Finding[]> {
  const out: Finding[] = [];
  const col = quoteIdent(c.column);
  const indexes = ctx.indexes.filter((i) => i.schema === c.schema && i.table === c.table && i.column === c.column);
  const cosine = indexes.find((i) => opclassDistance(i.opclass) === 'cosine');
  const norm = c.type === 'vector' ? 'vector_norm' : c.type === 'bit' ? null : 'l2_norm';
  const parts = [
    'count(*) AS n',
    `count(${col}) AS present`,
    `coalesce(avg(pg_column_size(${col})), 0) AS avg_size`,
    `coalesce(max(pg_column_size(${col})), 0) AS max_size`,
    cosine && norm ? `count(*) FILTER (WHERE ${norm}(${col}) = 0) AS zeros` : '0 AS zeros',
    c.type === 'sparsevec'
      ? `count(*) FILTER (WHERE ${sparseNnzSql(c.column)} > ${HNSW_SPARSE_MAX_NNZ}) AS over_nnz`
      : '0 AS over_nnz',
  ];
  const r = (await ctx.db.query(`SELECT ${parts.join(', ')} FROM ${qualified(c)}`))[0] ?? {};
  const rows = Number(r.n ?? 0);
  const present = Number(r.present ?? 0);
  const avgSize = Number(r.avg_size ?? 0);
  const maxSize = Number(r.max_size ?? 0);
  const zeros = Number(r.zeros ?? 0);
  const nulls = rows - present;
  const s = subject(c);
  if (indexes.length > 0 && nulls > 0) {
    out.push({
      severity: 'info',
      code: 'NULL_VECTORS',
      message: `${nulls} of ${rows} rows of ${s} are NULL: no index contains them and no similarity search returns them`,
      fix: `fill them, or exclude them explicitly: WHERE ${col} IS NOT NULL`,
      subject: s,
    });
  }
  if (cosine && zeros > 0) {
    out.push({
      severity: 'warning',
      code: 'ZERO_VECTORS_COSINE',
      message: `${zeros} rows of ${s} are zero vectors: cosine distance is undefined (NaN) for them, so the cosine index ${cosine.name} skips them and exact search sorts them last`,
      fix: `remove or replace them (e.g. DELETE … WHERE ${norm ?? 'l2_norm'}(${col}) = 0), or use l2 / inner product for such data`,
      subject: s,
    });
  }
  const overNnz = Number(r.over_nnz ?? 0);
  if (overNnz > 0) {
    out.push({
      severity: 'warning',
      code: 'SPARSE_OVER_HNSW_LIMIT',
      message: `${overNnz} rows of ${s} have more than ${HNSW_SPARSE_MAX_NNZ} non-zero elements: an HNSW index cannot be built (or such rows inserted once it exists)`,
      fix: `keep at most ${HNSW_SPARSE_MAX_NNZ} non-zeros per row (the largest by magnitude), or search these rows exactly without an index`,
      subject: s,
    });
  }
  const canIndex = c.dimensions !== null && !c.varying && !(c.type === 'bit' && c.dimensions === 1);
  const need = estimateHnswBuildMemory({
    rows: present,
    m: ctx.options.hnswM ?? 16,
    type: c.type,
    dimensions: c.dimensions,
    avgValueBytes: avgSize,
  });
  if (canIndex && present > 0 && need > ctx.maintenanceWorkMemBytes) {
    const mb = memorySetting(need).replace('MB', '');
    out.push({
      severity: 'warning',
      code: 'MAINTENANCE_WORK_MEM_LOW',
      message: `an HNSW build over ${present} rows of ${s} needs about ${mb} MB but maintenance_work_mem is ${Math.round(ctx.maintenanceWorkMemBytes / 1024)} kB: the graph will not fit and the build becomes many times slower`,
      fix: `vecpg index create … --maintenance-work-mem ${mb}MB (or SET maintenance_work_mem = '${mb}MB'; before CREATE INDEX, and max_parallel_maintenance_workers for parallel builds)`,
      subject: s,
    });
  }
  // A certified column's full vectors are out of line by design (docs/certified-search.md): no TOAST advice.
  const siblings = ctx.columns
    .filter((o) => o.schema === c.schema && o.table === c.table)
    .map((o) => ({ name: o.column, generated: o.generated }));
  if (present > 0 && c.storage !== 'p' && !isCertifiedColumn(c.column, siblings)) {
    const toast = await toastFinding(ctx, c, present, maxSize);
    if (toast) out.push(toast);
  }
  return out;
}

/** The size of a value as stored inline uncompressed (4-byte header included), from pgvector's layouts. */
function rawSizeSql(c: VectorColumnInfo): string {
  const col = quoteIdent(c.column);
  const d = c.varying ? null : c.dimensions;
  switch (c.type) {
    case 'vector': // int16 dim, int16 unused, float4[dim]
      return d === null ? `(8 + 4 * vector_dims(${col}))` : String(8 + 4 * d);
    case 'halfvec': // int16 dim, int16 unused, half[dim]
      return d === null ? `(8 + 2 * vector_dims(${col}))` : String(8 + 2 * d);
    case 'sparsevec': // int32 dim, nnz, unused; int32 indices[nnz]; float4 values[nnz]
      return `(16 + 8 * ${sparseNnzSql(c.column)})`;
    case 'bit': // int32 bit length, then the bytes
      return d === null ? `(8 + (length(${col}) + 7) / 8)` : String(8 + Math.ceil(d / 8));
  }
}

/**
 * Values actually stored out of line, counted on a sample. PostgreSQL decides per row, from the whole
 * row's size (~2 kB, TOAST_TUPLE_TARGET), so a `vector(384)` (1,544 bytes) next to a text body is moved
 * to TOAST although it is small. PostgreSQL 17+ says so directly (`pg_column_toast_chunk_id`); before,
 * `pg_column_size` of an out-of-line value is its stored size without the 4-byte header, one byte
 * less than any inline form of the same value (3 less with a 1-byte header), which uncompressed
 * values — pgvector's types are EXTERNAL, never compressed by default — show exactly.
 */
async function toastFinding(
  ctx: DoctorContext,
  c: VectorColumnInfo,
  present: number,
  maxSize: number,
): Promise<Finding | undefined> {
  const col = quoteIdent(c.column);
  const raw = rawSizeSql(c);
  const outOfLine =
    ctx.serverVersionNum >= 170000
      ? `pg_column_toast_chunk_id(${col}) IS NOT NULL`
      : `pg_column_size(${col}) = ${raw} - 4${ctx.serverVersionNum >= 140000 ? ` AND pg_column_compression(${col}) IS NULL` : ''}`;
  const percent = Math.min(100, (100 * TOAST_SAMPLE_ROWS) / present);
  const sample = percent >= 100 ? '' : ` TABLESAMPLE BERNOULLI (${percent.toFixed(6)}) REPEATABLE (0)`;
  const r =
    (
      await ctx.db.query(
        `SELECT count(*) AS sampled, count(*) FILTER (WHERE ${outOfLine}) AS out_of_line, coalesce(max(${raw}), 0) AS raw
           FROM ${qualified(c)}${sample} WHERE ${col} IS NOT NULL`,
      )
    )[0] ?? {};
  const sampled = Number(r.sampled ?? 0);
  const out = Number(r.out_of_line ?? 0);
  if (out === 0 || sampled === 0) return undefined;
  const s = subject(c);
  const share = out === sampled ? 'all' : `${out} (${((100 * out) / sampled).toFixed(out * 1000 < sampled ? 2 : 0)}%)`;
  const where =
    sampled === present ? `${share} of the ${sampled} values` : `${share} of ${sampled} sampled values (of ${present})`;
  const rawBytes = Number(r.raw ?? maxSize);
  if (rawBytes > INLINE_MAX) {
    return {
      severity: 'info',
      code: 'TOAST_STORAGE',
      message: `${where} of ${s} are stored out of line (TOAST): at ${rawBytes} bytes a value cannot fit in an 8 kB page, so every distance computation fetches it separately`,
      fix: `store fewer bytes per value, e.g. halfvec (2 bytes per dimension), or index an expression: vecpg index create --as halfvec`,
      subject: s,
    };
  }
  const sql = convertStorageSql([c.schema, c.table], c.column, { type: c.type });
  const before =
    c.storage === 'm' ? ' The column is already STORAGE MAIN: these rows were written before the change.' : '';
  return {
    severity: 'warning',
    code: 'TOAST_STORAGE',
    message: `${where} of ${s} are stored out of line in the TOAST table although a value is only ${rawBytes} bytes: PostgreSQL moves values out of any row over ~2 kB, counting the other columns, so every distance computation fetches them separately.${before}`,
    fix: `${sql.join('; ')}; -- vecpg's convertStorageSql(${JSON.stringify([c.schema, c.table])}, ${JSON.stringify(c.column)}) returns these (STORAGE MAIN keeps vectors in the row; { rewrite: 'update' } avoids VACUUM FULL's exclusive lock)`,
    subject: s,
  };
}
