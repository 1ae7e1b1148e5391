/**
 * MikroORM custom types for pgvector's columns: `vector(n)`, `halfvec(n)`, `sparsevec(n)`, `bit(n)`.
 * Written through vecpg's codecs (validated, dimension-checked), read back as `number[]`,
 * `SparseVector` or the 0/1 string — never pgvector's raw text.
 */
import { type EntityProperty, type Platform, Type } from '@mikro-orm/core';
import { VecpgError, describeValue } from '../../errors.ts';
import { Bit, isBit } from '../../types/bit.ts';
import { parseDenseText } from '../../types/dense.ts';
import { HalfVector, isHalfVector } from '../../types/halfvec.ts';
import { SparseVector, isSparseVector } from '../../types/sparsevec.ts';
import { isVector } from '../../types/vector.ts';
import { columnTypeSql } from '../../sql/ddl.ts';
import type { VectorType } from '../../sql/operators.ts';
import { toVectorValue } from '../../sql/params.ts';

/** Dimensions from the type instance, the property's `length`, or its column type (`vector(4)`). */
function dimensionsOf(own: number | undefined, prop: Partial<EntityProperty> | undefined, type: VectorType): number {
  if (own !== undefined) return own;
  if (typeof prop?.length === 'number' && prop.length > 0) return prop.length;
  const m = /\((\d+)\)\s*$/.exec(prop?.columnTypes?.[0] ?? '');
  if (m) return Number(m[1]);
  throw new VecpgError(
    'INVALID_DIMENSIONS',
    `${type} property ${prop?.name ?? ''} needs its dimensions: new ${type === 'bit' ? 'Bit' : type === 'halfvec' ? 'Halfvec' : type === 'sparsevec' ? 'Sparsevec' : 'Vector'}ColumnType(n) or length: n`,
  );
}

/** Shared behaviour of the four column types. */
abstract class PgvectorColumnType<JS> extends Type<JS | null | undefined, string | null | undefined> {
  abstract readonly vectorType: VectorType;
  /** Dimensions (bits for `bit`); when omitted, the property's `length`. */
  readonly dimensions: number | undefined;

  constructor(dimensions?: number) {
    super();
    this.dimensions = dimensions;
  }

  override getColumnType(prop: EntityProperty, _platform: Platform): string {
    return columnTypeSql(this.vectorType, dimensionsOf(this.dimensions, prop, this.vectorType));
  }

  override convertToDatabaseValue(value: JS | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value as null | undefined;
    const v = toVectorValue(value, this.vectorType);
    const size = 'dimensions' in v ? v.dimensions : v.length;
    const expected = dimensionsOf(this.dimensions, this.prop, this.vectorType);
    if (size !== expected) {
      const where = this.prop?.name ? ` for ${this.meta?.className ?? ''}.${this.prop.name}` : '';
      throw new VecpgError(
        'DIMENSION_MISMATCH',
        `expected ${expected} dimensions${where} (${this.vectorType}(${expected})), got ${size}`,
        {
          details: { expected, actual: size, property: this.prop?.name },
        },
      );
    }
    return v.toSql();
  }

  override convertToJSValue(value: string | null | undefined): JS | null | undefined {
    if (value === null || value === undefined) return value;
    return this.parse(value);
  }

  /** From pgvector's text, or from a value already parsed by vecpg's per-connection parsers. */
  protected abstract parse(value: unknown): JS;

  /** Snapshots compare pgvector's text form. */
  override compareAsType(): string {
    return 'string';
  }
}

function refuse(value: unknown, type: VectorType): never {
  throw new VecpgError('INVALID_VALUE', `cannot read a ${type} column value from ${describeValue(value)}`);
}

/**
 * `vector(n)`: write arrays / `Vector`s, read `number[]` (the exact float32 values).
 *
 * @example
 * const Document = new EntitySchema({ name: 'Document', properties: {
 *   id: { type: 'number', primary: true }, embedding: { type: new VectorColumnType(4) } } });
 */
export class VectorColumnType extends PgvectorColumnType<number[] | readonly number[]> {
  readonly vectorType = 'vector';
  protected parse(value: unknown): number[] {
    if (typeof value === 'string') return parseDenseText(value, 'vector').map(Math.fround);
    if (Array.isArray(value)) return value as number[];
    if (isVector(value) || value instanceof Float32Array) return Array.from(isVector(value) ? value.toArray() : value);
    return refuse(value, 'vector');
  }
}

/**
 * `halfvec(n)`: write arrays / `HalfVector`s, read `number[]` (the exact float16 values).
 *
 * @example
 * properties: { half: { type: new HalfvecColumnType(4) } }
 */
export class HalfvecColumnType extends PgvectorColumnType<number[] | readonly number[] | HalfVector> {
  readonly vectorType = 'halfvec';
  protected parse(value: unknown): number[] {
    if (typeof value === 'string') return HalfVector.fromSql(value).toArray();
    if (Array.isArray(value)) return value as number[];
    if (isHalfVector(value)) return value.toArray();
    return refuse(value, 'halfvec');
  }
}

/**
 * `sparsevec(n)`: write `SparseVector`s (0-based indices) or `{ indices, values, dimensions }`,
 * read `SparseVector`s — never the 1-based text.
 *
 * @example
 * properties: { features: { type: new SparsevecColumnType(10000) } }
 */
export class SparsevecColumnType extends PgvectorColumnType<SparseVector> {
  readonly vectorType = 'sparsevec';
  protected parse(value: unknown): SparseVector {
    if (typeof value === 'string') return SparseVector.fromSql(value);
    if (isSparseVector(value)) return value;
    return refuse(value, 'sparsevec');
  }
}

/**
 * `bit(n)`: write 0/1 strings or `Bit`s, read the 0/1 string.
 *
 * @example
 * properties: { bits: { type: new BitColumnType(8) } }
 */
export class BitColumnType extends PgvectorColumnType<string | Bit> {
  readonly vectorType = 'bit';
  protected parse(value: unknown): string {
    if (typeof value === 'string') return Bit.fromSql(value).toString();
    if (isBit(value)) return value.toString();
    return refuse(value, 'bit');
  }
}
