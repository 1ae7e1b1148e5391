/**
 * Vector parameters in the user's own statements (`db.query(sql, params)`). node-postgres knows
 * nothing of a parameter's type: a `number[]` goes out as a PostgreSQL array (`{"1","2","3"}`, which
 * `vector` refuses) and a `Float32Array` as raw bytes. An array is only known to be a vector where
 * the statement says so — `$1::vector`, `$1::halfvec(3)`, `CAST($1 AS sparsevec)` — so exactly
 * those parameters are converted to pgvector text; a `number[]` for an `int[]` column stays an array.
 * `Float32Array` / `Float64Array` are always vectors (PostgreSQL has no other use for them).
 * vecpg values (`Vector`, `HalfVector`, `SparseVector`, `Bit`) already carry `toPostgres()`, and
 * `Uint8Array` stays a binary parameter (vecpg's own fast path).
 */
import { HalfVector } from '../types/halfvec.ts';
import { SparseVector } from '../types/sparsevec.ts';
import { Vector } from '../types/vector.ts';

type CastType = 'vector' | 'halfvec' | 'sparsevec';

const NAME = String.raw`(?:(?:"[^"]+"|\w+)\s*\.\s*)?"?(vector|halfvec|sparsevec)"?`;
// Not followed by an array declarator: `$1::vector[]` is an array of vectors, left to the driver.
const NOT_ARRAY = String.raw`(?!\w)(?!\s*(?:\(\s*\d+\s*\))?\s*\[)`;
const CAST_PATTERNS = [
  new RegExp(String.raw`\$(\d+)\s*::\s*${NAME}${NOT_ARRAY}`, 'gi'),
  new RegExp(String.raw`\bCAST\s*\(\s*\$(\d+)\s+AS\s+${NAME}${NOT_ARRAY}`, 'gi'),
];

/**
 * The parameters the statement casts to a pgvector type, by 1-based number.
 *
 * @example
 * vectorParamCasts('SELECT $1::vector(3), CAST($2 AS halfvec)'); // Map { 1 => 'vector', 2 => 'halfvec' }
 */
export function vectorParamCasts(text: string): Map<number, CastType> {
  const out = new Map<number, CastType>();
  for (const pattern of CAST_PATTERNS) {
    for (const m of text.matchAll(pattern)) out.set(Number(m[1]), m[2]!.toLowerCase() as CastType);
  }
  return out;
}

const isFloatArray = (v: unknown): v is Float32Array | Float64Array =>
  v instanceof Float32Array || v instanceof Float64Array;

function asText(value: readonly number[] | Float32Array | Float64Array, type: CastType): string {
  switch (type) {
    case 'halfvec':
      return new HalfVector(value).toSql();
    case 'sparsevec':
      return new SparseVector(value).toSql();
    default:
      return new Vector(value).toSql();
  }
}

/**
 * The parameters with plain and typed arrays converted to pgvector text where they are vectors (see the
 * file comment); the same array when nothing needs converting. Invalid vectors (NaN, empty) fail
 * here with vecpg's own error codes.
 *
 * @example
 * prepareVectorParams('SELECT $1::vector', [[1, 2, 3]]); // ['[1,2,3]']
 * prepareVectorParams('SELECT $1::int[]', [[1, 2, 3]]); // [[1, 2, 3]]
 */
export function prepareVectorParams(
  text: string,
  params: readonly unknown[] | undefined,
): readonly unknown[] | undefined {
  if (params === undefined || !params.some((p) => Array.isArray(p) || isFloatArray(p))) return params;
  const casts = vectorParamCasts(text);
  let out: unknown[] | undefined;
  params.forEach((p, i) => {
    const type = casts.get(i + 1);
    const numbers = Array.isArray(p) && p.every((x) => typeof x === 'number');
    if ((type !== undefined && (numbers || isFloatArray(p))) || (type === undefined && isFloatArray(p))) {
      out ??= [...params];
      out[i] = asText(p, type ?? 'vector');
    }
  });
  return out ?? params;
}
