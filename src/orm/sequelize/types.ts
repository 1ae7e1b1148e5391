/**
 * pgvector data types for Sequelize 6 models and migrations: `VECTOR(4)`, `HALFVEC(n)`,
 * `SPARSEVEC(10000)`, `BIT(64)`. They are data type instances used directly as an attribute's
 * `type` — nothing is added to Sequelize's global `DataTypes` (pgvector's own adapter does that on
 * import). Values are written as bound parameters in pgvector's text form and read back with vecpg's
 * codecs: `number[]` for vector/halfvec, `SparseVector` for sparsevec, the 0/1 string for bit.
 */
import { type AbstractDataType, DataTypes } from 'sequelize';
import { VecpgError, describeValue } from '../../errors.ts';
import { columnTypeSql } from '../../sql/ddl.ts';
import type { VectorType } from '../../sql/operators.ts';
import { toVectorValue } from '../../sql/params.ts';
import { Bit, isBit } from '../../types/bit.ts';
import { parseDenseText } from '../../types/dense.ts';
import { HalfVector, isHalfVector } from '../../types/halfvec.ts';
import { SparseVector, isSparseVector } from '../../types/sparsevec.ts';
import { isVector } from '../../types/vector.ts';

/** The value of a pgvector column as the model holds it after reading or setting it. */
export type ModelValue = number[] | SparseVector | string;

/** Encode a value for a column of `type` (and `dimensions`), refusing a value of another size. */
export function toColumnParam(type: VectorType, dimensions: number, value: unknown): string {
  const v = toVectorValue(value, type);
  const size = isBit(v) ? v.length : v.dimensions;
  if (size !== dimensions) {
    throw new VecpgError(
      'DIMENSION_MISMATCH',
      `expected ${dimensions} dimensions for a ${type}(${dimensions}) column, got ${size}`,
      {
        details: { expected: dimensions, actual: size },
      },
    );
  }
  return v.toSql();
}

/**
 * The model's form of a column value: server text is parsed by vecpg's codec, inputs (Vector,
 * typed arrays, `{ indices, values, dimensions }`, Bit) are validated and normalized.
 */
export function toModelValue(type: VectorType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (type) {
    case 'vector':
      if (typeof value === 'string') return parseDenseText(value, 'vector').map(Math.fround);
      return isVector(value) ? value.toArray() : toVectorValue(value, 'vector').toArray();
    case 'halfvec':
      if (typeof value === 'string') return HalfVector.fromSql(value).toArray();
      return isHalfVector(value) ? value.toArray() : toVectorValue(value, 'halfvec').toArray();
    case 'sparsevec':
      if (typeof value === 'string') return SparseVector.fromSql(value);
      return isSparseVector(value) ? value : toVectorValue(value, 'sparsevec');
    case 'bit':
      if (typeof value === 'string') return Bit.fromSql(value).toString();
      return toVectorValue(value, 'bit').toString();
  }
}

/**
 * Sequelize's base data type class. `DataTypes.ABSTRACT` is a Proxy making the class callable
 * without `new`; its construct trap ignores subclasses, so extend the class behind it.
 */
const Abstract = (DataTypes.ABSTRACT as unknown as { prototype: { constructor: new () => AbstractDataType } }).prototype
  .constructor;

/**
 * A pgvector column type for Sequelize. Use the factories ({@link VECTOR}, {@link HALFVEC},
 * {@link SPARSEVEC}, {@link BIT}) rather than this class.
 *
 * @example
 * new PgvectorDataType('vector', 3).toSql(); // 'vector(3)'
 */
export class PgvectorDataType extends Abstract {
  readonly vectorType: VectorType;
  readonly dimensions: number;
  /** Called by Sequelize on every `set` (reads from the database included), with the model as `this`. */
  readonly _sanitize: (value: unknown) => unknown;
  /** Sequelize's change detection: lodash's isEqual sees no difference between two SparseVectors. */
  readonly _isChanged: (value: unknown, original: unknown) => boolean;

  constructor(type: VectorType, dimensions: number) {
    super();
    columnTypeSql(type, dimensions); // validates the type and the dimensions
    this.vectorType = type;
    this.dimensions = dimensions;
    this.key = `VECPG_${type.toUpperCase()}`;
    this._sanitize = (value) => toModelValue(type, value);
    this._isChanged = (value, original) => !sameValue(value, original);
  }

  override toSql(): string {
    return columnTypeSql(this.vectorType, this.dimensions);
  }

  override toString(): string {
    return this.toSql();
  }

  /** Inline form (Sequelize escapes it as a string literal), used for `where: { embedding: … }`. */
  _stringify(value: unknown): string {
    return toColumnParam(this.vectorType, this.dimensions, value);
  }

  /** Bound form, used by inserts and updates. */
  _bindParam(value: unknown, options: { bindParam: (v: unknown) => string }): string {
    return options.bindParam(toColumnParam(this.vectorType, this.dimensions, value));
  }

  /** With `typeValidation: true`, Sequelize calls this before a query. */
  validate(value: unknown): boolean {
    toColumnParam(this.vectorType, this.dimensions, value);
    return true;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (isSparseVector(a)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
  return false;
}

function check(what: string, dimensions: unknown): number {
  if (typeof dimensions !== 'number') {
    throw new VecpgError(
      'INVALID_DIMENSIONS',
      `${what} needs its dimensions (a bare ${what} cannot be indexed), got ${describeValue(dimensions)}`,
    );
  }
  return dimensions;
}

/**
 * `vector(n)`: float32 dense vectors. Set an array, `Vector` or `Float32Array`; read `number[]`.
 *
 * @example
 * sequelize.define('Document', { title: DataTypes.STRING, embedding: { type: VECTOR(4), allowNull: false } });
 */
export function VECTOR(dimensions: number): PgvectorDataType {
  return new PgvectorDataType('vector', check('vector', dimensions));
}

/**
 * `halfvec(n)`: float16 dense vectors (half the storage); reads the exact float16 values.
 *
 * @example
 * sequelize.define('Item', { embedding: HALFVEC(3072) });
 */
export function HALFVEC(dimensions: number): PgvectorDataType {
  return new PgvectorDataType('halfvec', check('halfvec', dimensions));
}

/**
 * `sparsevec(n)`: set a `SparseVector` (0-based indices) or a dense array; read a `SparseVector`.
 *
 * @example
 * sequelize.define('ScienceData', { name: DataTypes.STRING(100), features: SPARSEVEC(10000) });
 */
export function SPARSEVEC(dimensions: number): PgvectorDataType {
  return new PgvectorDataType('sparsevec', check('sparsevec', dimensions));
}

/**
 * `bit(n)` (always with a length: a bare `bit` is `bit(1)`); set a `Bit`, 0/1 string or booleans.
 *
 * @example
 * sequelize.define('Fingerprint', { bits: BIT(64) });
 */
export function BIT(length: number): PgvectorDataType {
  return new PgvectorDataType('bit', check('bit', length));
}
