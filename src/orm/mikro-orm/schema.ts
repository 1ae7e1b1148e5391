/**
 * Declaring pgvector columns and indexes the MikroORM way: property options for entity schemas or
 * `@Property()`, and index definitions for `indexes: [...]` or `@Index()` that the schema
 * generator creates and then leaves alone.
 */
import { createIndexSql, defaultIndexName } from '../../sql/ddl.ts';
import { withoutQuestionMarksInIdentifiers } from '../../sql/identifiers.ts';
import { type QuantizableIndexOptions, quantizedIndexOptions } from '../search-modes.ts';
import type { VectorType } from '../../sql/operators.ts';
import { BitColumnType, HalfvecColumnType, SparsevecColumnType, VectorColumnType } from './types.ts';

/** The column type instance for a pgvector type. */
export type PgvectorColumnType = VectorColumnType | HalfvecColumnType | SparsevecColumnType | BitColumnType;

/** The column type class for each pgvector type. */
export interface ColumnTypeOf {
  vector: VectorColumnType;
  halfvec: HalfvecColumnType;
  sparsevec: SparsevecColumnType;
  bit: BitColumnType;
}

/** What {@link vectorProperty} returns: spread it into your property options. */
export interface VectorPropertyOptions<C extends PgvectorColumnType = PgvectorColumnType> {
  type: C;
  /**
   * Set for halfvec and sparsevec: MikroORM 6.6 reads the dimensions of `vector` columns back from
   * the database, but not of halfvec/sparsevec ones, and would otherwise report an ALTER on every
   * schema diff. A change of their dimensions is then not detected: write that migration by hand.
   */
  ignoreSchemaChanges?: Array<'type' | 'extra' | 'default'>;
}

/**
 * Property options for a pgvector column.
 *
 * @example
 * new EntitySchema({ name: 'ScienceData', properties: {
 *   id: { type: 'number', primary: true },
 *   features: { ...vectorProperty('sparsevec', 10000), nullable: true },
 * } });
 */
export function vectorProperty<T extends VectorType>(
  type: T,
  dimensions: number,
): VectorPropertyOptions<ColumnTypeOf[T]>;
export function vectorProperty(type: VectorType, dimensions: number): VectorPropertyOptions {
  switch (type) {
    case 'vector':
      return { type: new VectorColumnType(dimensions) };
    case 'bit':
      return { type: new BitColumnType(dimensions) };
    case 'halfvec':
      return { type: new HalfvecColumnType(dimensions), ignoreSchemaChanges: ['type'] };
    case 'sparsevec':
      return { type: new SparsevecColumnType(dimensions), ignoreSchemaChanges: ['type'] };
  }
}

/** An index definition for MikroORM: a name and the full `CREATE INDEX` expression. */
export interface VectorIndexDefinition {
  name: string;
  expression: string;
}

/**
 * An HNSW / IVFFlat index for `indexes: [...]` (EntitySchema) or `@Index(...)`: the opclass from
 * the column type and distance, options validated. MikroORM compares custom-expression indexes by
 * name, so a second `getUpdateSchemaSQL()` or migration diff leaves it alone.
 *
 * @example
 * indexes: [vectorIndex({ table: 'documents', column: 'embedding', type: 'vector', distance: 'cosine', method: 'hnsw' }),
 *   vectorIndex({ table: 'documents', column: 'embedding', type: 'vector', distance: 'cosine', dimensions: 4, quantize: 'binary' })]
 */
export function vectorIndex(quantizable: QuantizableIndexOptions): VectorIndexDefinition {
  const options = quantizedIndexOptions(quantizable);
  const method = options.method ?? 'hnsw';
  const name =
    options.name ??
    defaultIndexName(options.table, options.column ?? options.expression ?? '', method, options.distance);
  return { name, expression: withoutQuestionMarksInIdentifiers(createIndexSql({ ...options, method, name })) };
}
