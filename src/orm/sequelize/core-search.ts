/**
 * The searches vecpg's core implements once — two-stage (`rerank`), certified exact, hybrid — run for a
 * Sequelize model: the host's `where` is compiled by Sequelize itself (the model's default scope and
 * paranoid clause included, as `findAll` has them) into `ctid IN (SELECT … WHERE …)`, a `sqlFilter` the
 * core places wherever its statement filters (before the candidates are taken), and the rows come back
 * as model instances, built as `findAll` builds them.
 */
import { type Model, type ModelStatic, type Transaction, type WhereOptions, Utils, literal } from 'sequelize';
import type { Row, SqlExecutor, VecpgDb } from '../../sql/executor.ts';
import { type SqlFilter, sqlFilter } from '../../sql/filters.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import { sequelizeExecutor } from './migrations.ts';
import { PgvectorDataType, toModelValue } from './types.ts';

/** The parts of a model class `findAll` uses to compile its where (stable through Sequelize 6). */
interface ModelInternals {
  queryGenerator: { selectQuery(table: unknown, options: object, model: unknown): string };
  _injectScope(options: object): void;
  _paranoidClause(model: unknown, options: object): object;
}

interface SequelizeUtils {
  mapOptionFieldNames(options: object, model: unknown): object;
  cloneDeep<T>(value: T): T;
}

/** The model's Sequelize as the `VecpgDb` the core runs on (`transaction` for the settings it scopes). */
export function sequelizeDb<M extends Model>(model: ModelStatic<M>, transaction?: Transaction): VecpgDb {
  const sequelize = model.sequelize!;
  const executor = sequelizeExecutor(sequelize, transaction === undefined ? {} : { transaction });
  return {
    kind: 'pg',
    query: executor.query,
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
      sequelize.transaction((t) => fn(sequelizeExecutor(sequelize, { transaction: t }))),
  };
}

/** The model's table, as the core names tables. */
export function tableOf<M extends Model>(model: ModelStatic<M>): QualifiedName {
  const table = model.getTableName() as string | { tableName: string; schema?: string };
  if (typeof table === 'string') return table;
  return table.schema ? [table.schema, table.tableName] : table.tableName;
}

/** The database column (field) of an attribute. */
export function fieldOf<M extends Model>(model: ModelStatic<M>, attribute: string): string | undefined {
  const definition = (model.getAttributes() as Record<string, { field?: string } | undefined>)[attribute];
  return definition === undefined ? undefined : (definition.field ?? attribute);
}

/**
 * The host's where as a core filter: Sequelize renders `SELECT "Model".ctid FROM <table> AS "Model" WHERE
 * <where>` as `findAll` would (attribute names mapped to fields, default scope, paranoid clause), values
 * escaped by Sequelize as in any `findAll`.
 * `hashed` (certified search): `(ctid IN (…)) IS TRUE`, which PostgreSQL evaluates as a hashed subplan, a
 * per-row filter before the top-N sort; as a bare `ctid IN (…)` it plans a semi-join that sorts every row
 * first (4–5× slower on 50,000 rows). Two-stage search keeps the semi-join: there it probes the index's
 * candidates by TID, where a hashed subplan would scan the table.
 */
export function hostFilter<M extends Model>(
  model: ModelStatic<M>,
  where: WhereOptions<M['_attributes']> | undefined,
  hashed = false,
): SqlFilter | undefined {
  const internals = model as unknown as ModelInternals;
  const utils = Utils as unknown as SequelizeUtils;
  // A copy, as findAll takes one: the scope and field mapping below write into the options.
  const options: { attributes: unknown[]; tableAs: string; where?: unknown } = {
    attributes: [literal(`${quoteName(model.name)}.ctid`)],
    tableAs: model.name,
    ...(where === undefined ? {} : { where: utils.cloneDeep(where) }),
  };
  internals._injectScope(options);
  const scoped = internals._paranoidClause(model, options) as typeof options;
  if (scoped.where === undefined) return undefined;
  utils.mapOptionFieldNames(scoped, model);
  const text = internals.queryGenerator.selectQuery(model.getTableName(), scoped, model).replace(/;\s*$/, '');
  return sqlFilter(hashed ? `(ctid IN (${text})) IS TRUE` : `ctid IN (${text})`);
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Model instances from the core's rows (every column selected), built as `findAll` builds them. */
export function hydrate<M extends Model>(model: ModelStatic<M>, rows: readonly Row[]): M[] {
  const attributes = model.getAttributes() as Record<string, { field?: string; type?: unknown }>;
  const values = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [name, definition] of Object.entries(attributes)) {
      const field = definition.field ?? name;
      if (!(field in row)) continue;
      const value = row[field];
      out[name] = definition.type instanceof PgvectorDataType ? toModelValue(definition.type.vectorType, value) : value;
    }
    return out;
  });
  return model.bulkBuild(values as never, { raw: true, isNewRecord: false });
}
