/**
 * Teaching one TypeORM DataSource about pgvector's types. TypeORM 1.x (and 0.3.27+) knows `vector`
 * and `halfvec` (and `bit`) for PostgreSQL but not `sparsevec`; 0.3.20–0.3.26 know none of them. Its
 * metadata validator refuses an unknown type, and its schema reader loses the dimensions, so every
 * synchronize would drop and re-add the column (and its data). {@link registerVectorTypes} fixes both on
 * the given DataSource only: nothing global changes.
 */
import type { DataSource, QueryRunner, Table, ValueTransformer } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { VecpgError } from '../../errors.ts';
import { quoteQualified } from '../../sql/identifiers.ts';
import { vecpgColumnType } from './columns.ts';

const REGISTERED = Symbol.for('vecpg.typeorm.registered');

/** The parts of TypeORM's PostgresDriver this file touches (public fields, typed loosely upstream). */
interface PostgresDriverLike {
  supportedDataTypes: string[];
  withLengthColumnTypes: string[];
  createQueryRunner(mode: 'master' | 'slave'): QueryRunner;
  prepareHydratedValue(value: unknown, column: ColumnMetadata): unknown;
  parseTableName(target: Table): { schema?: string | undefined; tableName: string };
  [REGISTERED]?: true;
}

/** TypeORM's protected schema reader on a PostgresQueryRunner. */
interface LoadTablesRunner {
  loadTables(tableNames?: unknown[]): Promise<Table[]>;
}

/** pgvector's types that take a dimension (`bit` is TypeORM's own in every supported release). */
const VECTOR_TYPES = ['vector', 'halfvec', 'sparsevec'];

/** Fill in the dimensions of pgvector columns that TypeORM's schema reader leaves empty (`sparsevec`; all of them before 0.3.27). */
async function fixSparsevecLengths(runner: QueryRunner, driver: PostgresDriverLike, tables: Table[]): Promise<void> {
  for (const table of tables) {
    const columns = table.columns.filter((c) => VECTOR_TYPES.includes(c.type) && !c.length);
    if (columns.length === 0) continue;
    const { schema, tableName } = driver.parseTableName(table);
    const regclass = quoteQualified(schema ? [schema, tableName] : [tableName]);
    const rows = (await runner.query(
      `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
      [regclass],
    )) as Array<{ name: string; type: string }>;
    for (const column of columns) {
      const m = /^(?:[\w"]+\.)?(?:vector|halfvec|sparsevec)\((\d+)\)$/.exec(
        rows.find((r) => r.name === column.name)?.type ?? '',
      );
      if (m) column.length = m[1]!;
    }
  }
}

/** Apply a column's transformers on read, last first, as TypeORM does. */
function transformFrom(transformer: ValueTransformer | ValueTransformer[] | undefined, value: unknown): unknown {
  if (!transformer) return value;
  const list = Array.isArray(transformer) ? transformer : [transformer];
  return list.reduceRight<unknown>((v, t) => t.from(v), value);
}

/**
 * Throw INVALID_OPTION unless {@link registerVectorTypes} ran on this DataSource.
 *
 * @example
 * assertRegistered(dataSource);
 */
export function assertRegistered(dataSource: DataSource): void {
  if (!(dataSource.driver as unknown as PostgresDriverLike)[REGISTERED]) {
    throw new VecpgError(
      'INVALID_OPTION',
      'call registerVectorTypes(dataSource) before dataSource.initialize() to use vecpg columns with TypeORM',
    );
  }
}

/**
 * Register vecpg's column types on one DataSource, before `initialize()`: `sparsevec` becomes a
 * valid column type with its dimensions, schema synchronization reads those dimensions back (so an
 * unchanged schema shows no diff), and vecpg's columns are read by vecpg's codecs rather than by
 * TypeORM's own `vector` parsing (which returns before any transformer runs and gives
 * `Number('0.2')` instead of the stored float32, or the wrong float16). Only this DataSource's
 * driver changes; calling it twice is harmless.
 *
 * @example
 * const dataSource = registerVectorTypes(new DataSource({ type: 'postgres', url, entities: [ScienceData] }));
 * await dataSource.initialize();
 */
export function registerVectorTypes<D extends DataSource>(dataSource: D): D {
  if (dataSource.options.type !== 'postgres') {
    throw new VecpgError(
      'UNSUPPORTED',
      `vecpg/typeorm needs a "postgres" DataSource, got type ${JSON.stringify(dataSource.options.type)}`,
    );
  }
  const driver = dataSource.driver as unknown as PostgresDriverLike;
  if (driver[REGISTERED]) return dataSource;
  for (const list of [driver.supportedDataTypes, driver.withLengthColumnTypes]) {
    for (const type of VECTOR_TYPES) if (!list.includes(type)) list.push(type);
  }
  const createQueryRunner = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode) => {
    const runner = createQueryRunner(mode);
    const loader = runner as unknown as LoadTablesRunner;
    const load = loader.loadTables.bind(runner);
    loader.loadTables = async (tableNames) => {
      const tables = await load(tableNames);
      await fixSparsevecLengths(runner, driver, tables);
      return tables;
    };
    return runner;
  };
  const prepareHydratedValue = driver.prepareHydratedValue.bind(driver);
  driver.prepareHydratedValue = (value, column) =>
    vecpgColumnType(column) === undefined
      ? prepareHydratedValue(value, column)
      : transformFrom(column.transformer, value);
  Object.defineProperty(driver, REGISTERED, { value: true });
  return dataSource;
}
