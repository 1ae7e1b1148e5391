/**
 * What every driver shares: finding pgvector's type OIDs in the database, and turning the server's
 * text for each type into a JavaScript value with the codecs in `src/types` (one codec per type).
 */
import { VecpgError } from '../errors.ts';
import { parseArrayText } from './array-text.ts';
import { Bit } from '../types/bit.ts';
import { parseDenseFloat32, parseDenseNumbers } from '../types/dense.ts';
import { HalfVector } from '../types/halfvec.ts';
import { SparseVector } from '../types/sparsevec.ts';
import { Vector } from '../types/vector.ts';

/** PostgreSQL's built-in OIDs for `bit` and `varbit` (fixed in every database). */
export const BIT_OID = 1560;
export const VARBIT_OID = 1562;

/**
 * How rows come back.
 *
 * @example
 * await registerVectorTypes(pool, { dense: 'float32', bit: 'class' });
 */
export interface VectorTypeOptions {
  /**
   * `vector` and `halfvec` columns as `number[]` (default), `Float32Array`, or `Vector` / `HalfVector`.
   * Numbers are the exact stored values (float32, or float16 for halfvec).
   */
  dense?: 'array' | 'float32' | 'class';
  /** `bit` / `varbit` columns as PostgreSQL's `'0101'` string (default) or a `Bit`. */
  bit?: 'string' | 'class';
}

/** The OIDs of pgvector's types in one database (`undefined` when that pgvector lacks the type). */
export interface VectorTypeOids {
  vector: number;
  halfvec: number | undefined;
  sparsevec: number | undefined;
  /** Array types (`vector[]` …), by element type name. */
  arrays: { vector: number; halfvec: number | undefined; sparsevec: number | undefined };
  /** The schema the extension was created in. */
  schema: string;
}

/**
 * The lookup statement: pgvector's types in whatever schema the extension lives in, plus that schema.
 * Returns no rows when the extension is not installed.
 */
export const VECTOR_TYPES_SQL = `SELECT t.oid::int AS oid, t.typname::text AS typname, t.typarray::int AS typarray, n.nspname::text AS schema
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_type t ON t.typnamespace = e.extnamespace AND t.typname IN ('vector', 'halfvec', 'sparsevec')
WHERE e.extname = 'vector'`;

/** One row of {@link VECTOR_TYPES_SQL}. */
export type TypeRow = { oid: unknown; typname: unknown; typarray: unknown; schema: unknown };

/**
 * Read the OIDs from the rows of {@link VECTOR_TYPES_SQL}; EXTENSION_MISSING when there are none.
 *
 * @example
 * const oids = oidsFromRows((await pool.query(VECTOR_TYPES_SQL)).rows);
 */
export function oidsFromRows(rows: readonly TypeRow[]): VectorTypeOids {
  const first = rows[0];
  if (!first) {
    throw new VecpgError(
      'EXTENSION_MISSING',
      'the pgvector extension is not installed in this database: run CREATE EXTENSION vector ' +
        '(needs a role allowed to create extensions; on a managed service enable "vector" first)',
    );
  }
  const byName = new Map<string, { oid: number; typarray: number }>();
  for (const r of rows) {
    if (typeof r.typname === 'string') byName.set(r.typname, { oid: Number(r.oid), typarray: Number(r.typarray) });
  }
  const vector = byName.get('vector');
  if (!vector) {
    throw new VecpgError(
      'EXTENSION_MISSING',
      `the vector extension is installed but its type "vector" was not found in schema ${String(first.schema)}`,
    );
  }
  const halfvec = byName.get('halfvec');
  const sparsevec = byName.get('sparsevec');
  return {
    vector: vector.oid,
    halfvec: halfvec?.oid,
    sparsevec: sparsevec?.oid,
    arrays: { vector: vector.typarray, halfvec: halfvec?.typarray, sparsevec: sparsevec?.typarray },
    schema: String(first.schema),
  };
}

/** A text parser for one type. */
export type TextParser = (text: string) => unknown;

/**
 * The parsers for every pgvector type (and bit, when asked for `Bit`), keyed by OID.
 *
 * @example
 * for (const [oid, parse] of textParsers(oids, {})) client.setTypeParser(oid, 'text', parse);
 */
export function textParsers(oids: VectorTypeOids, options: VectorTypeOptions = {}): Map<number, TextParser> {
  const out = new Map<number, TextParser>();
  const dense = options.dense ?? 'array';
  out.set(oids.vector, vectorParser(dense));
  if (oids.halfvec !== undefined) out.set(oids.halfvec, halfvecParser(dense));
  if (oids.sparsevec !== undefined) out.set(oids.sparsevec, (text) => SparseVector.fromSql(text));
  if (options.bit === 'class') {
    out.set(BIT_OID, (text) => Bit.fromSql(text));
    out.set(VARBIT_OID, (text) => Bit.fromSql(text));
  }
  return out;
}

/** PostgreSQL's OIDs for `bit[]` and `varbit[]`. */
const BIT_ARRAY_OID = 1561;
const VARBIT_ARRAY_OID = 1563;

/**
 * Parsers for the array types (`vector[]`, `sparsevec[]`…, and `bit[]` when asked for `Bit`), keyed by
 * OID: nested arrays of what {@link textParsers} gives for one element.
 *
 * @example
 * for (const [oid, parse] of arrayTextParsers(oids, {})) client.setTypeParser(oid, 'text', parse);
 */
export function arrayTextParsers(oids: VectorTypeOids, options: VectorTypeOptions = {}): Map<number, TextParser> {
  const elements = textParsers(oids, options);
  const out = new Map<number, TextParser>();
  const add = (arrayOid: number | undefined, elementOid: number | undefined): void => {
    const parse = elementOid === undefined ? undefined : elements.get(elementOid);
    if (arrayOid !== undefined && arrayOid !== 0 && parse) out.set(arrayOid, (text) => parseArrayText(text, parse));
  };
  add(oids.arrays.vector, oids.vector);
  add(oids.arrays.halfvec, oids.halfvec);
  add(oids.arrays.sparsevec, oids.sparsevec);
  add(BIT_ARRAY_OID, BIT_OID);
  add(VARBIT_ARRAY_OID, VARBIT_OID);
  return out;
}

function vectorParser(dense: 'array' | 'float32' | 'class'): TextParser {
  switch (dense) {
    case 'class':
      return (text) => Vector.fromSql(text);
    case 'float32':
      return (text) => parseDenseFloat32(text, 'vector');
    default:
      // The exact float32 the server stores, like `new Vector(x).toArray()` (rounded in one pass).
      return (text) => parseDenseNumbers(text, 'vector');
  }
}

function halfvecParser(dense: 'array' | 'float32' | 'class'): TextParser {
  switch (dense) {
    case 'class':
      return (text) => HalfVector.fromSql(text);
    case 'float32':
      return (text) => HalfVector.fromSql(text).toFloat32Array();
    default:
      return (text) => HalfVector.fromSql(text).toArray();
  }
}

/** A text serializer for one type's parameters. */
export type TextSerializer = (value: unknown) => string;

function serializerFor(build: (value: never) => { toSql(): string }): TextSerializer {
  return (value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null && typeof (value as { toSql?: unknown }).toSql === 'function') {
      return (value as { toSql(): string }).toSql();
    }
    return build(value as never).toSql();
  };
}

/**
 * Parameter serializers for drivers that know a parameter's type (postgres.js, PGlite): strings
 * pass through, vecpg values use `toSql()`, arrays become the type's value (`[1,2]` → `'[1,2]'`).
 *
 * @example
 * for (const [oid, serialize] of textSerializers(oids)) sql.options.serializers[oid] = serialize;
 */
export function textSerializers(oids: VectorTypeOids): Map<number, TextSerializer> {
  const out = new Map<number, TextSerializer>();
  out.set(
    oids.vector,
    serializerFor((v: ConstructorParameters<typeof Vector>[0]) => new Vector(v)),
  );
  if (oids.halfvec !== undefined) {
    out.set(
      oids.halfvec,
      serializerFor((v: ConstructorParameters<typeof HalfVector>[0]) => new HalfVector(v)),
    );
  }
  if (oids.sparsevec !== undefined) {
    out.set(
      oids.sparsevec,
      serializerFor((v: ConstructorParameters<typeof SparseVector>[0]) => new SparseVector(v)),
    );
  }
  return out;
}
