/**
 * pgvector columns for Kysely: the types to put in your `Database` interface (what a select returns,
 * what an insert or update accepts), the SQL data type for the schema builder, and a plugin that
 * writes every accepted input form as pgvector text. Reading values back as `number[]` /
 * `SparseVector` / `'0101'` is the driver's job: `registerTypes(pool)` from `vecpg/pg`, or the
 * PGlite dialect of `vecpg/kysely` over `openPglite()`.
 */
import {
  type ColumnType,
  type ColumnUpdateNode,
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryId,
  type QueryResult,
  type RawBuilder,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
  type ValuesNode,
  sql,
} from 'kysely';
import { columnTypeSql } from '../../sql/ddl.ts';
import { type SparseObject, type VectorType, isSparseObject } from '../../sql/operators.ts';
import { toVectorValue } from '../../sql/params.ts';
import { type Bit, isBit } from '../../types/bit.ts';
import { type HalfVector, isHalfVector } from '../../types/halfvec.ts';
import { type SparseVector, isSparseVector } from '../../types/sparsevec.ts';
import { type Vector, isVector } from '../../types/vector.ts';

/** What a `vector` or `halfvec` column accepts on insert and update. */
export type DenseColumnInput = readonly number[] | Float32Array | Float64Array | Vector | HalfVector;
/** What a `sparsevec` column accepts: a `SparseVector` or `{ indices, values, dimensions }` (0-based). */
export type SparseColumnInput = SparseVector | SparseObject;
/** What a `bit` column accepts: its `'0101'` string or a `Bit`. */
export type BitColumnInput = string | Bit;

/**
 * A `vector(n)` column in a Kysely `Database` interface: selects `number[]`, accepts arrays,
 * `Float32Array`, `Vector`, `HalfVector`. `VectorColumn<null>` for a nullable column.
 *
 * @example
 * interface Database { documents: { id: Generated<number>; title: string; embedding: VectorColumn } }
 */
export type VectorColumn<TNull extends null = never> = ColumnType<
  number[] | TNull,
  DenseColumnInput | TNull,
  DenseColumnInput | TNull
>;

/**
 * A `halfvec(n)` column: selects `number[]` (the exact float16 values), accepts what `vector` accepts.
 *
 * @example
 * interface Database { items: { embedding: HalfvecColumn<null> } }
 */
export type HalfvecColumn<TNull extends null = never> = ColumnType<
  number[] | TNull,
  DenseColumnInput | TNull,
  DenseColumnInput | TNull
>;

/**
 * A `sparsevec(n)` column: selects a `SparseVector` (never a string), accepts a `SparseVector` or
 * `{ indices, values, dimensions }` with 0-based indices.
 *
 * @example
 * interface Database { science_data: { name: string; features: SparsevecColumn } }
 */
export type SparsevecColumn<TNull extends null = never> = ColumnType<
  SparseVector | TNull,
  SparseColumnInput | TNull,
  SparseColumnInput | TNull
>;

/**
 * A `bit(n)` column: selects the `'0101'` string, accepts it or a `Bit`.
 *
 * @example
 * interface Database { images: { hash: BitColumn } }
 */
export type BitColumn<TNull extends null = never> = ColumnType<
  string | TNull,
  BitColumnInput | TNull,
  BitColumnInput | TNull
>;

/**
 * The SQL data type for `createTable().addColumn()`: `vector(3)`, `halfvec(3072)`, `sparsevec(10000)`,
 * `bit(64)`, dimensions validated by the SQL layer.
 *
 * @example
 * await db.schema.createTable('documents').addColumn('embedding', vectorDataType('vector', 4)).execute();
 */
export function vectorDataType(type: VectorType, dimensions: number): RawBuilder<unknown> {
  return sql.raw(columnTypeSql(type, dimensions));
}

/** Options of {@link PgvectorPlugin}. */
export interface PgvectorPluginOptions {
  /**
   * Write plain number arrays (and Float32Array) inserted or updated as vector text `[1,2,3]`
   * (default true). Turn off if you also store `real[]`/`float8[]` columns through Kysely.
   */
  denseArrays?: boolean;
}

function isNumberArray(value: unknown): value is readonly number[] | Float32Array | Float64Array {
  if (value instanceof Float32Array || value instanceof Float64Array) return true;
  return Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'number');
}

class VectorValueTransformer extends OperationNodeTransformer {
  #inWrite = 0;
  readonly #denseArrays: boolean;

  constructor(denseArrays: boolean) {
    super();
    this.#denseArrays = denseArrays;
  }

  convert(value: unknown): unknown {
    if (isVector(value) || isHalfVector(value) || isSparseVector(value) || isBit(value)) return value.toSql();
    if (this.#inWrite > 0) {
      if (isSparseObject(value)) return toVectorValue(value, 'sparsevec').toSql();
      if (this.#denseArrays && isNumberArray(value)) return toVectorValue(value, 'vector').toSql();
    }
    return value;
  }

  protected override transformValues(node: ValuesNode, queryId?: QueryId): ValuesNode {
    this.#inWrite++;
    try {
      return super.transformValues(node, queryId);
    } finally {
      this.#inWrite--;
    }
  }

  protected override transformColumnUpdate(node: ColumnUpdateNode, queryId?: QueryId): ColumnUpdateNode {
    this.#inWrite++;
    try {
      return super.transformColumnUpdate(node, queryId);
    } finally {
      this.#inWrite--;
    }
  }

  protected override transformValue(node: ValueNode, queryId?: QueryId): ValueNode {
    const out = super.transformValue(node, queryId);
    const value = this.convert(out.value);
    return value === out.value ? out : { ...out, value };
  }

  protected override transformPrimitiveValueList(
    node: PrimitiveValueListNode,
    queryId?: QueryId,
  ): PrimitiveValueListNode {
    const out = super.transformPrimitiveValueList(node, queryId);
    const values = out.values.map((v) => this.convert(v));
    return values.every((v, i) => v === out.values[i]) ? out : { ...out, values };
  }
}

/**
 * A Kysely plugin that writes vecpg's values (`Vector`, `HalfVector`, `SparseVector`, `Bit`)
 * anywhere in a query, and plain number arrays and `{ indices, values, dimensions }` objects in
 * inserted or updated rows, as pgvector text, so every input form of the column types works on
 * every driver. Registered explicitly; it changes nothing else.
 *
 * @example
 * const db = new Kysely<Database>({ dialect, plugins: [new PgvectorPlugin()] });
 */
export class PgvectorPlugin implements KyselyPlugin {
  readonly #denseArrays: boolean;

  constructor(options: PgvectorPluginOptions = {}) {
    this.#denseArrays = options.denseArrays ?? true;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return new VectorValueTransformer(this.#denseArrays).transformNode(args.node, args.queryId);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
