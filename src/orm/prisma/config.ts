/**
 * What the Prisma extension needs to know about the vector columns Prisma cannot see.
 * Prisma leaves `Unsupported("vector(n)")` fields out of its client, and its runtime data model
 * carries no column names, so the table, the id and each vector column are declared here once.
 */
import { VecpgError, describeValue } from '../../errors.ts';
import type { SparseVector } from '../../types/sparsevec.ts';
import { columnTypeSql } from '../../sql/ddl.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from '../../sql/identifiers.ts';
import { type VectorType, checkVectorType } from '../../sql/operators.ts';

/**
 * One vector column: its pgvector type, its dimensions (as in `Unsupported("vector(4)")`), and
 * its column name when the field has `@map("…")`.
 *
 * @example
 * const embedding: VectorField = { type: 'vector', dimensions: 4 };
 * const features: VectorField = { type: 'sparsevec', dimensions: 10000, column: 'features_col' };
 */
export interface VectorField {
  readonly type: VectorType;
  readonly dimensions: number;
  /** Column name; default the field name. */
  readonly column?: string;
}

/**
 * One model: its vector fields, and where it lives when the schema maps names.
 *
 * @example
 * const Document: VectorModel = { vectors: { embedding: { type: 'vector', dimensions: 4 } } };
 */
export interface VectorModel {
  /** Table (`@@map`), or `['schema', 'table']`; default the model name, as Prisma does. */
  readonly table?: QualifiedName;
  /** The `@id` field (a single scalar); default `'id'`. */
  readonly id?: string;
  /** Column of the id field when it has `@map`; default the id field name. */
  readonly idColumn?: string;
  readonly vectors: Readonly<Record<string, VectorField>>;
}

/**
 * The extension's configuration, keyed by model name as written in schema.prisma.
 *
 * @example
 * const config = { Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } } } satisfies VectorConfig;
 */
export type VectorConfig = Readonly<Record<string, VectorModel>>;

/**
 * How each type reads back: `number[]` for vector and halfvec, `SparseVector`, and bit as its `'0101'` string.
 *
 * @example
 * const features: VectorOutput['sparsevec'] = SparseVector.fromSql('{1:5.5}/10');
 */
export interface VectorOutput {
  vector: number[];
  halfvec: number[];
  sparsevec: SparseVector;
  bit: string;
}

/**
 * A vector field's value as read back (or null).
 *
 * @example
 * type Embedding = VectorValueOf<{ type: 'vector'; dimensions: 4 }>; // number[] | null
 */
export type VectorValueOf<F> = F extends { readonly type: infer T extends VectorType } ? VectorOutput[T] | null : never;

/**
 * A model's settings resolved to quoted SQL, checked once when the extension is built.
 *
 * @example
 * const doc: ResolvedModel = resolveConfig(config).get('Document')!; // doc.tableSql === '"Document"'
 */
export interface ResolvedModel {
  readonly name: string;
  /** The table as the SQL layer takes it (`name` or `[schema, name]`). */
  readonly table: QualifiedName;
  readonly tableSql: string;
  /** The id column's name. */
  readonly idColumn: string;
  readonly idField: string;
  readonly idSql: string;
  readonly vectors: ReadonlyMap<string, ResolvedField>;
}

/**
 * A vector field resolved to SQL.
 *
 * @example
 * const f: ResolvedField = doc.vectors.get('embedding')!; // f.columnType === 'vector(4)'
 */
export interface ResolvedField {
  readonly field: string;
  readonly type: VectorType;
  readonly dimensions: number;
  /** The column's name. */
  readonly column: string;
  readonly columnSql: string;
  /** `vector(4)`: the declared column type. */
  readonly columnType: string;
}

/**
 * Check a configuration and resolve every name through the one identifier quoter.
 * INVALID_OPTION / INVALID_IDENTIFIER / INVALID_DIMENSIONS name the model and field at fault.
 *
 * @example
 * resolveConfig({ Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } } }).get('Document')?.tableSql; // '"Document"'
 */
export function resolveConfig(config: VectorConfig): Map<string, ResolvedModel> {
  if (typeof config !== 'object' || config === null) {
    throw new VecpgError(
      'INVALID_OPTION',
      `the Prisma vector configuration must be an object keyed by model name, got ${describeValue(config)}`,
    );
  }
  const out = new Map<string, ResolvedModel>();
  for (const [name, model] of Object.entries(config)) {
    if (typeof model !== 'object' || model === null || typeof model.vectors !== 'object' || model.vectors === null) {
      throw new VecpgError(
        'INVALID_OPTION',
        `model ${name}: expected { vectors: { field: { type, dimensions } } }, got ${describeValue(model)}`,
      );
    }
    const idField = model.id ?? 'id';
    const vectors = new Map<string, ResolvedField>();
    for (const [field, spec] of Object.entries(model.vectors)) {
      const where = `model ${name}, field ${field}`;
      try {
        const type = checkVectorType(spec?.type);
        vectors.set(field, {
          field,
          type,
          dimensions: spec.dimensions,
          column: spec.column ?? field,
          columnSql: quoteIdent(spec.column ?? field),
          columnType: columnTypeSql(type, spec.dimensions),
        });
      } catch (error) {
        if (error instanceof VecpgError)
          throw new VecpgError(error.code, `${where}: ${error.message}`, {
            cause: error,
            details: { model: name, field },
          });
        throw error;
      }
    }
    if (vectors.size === 0) throw new VecpgError('INVALID_OPTION', `model ${name} declares no vector fields`);
    out.set(name, {
      name,
      table: model.table ?? name,
      tableSql: quoteQualified(model.table ?? name),
      idField,
      idColumn: model.idColumn ?? idField,
      idSql: quoteIdent(model.idColumn ?? idField),
      vectors,
    });
  }
  return out;
}

/**
 * The model (and field) a call refers to, or INVALID_OPTION naming what is configured.
 *
 * @example
 * const { model, field } = lookup(resolved, 'Document', 'embedding');
 */
export function lookup(
  models: ReadonlyMap<string, ResolvedModel>,
  modelName: string,
  field?: string,
): { model: ResolvedModel; field: ResolvedField | undefined } {
  const model = models.get(modelName);
  if (!model) {
    throw new VecpgError(
      'INVALID_OPTION',
      `model ${modelName} has no vector fields configured in vecpg's Prisma extension (configured: ${[...models.keys()].join(', ') || 'none'})`,
      {
        details: { model: modelName },
      },
    );
  }
  if (field === undefined) return { model, field: undefined };
  const f = model.vectors.get(field);
  if (!f) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${describeValue(field)} is not a vector field of model ${modelName} (vector fields: ${[...model.vectors.keys()].join(', ')})`,
      {
        details: { model: modelName, field },
      },
    );
  }
  return { model, field: f };
}
