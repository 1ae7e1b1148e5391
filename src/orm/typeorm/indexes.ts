/**
 * HNSW / IVFFlat indexes declared on an entity. TypeORM's `@Index` cannot name an operator class
 * or an access method's options, and its synchronize drops every index the metadata does not know.
 * `@VectorIndex` therefore does two things: it registers a TypeORM `@Index(name, { synchronize:
 * false })` — so synchronize and `migration:generate` leave the index alone — and records vecpg's
 * spec, which {@link createVectorIndexes} turns into `CREATE INDEX IF NOT EXISTS … USING hnsw (…
 * <opclass>)` from a migration (or after `synchronize()` with {@link syncVectorSchema}).
 */
import { type DataSource, type EntityMetadata, type EntityTarget, type ObjectLiteral, Index } from 'typeorm';
import { VecpgError, describeValue } from '../../errors.ts';
import { type CreateIndexOptions, createIndexSql, setStorageSql } from '../../sql/ddl.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import type { DistanceName, IndexMethod } from '../../sql/operators.ts';
import { quantizedIndexOptions } from '../search-modes.ts';
import type { QuantizedForm } from '../../sql/rerank.ts';
import { vecpgColumnType } from './columns.ts';
import { type Queryable, typeormExecutor } from './migrations.ts';
import { readTableColumns } from '../../sql/catalog.ts';
import { isCertifiedColumn } from '../../sql/certified-ddl.ts';
import { assertRegistered } from './register.ts';

/** Options of {@link VectorIndex}. */
export interface VectorIndexOptions {
  /** The index name (required: it is how synchronize recognises the index). */
  name: string;
  distance: DistanceName;
  /** Default `'hnsw'`. */
  method?: IndexMethod;
  /** HNSW: 2–100 (default 16). */
  m?: number;
  /** HNSW: 4–1000, at least 2·m (default 64). */
  efConstruction?: number;
  /** IVFFlat: 1–32768 (default 100). */
  lists?: number;
  /**
   * Index the quantized copy a two-stage search (`vectorSearch({ rerank })`) orders its candidates by:
   * `binary` (`binary_quantize(col)::bit(n)`, Hamming) or `halfvec` (`col::halfvec(n)`, this distance).
   */
  quantize?: QuantizedForm;
}

const specs = new WeakMap<object, Array<VectorIndexOptions & { property: string }>>();

/**
 * Declare an HNSW or IVFFlat index on a vecpg column (put it under `@VectorColumn`…). The
 * operator class follows from the column type and `distance`; options are validated when the
 * index is created.
 *
 * @example
 * @VectorColumn(4)
 * @VectorIndex({ name: 'document_embedding_hnsw', distance: 'cosine', method: 'hnsw', m: 16 })
 * @VectorIndex({ name: 'document_embedding_bq', distance: 'cosine', quantize: 'binary' }) // for vectorSearch({ rerank })
 * embedding!: number[];
 */
export function VectorIndex(options: VectorIndexOptions): PropertyDecorator {
  if (typeof options?.name !== 'string' || options.name.length === 0) {
    throw new VecpgError('INVALID_OPTION', `@VectorIndex needs a name, got ${describeValue(options?.name)}`);
  }
  const typeorm = Index(options.name, { synchronize: false });
  return (target, propertyKey) => {
    if (typeof propertyKey !== 'string')
      throw new VecpgError('INVALID_OPTION', '@VectorIndex goes on a named property');
    const ctor = (target as { constructor: object }).constructor;
    const list = specs.get(ctor) ?? [];
    list.push({ ...options, property: propertyKey });
    specs.set(ctor, list);
    typeorm(target, propertyKey);
  };
}

/** The specs declared on `target` and its parent classes. */
function specsOf(target: unknown): Array<VectorIndexOptions & { property: string }> {
  const out: Array<VectorIndexOptions & { property: string }> = [];
  for (let c: unknown = target; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    out.push(...(specs.get(c) ?? []));
  }
  return out;
}

function tableOf(metadata: EntityMetadata): QualifiedName {
  return metadata.schema ? [metadata.schema, metadata.tableName] : metadata.tableName;
}

/**
 * The `createIndexSql` options of every `@VectorIndex` on an entity, resolved against its metadata
 * (table, database column name, type, dimensions).
 *
 * @example
 * vectorIndexesOf(dataSource.getMetadata(Document)); // [{ table: 'document', column: 'embedding', type: 'vector', … }]
 */
export function vectorIndexesOf(metadata: EntityMetadata): CreateIndexOptions[] {
  return specsOf(metadata.target).map((spec) => {
    const column = metadata.findColumnWithPropertyName(spec.property);
    const type = column ? vecpgColumnType(column) : undefined;
    if (!column || !type) {
      throw new VecpgError(
        'INVALID_OPTION',
        `@VectorIndex "${spec.name}" is on ${metadata.name}.${spec.property}, which is not a vecpg column`,
      );
    }
    const options: CreateIndexOptions = {
      table: tableOf(metadata),
      column: column.databaseName,
      type,
      distance: spec.distance,
      name: spec.name,
    };
    if (column.length) options.dimensions = Number(column.length);
    if (spec.method !== undefined) options.method = spec.method;
    if (spec.m !== undefined) options.m = spec.m;
    if (spec.efConstruction !== undefined) options.efConstruction = spec.efConstruction;
    if (spec.lists !== undefined) options.lists = spec.lists;
    return spec.quantize === undefined ? options : quantizedIndexOptions({ ...options, quantize: spec.quantize });
  });
}

function dataSourceOf(q: Queryable & { connection?: DataSource }): DataSource {
  const ds = 'entityMetadatas' in q ? (q as unknown as DataSource) : q.connection;
  if (!ds) throw new VecpgError('INVALID_VALUE', 'expected a TypeORM DataSource or QueryRunner');
  return ds;
}

function metadatasOf(ds: DataSource, entities?: ReadonlyArray<EntityTarget<ObjectLiteral>>): EntityMetadata[] {
  return entities ? entities.map((e) => ds.getMetadata(e)) : ds.entityMetadatas;
}

/**
 * Create the `@VectorIndex` indexes of the given entities (default: all), `IF NOT EXISTS`.
 * Returns the statements run. Call it from a migration's `up` (with its QueryRunner), or after
 * `synchronize()`.
 *
 * @example
 * public async up(queryRunner: QueryRunner) { await createVectorIndexes(queryRunner, [Document]); }
 */
export async function createVectorIndexes(
  q: Queryable & { connection?: DataSource },
  entities?: ReadonlyArray<EntityTarget<ObjectLiteral>>,
): Promise<string[]> {
  const statements = metadatasOf(dataSourceOf(q), entities).flatMap((m) =>
    vectorIndexesOf(m).map((o) => createIndexSql({ ...o, ifNotExists: true })),
  );
  for (const sql of statements) await q.query(sql);
  return statements;
}

/**
 * Bring vecpg's part of the schema up to date after TypeORM's `synchronize()`: every vecpg column
 * gets storage MAIN (when it has another), every `@VectorIndex` is created if missing. Returns the
 * statements run (none on an up-to-date schema).
 *
 * @example
 * await dataSource.synchronize();
 * await syncVectorSchema(dataSource);
 */
export async function syncVectorSchema(
  q: Queryable & { connection?: DataSource },
  entities?: ReadonlyArray<EntityTarget<ObjectLiteral>>,
): Promise<string[]> {
  const run: string[] = [];
  const ds = dataSourceOf(q);
  assertRegistered(ds);
  for (const metadata of metadatasOf(ds, entities)) {
    const table = tableOf(metadata);
    const columns = metadata.columns.filter((c) => vecpgColumnType(c) !== undefined);
    if (columns.length > 0) {
      const rows = (await readTableColumns(typeormExecutor(q), table)) ?? [];
      for (const c of columns) {
        // MAIN already, or a certified column (its full vectors out of line by design): left as it is.
        if (rows.find((r) => r.name === c.databaseName)?.storage === 'm') continue;
        if (isCertifiedColumn(c.databaseName, rows)) continue;
        const sql = setStorageSql(table, c.databaseName, 'main');
        await q.query(sql);
        run.push(sql);
      }
    }
    const indexes = vectorIndexesOf(metadata);
    if (indexes.length === 0) continue;
    const existing = new Set(
      (
        (await q.query(
          `SELECT indexname FROM pg_indexes WHERE tablename = $1 AND schemaname = COALESCE($2, current_schema())`,
          [metadata.tableName, metadata.schema ?? null],
        )) as Array<{ indexname: string }>
      ).map((r) => r.indexname),
    );
    for (const o of indexes) {
      if (o.name !== undefined && existing.has(o.name)) continue;
      const sql = createIndexSql({ ...o, ifNotExists: true });
      await q.query(sql);
      run.push(sql);
    }
  }
  return run;
}
