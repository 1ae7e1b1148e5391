/**
 * The certified exact search loop: try N candidates, check the certificate, grow N, and after the last
 * try run the plain exact scan. Whatever happens, the rows are the exact top-k.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { type Vector } from '../types/vector.ts';
import { type CertifiedLayout, checkPrefix, prepareCertifiedQuery } from './certified-bound.ts';
import { checkCertifiedDistance, checkForm } from './certified-ddl.ts';
import { type Certificate, buildCertifiedQuery, checkCertificate } from './certified-query.ts';
import type { Row } from './executor.ts';
import type { QualifiedName } from './identifiers.ts';
import type { DistanceName } from './operators.ts';
import type { SearchFilter } from './filters.ts';
import type { SqlQuery } from './query.ts';

/** Tuning of a certified search (the defaults suit k up to ~100 on embeddings). */
export interface CertifiedSearchOptions extends CertifiedLayout {
  /** N of the first try (default max(40, 4k); with form 'prefix' max(500, 4k)). */
  candidates?: number;
  /** N is multiplied by this on each retry (default 4). */
  growth?: number;
  /** Tries over the compact columns before the plain exact scan (default 3). */
  maxTries?: number;
}

/** A result array with the certificate of its query. */
export type CertifiedRows<T> = T[] & { readonly certificate: Certificate };

/** What {@link runCertifiedSearch} needs from `search()`. */
export interface CertifiedSearchContext {
  table: QualifiedName;
  column: string | undefined;
  query: Vector;
  distance: DistanceName;
  k: number;
  select?: '*' | readonly string[];
  where?: SearchFilter | undefined;
  maxDistance?: number;
  offset?: number;
  binaryParams: boolean;
  options: CertifiedSearchOptions;
  /** Run a statement built with or without `vector_send` reads (search() decides). */
  run: (build: (readBinary: boolean) => SqlQuery) => Promise<Row[]>;
  /** The plain exact scan. */
  exact: () => Promise<Row[]>;
}

function count(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new VecpgError(
      'INVALID_OPTION',
      `certified.${name} must be an integer >= ${min}, got ${describeValue(value)}`,
      {
        details: { option: name },
      },
    );
  }
  return value;
}

/**
 * Run a certified exact search (see `search({ exact: 'certified' })`): the exact top-k, with how it
 * was proven. Needs the columns of `addCertifiedColumnsSql` for the distance (CERTIFIED_SCHEMA_MISSING
 * otherwise).
 *
 * @example
 * const { rows, certificate } = await runCertifiedSearch(context);
 * certificate.firstTry; // true when N = max(40, 4k) candidates were enough
 */
export async function runCertifiedSearch(
  ctx: CertifiedSearchContext,
): Promise<{ rows: Row[]; certificate: Certificate }> {
  const distance = checkCertifiedDistance(ctx.distance);
  if (ctx.column === undefined)
    throw new VecpgError('INVALID_OPTION', "exact: 'certified' needs column (not expression)");
  if (ctx.offset !== undefined)
    throw new VecpgError('INVALID_OPTION', "exact: 'certified' does not take offset; ask for k + offset rows");
  const k = count('k', ctx.k, 1);
  const growth = count('growth', ctx.options.growth ?? 4, 2);
  const maxTries = count('maxTries', ctx.options.maxTries ?? 3, 0);
  const form = checkForm(ctx.options);
  const layout: CertifiedLayout =
    form === 'prefix' ? { form, prefix: checkPrefix(ctx.options.prefix, ctx.query.toFloat32Array().length) } : {};
  let candidates = count('candidates', ctx.options.candidates ?? Math.max(form === 'prefix' ? 500 : 40, 4 * k), k);
  const prepared = prepareCertifiedQuery(ctx.query.toFloat32Array(), distance, layout);
  const filter = (rows: Row[]) =>
    ctx.maxDistance === undefined ? rows : rows.filter((r) => Number(r['distance']) < ctx.maxDistance!);
  let reason = typeof prepared === 'string' ? prepared : null;
  let last: { bound: number | null; threshold: number | null } = { bound: null, threshold: null };
  let tries = 0;
  if (typeof prepared !== 'string') {
    for (; tries < maxTries; tries++, candidates *= growth) {
      let rows: Row[];
      try {
        rows = await ctx.run((readBinary) =>
          buildCertifiedQuery({ ...ctx, column: ctx.column!, prepared, candidates, k, readBinary }),
        );
      } catch (error) {
        throw missingSchema(error, ctx.column, distance, layout) ?? wrongPrefix(error, layout) ?? error;
      }
      const outcome = checkCertificate(rows, prepared, candidates, k, 'distance', ctx.maxDistance);
      last = { bound: outcome.bound, threshold: outcome.threshold };
      if (outcome.proven) {
        const certificate = {
          proven: true,
          firstTry: tries === 0,
          tries: tries + 1,
          candidates,
          ...last,
          fallback: null,
          reason: null,
        };
        return { rows: filter(rows), certificate };
      }
    }
    candidates /= growth;
    reason = `the bound did not reach the k-th distance after ${tries} tries`;
  }
  const rows = await ctx.exact();
  return {
    rows,
    certificate: {
      proven: false,
      firstTry: false,
      tries,
      candidates: tries > 0 ? candidates : 0,
      ...last,
      fallback: 'exact-scan',
      reason,
    },
  };
}

/** The SQLSTATE candidates of a driver error or of a VecpgError wrapping one. */
function sqlStates(error: unknown): unknown[] {
  const code = (error as { code?: unknown } | null)?.code;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const sqlstate = (error as { details?: { sqlstate?: unknown } } | null)?.details?.sqlstate;
  return [code, cause, sqlstate];
}

function missingSchema(
  error: unknown,
  column: string,
  distance: string,
  layout: CertifiedLayout,
): VecpgError | undefined {
  if (!sqlStates(error).includes('42703')) return undefined;
  const prefix = layout.form === 'prefix' ? `, { form: 'prefix', prefix: ${String(layout.prefix)} }` : '';
  return new VecpgError(
    'CERTIFIED_SCHEMA_MISSING',
    `certified ${distance} search on column ${describeValue(column)} needs its generated columns: run addCertifiedColumnsSql(table, ${describeValue(column)}, dimensions, ['${distance}']${prefix}) or create the table with vecpg import --create --certified`,
    { cause: error, details: { column, distance } },
  );
}

/** The prefix columns exist with another length than certified.prefix: pgvector's dimension error. */
function wrongPrefix(error: unknown, layout: CertifiedLayout): VecpgError | undefined {
  const message = error instanceof Error ? error.message + String((error.cause as Error | undefined)?.message) : '';
  if (layout.form !== 'prefix' || !/different halfvec dimensions/.test(message)) return undefined;
  return new VecpgError(
    'INVALID_OPTION',
    `certified.prefix ${String(layout.prefix)} is not the length of the table's prefix column: pass the prefix given to addCertifiedColumnsSql`,
    { cause: error, details: { option: 'prefix' } },
  );
}
