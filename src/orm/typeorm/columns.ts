/**
 * pgvector columns for TypeORM entities: `@VectorColumn(4)`, `@HalfvecColumn(…)`,
 * `@SparsevecColumn(10000)`, `@BitColumn(64)`. Each is TypeORM's own `@Column` with the pgvector
 * type, its dimensions as `length`, and a transformer that writes and reads values with vecpg's
 * codecs (one codec per type): insert plain arrays, `Vector`, `SparseVector`…, read back `number[]`,
 * `SparseVector` or the 0/1 bit string. The DataSource needs `registerVectorTypes(dataSource)` before
 * `initialize()` (TypeORM parses `vector` text itself, before transformers, and lacks `sparsevec`).
 */
import { Column, type ColumnOptions, type ColumnType, type ValueTransformer } from 'typeorm';
import { VecpgError, describeValue } from '../../errors.ts';
import { columnTypeSql } from '../../sql/ddl.ts';
import type { VectorType } from '../../sql/operators.ts';
import { toVectorValue } from '../../sql/params.ts';
import { Bit, isBit } from '../../types/bit.ts';
import { parseDenseText } from '../../types/dense.ts';
import { HalfVector, isHalfVector } from '../../types/halfvec.ts';
import { SparseVector, isSparseVector } from '../../types/sparsevec.ts';
import { Vector, isVector } from '../../types/vector.ts';

/** `@Column` options a vecpg column accepts (everything but the type, length and transformer it sets). */
export type VectorColumnOptions = Omit<ColumnOptions, 'type' | 'length' | 'transformer' | 'array'>;

/** Marks the transformers vecpg made, so helpers can find vecpg's columns in entity metadata. */
const COLUMN_TYPE = Symbol.for('vecpg.typeorm.columnType');

/** A TypeORM transformer for one pgvector type, tagged with that type. */
export interface VectorTransformer extends ValueTransformer {
  readonly [COLUMN_TYPE]: VectorType;
}

function toParam(type: VectorType, dimensions: number | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const v = toVectorValue(value, type);
  const size = isBit(v) ? v.length : v.dimensions;
  if (dimensions !== undefined && size !== dimensions) {
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

export function fromDb(type: VectorType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (type) {
    case 'vector':
      // TypeORM pre-splits vector text into numbers; a driver with vecpg's parsers gives number[].
      if (typeof value === 'string') return parseDenseText(value, 'vector').map(Math.fround);
      if (isVector(value)) return value.toArray();
      return new Vector(value as number[]).toArray();
    case 'halfvec':
      if (typeof value === 'string') return HalfVector.fromSql(value).toArray();
      if (isHalfVector(value)) return value.toArray();
      return new HalfVector(value as number[]).toArray();
    case 'sparsevec':
      if (isSparseVector(value)) return value;
      if (typeof value === 'string') return SparseVector.fromSql(value);
      break;
    case 'bit':
      if (isBit(value)) return value.toString();
      if (typeof value === 'string') return Bit.fromSql(value).toString();
      break;
  }
  throw new VecpgError('INVALID_VALUE', `cannot read a ${type} column value from ${describeValue(value)}`);
}

/**
 * The transformer of a pgvector column: `to` validates and encodes (refusing a value of the wrong
 * size when `dimensions` is given), `from` decodes to `number[]` / `SparseVector` / bit string.
 *
 * @example
 * @Column({ type: 'vector', length: 3, transformer: vectorTransformer('vector', 3) }) embedding!: number[];
 */
export function vectorTransformer(type: VectorType, dimensions?: number): VectorTransformer {
  return {
    [COLUMN_TYPE]: type,
    to: (value: unknown) => toParam(type, dimensions, value),
    from: (value: unknown) => fromDb(type, value),
  };
}

/**
 * The pgvector type of a column vecpg declared (through its transformer), or undefined.
 *
 * @example
 * vecpgColumnType(dataSource.getMetadata(Item).findColumnWithPropertyName('embedding')!); // 'vector'
 */
export function vecpgColumnType(column: {
  transformer?: ValueTransformer | ValueTransformer[] | undefined;
}): VectorType | undefined {
  const t = column.transformer;
  const list = Array.isArray(t) ? t : t ? [t] : [];
  for (const x of list) {
    const type = (x as Partial<VectorTransformer>)[COLUMN_TYPE];
    if (type !== undefined) return type;
  }
  return undefined;
}

/**
 * The `@Column` / `EntitySchema` options of a pgvector column: type, dimensions (as `length`,
 * validated like the server does) and vecpg's transformer.
 *
 * @example
 * new EntitySchema({ name: 'item', columns: { embedding: vectorColumnOptions('vector', 3) } });
 */
export function vectorColumnOptions(
  type: VectorType,
  dimensions: number,
  options: VectorColumnOptions = {},
): ColumnOptions {
  columnTypeSql(type, dimensions); // validates type and dimensions (INVALID_DIMENSIONS)
  // TypeORM's own type union lacks `sparsevec`; registerVectorTypes teaches the driver about it.
  const columnType = type as ColumnType;
  return { ...options, type: columnType, length: dimensions, transformer: vectorTransformer(type, dimensions) };
}

/**
 * A `vector(n)` column (float32). Reads back `number[]`.
 *
 * @example
 * @Entity() class Document { @VectorColumn(4) embedding!: number[] }
 */
export function VectorColumn(dimensions: number, options?: VectorColumnOptions): PropertyDecorator {
  return Column(vectorColumnOptions('vector', dimensions, options));
}

/**
 * A `halfvec(n)` column (float16, half the storage). Reads back `number[]` (exact float16 values).
 *
 * @example
 * @HalfvecColumn(3072) embedding!: number[];
 */
export function HalfvecColumn(dimensions: number, options?: VectorColumnOptions): PropertyDecorator {
  return Column(vectorColumnOptions('halfvec', dimensions, options));
}

/**
 * A `sparsevec(n)` column. Write a `SparseVector` (0-based indices) or a dense array; reads back a
 * `SparseVector`, never a string.
 *
 * @example
 * @SparsevecColumn(10000) features!: SparseVector;
 */
export function SparsevecColumn(dimensions: number, options?: VectorColumnOptions): PropertyDecorator {
  return Column(vectorColumnOptions('sparsevec', dimensions, options));
}

/**
 * A `bit(n)` column (always with its length: a bare `bit` is `bit(1)`). Write a `Bit`, a 0/1
 * string or booleans; reads back the 0/1 string.
 *
 * @example
 * @BitColumn(8) bits!: string;
 */
export function BitColumn(length: number, options?: VectorColumnOptions): PropertyDecorator {
  return Column(vectorColumnOptions('bit', length, options));
}
