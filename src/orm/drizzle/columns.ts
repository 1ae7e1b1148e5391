/**
 * Drizzle columns for pgvector's four types, declared with Drizzle's own `customType` so that
 * drizzle-kit writes them into migrations like any other column. Values go through vecpg's codecs:
 * vector and halfvec read back as `number[]`, sparsevec as a `SparseVector` (never a string), bit as
 * its `'0101'` string. Writes accept every form `vecpg` accepts (see {@link toVectorValue}).
 */
import { customType } from 'drizzle-orm/pg-core';
import type { ConvertCustomConfig, PgCustomColumnBuilder } from 'drizzle-orm/pg-core';
import { VecpgError, describeValue } from '../../errors.ts';
import { columnTypeSql } from '../../sql/ddl.ts';
import type { VectorType } from '../../sql/operators.ts';
import { toVectorValue } from '../../sql/params.ts';
import { Bit, isBit } from '../../types/bit.ts';
import { HalfVector, isHalfVector } from '../../types/halfvec.ts';
import { SparseVector, isSparseVector } from '../../types/sparsevec.ts';
import { Vector, isVector } from '../../types/vector.ts';

/** Configuration of every vecpg Drizzle column: its dimension count (bit: its length). */
export interface VectorColumnConfig {
  /** vector/halfvec 1–16,000; sparsevec 1–1,000,000,000; bit ≥ 1. Always required: an undimensioned column cannot be indexed. */
  dimensions: number;
}

/** The Drizzle column builder vecpg returns for a column whose values are `TData`. */
export type VecpgColumnBuilder<TName extends string, TData> = PgCustomColumnBuilder<
  ConvertCustomConfig<TName, { data: TData; driverData: string }>
>;

/** Marker on the field config, so index helpers can tell the pgvector type of a column. */
export interface VecpgFieldConfig extends VectorColumnConfig {
  readonly vecpgType: VectorType;
}

function checkSize(type: VectorType, expected: number, actual: number): void {
  if (expected !== actual) {
    const unit = type === 'bit' ? 'bits' : 'dimensions';
    throw new VecpgError(
      'DIMENSION_MISMATCH',
      `a ${type}(${expected}) column cannot store a value with ${actual} ${unit}`,
      { details: { type, expected, actual } },
    );
  }
}

/** The value written to the driver: pgvector's text form, validated by the one codec of the type. */
function encode(type: VectorType, dimensions: number, value: unknown): string {
  const v = toVectorValue(value, type);
  checkSize(type, dimensions, isBit(v) ? v.length : v.dimensions);
  return v.toSql();
}

/**
 * Decode what the driver hands back: pgvector's text (no parser registered), or a value already
 * decoded by vecpg's driver parsers (`vecpg/pg`, `vecpg/pglite` register them).
 */
function decodeDense(type: 'vector' | 'halfvec', value: unknown): number[] {
  if (typeof value === 'string')
    return type === 'vector' ? Vector.fromSql(value).toArray() : HalfVector.fromSql(value).toArray();
  if (Array.isArray(value)) return value as number[];
  if (value instanceof Float32Array) return Array.from(value);
  if (isVector(value) || isHalfVector(value)) return value.toArray();
  throw new VecpgError('INVALID_VALUE', `cannot read a ${type} column value from ${describeValue(value)}`);
}

function decodeSparse(value: unknown): SparseVector {
  if (typeof value === 'string') return SparseVector.fromSql(value);
  if (isSparseVector(value)) return value;
  throw new VecpgError('INVALID_VALUE', `cannot read a sparsevec column value from ${describeValue(value)}`);
}

function decodeBit(value: unknown): string {
  if (typeof value === 'string') return Bit.fromSql(value).toString();
  if (isBit(value)) return value.toString();
  throw new VecpgError('INVALID_VALUE', `cannot read a bit column value from ${describeValue(value)}`);
}

type Decoder<T> = (value: unknown) => T;

function make<T>(type: VectorType, decode: Decoder<T>, a: string | VectorColumnConfig, b?: VectorColumnConfig) {
  const name = typeof a === 'string' ? a : '';
  const config = typeof a === 'string' ? b : a;
  if (config === undefined || typeof config !== 'object') {
    throw new VecpgError('INVALID_DIMENSIONS', `a ${type} column needs { dimensions }, got ${describeValue(config)}`);
  }
  const sqlType = columnTypeSql(type, config.dimensions);
  const dimensions = config.dimensions;
  const field: VecpgFieldConfig = { dimensions, vecpgType: type };
  const build = customType<{ data: T; driverData: string; config: VecpgFieldConfig; configRequired: true }>({
    dataType: () => sqlType,
    toDriver: (value) => encode(type, dimensions, value),
    fromDriver: (value) => decode(value),
  });
  return build(name, field);
}

/**
 * A `vector(n)` column (float32). Reads back `number[]`; writes accept `number[]`, `Float32Array`,
 * `Vector` or `HalfVector`.
 *
 * @example
 * const documents = pgTable('documents', {
 *   id: serial('id').primaryKey(),
 *   embedding: vector('embedding', { dimensions: 4 }),
 * });
 */
export function vector<TName extends string>(
  name: TName,
  config: VectorColumnConfig,
): VecpgColumnBuilder<TName, number[]>;
export function vector(config: VectorColumnConfig): VecpgColumnBuilder<'', number[]>;
export function vector(a: string | VectorColumnConfig, b?: VectorColumnConfig): VecpgColumnBuilder<string, number[]> {
  return make('vector', (v) => decodeDense('vector', v), a, b);
}

/**
 * A `halfvec(n)` column (float16, half the storage). Reads back `number[]` holding the exact
 * stored float16 values.
 *
 * @example
 * const items = pgTable('items', { embedding: halfvec('embedding', { dimensions: 3072 }) });
 */
export function halfvec<TName extends string>(
  name: TName,
  config: VectorColumnConfig,
): VecpgColumnBuilder<TName, number[]>;
export function halfvec(config: VectorColumnConfig): VecpgColumnBuilder<'', number[]>;
export function halfvec(a: string | VectorColumnConfig, b?: VectorColumnConfig): VecpgColumnBuilder<string, number[]> {
  return make('halfvec', (v) => decodeDense('halfvec', v), a, b);
}

/**
 * A `sparsevec(n)` column. Reads back a `SparseVector` with 0-based indices; writes accept a
 * `SparseVector`, `{ indices, values, dimensions }` (0-based) or a dense array.
 *
 * @example
 * const scienceData = pgTable('science_data', { features: sparsevec('features', { dimensions: 10000 }) });
 * await db.insert(scienceData).values({ features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) });
 */
export function sparsevec<TName extends string>(
  name: TName,
  config: VectorColumnConfig,
): VecpgColumnBuilder<TName, SparseVector>;
export function sparsevec(config: VectorColumnConfig): VecpgColumnBuilder<'', SparseVector>;
export function sparsevec(
  a: string | VectorColumnConfig,
  b?: VectorColumnConfig,
): VecpgColumnBuilder<string, SparseVector> {
  return make('sparsevec', decodeSparse, a, b);
}

/**
 * A `bit(n)` column for Hamming and Jaccard distances. Reads back the `'0101'` string; writes
 * accept that string, a `Bit` or an array of booleans. Always has a length (a bare `bit` is `bit(1)`).
 *
 * @example
 * const images = pgTable('images', { hash: bit('hash', { dimensions: 64 }) });
 */
export function bit<TName extends string>(name: TName, config: VectorColumnConfig): VecpgColumnBuilder<TName, string>;
export function bit(config: VectorColumnConfig): VecpgColumnBuilder<'', string>;
export function bit(a: string | VectorColumnConfig, b?: VectorColumnConfig): VecpgColumnBuilder<string, string> {
  return make('bit', decodeBit, a, b);
}
