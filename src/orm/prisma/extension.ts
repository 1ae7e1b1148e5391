/**
 * `pgvector(config)`: a Prisma Client extension adding vector methods to the configured models.
 * Filters use the model's own `where` through Prisma's `findMany` (Prisma turns them into SQL);
 * vecpg then ranks, writes or reads those rows by primary key with bound parameters only.
 */
import { Prisma } from '@prisma/client/extension';
import { VecpgError, describeValue } from '../../errors.ts';
import type { VectorInput } from '../../sql/params.ts';
import { type SearchSettings, withSearchSettingsFor } from '../../sql/settings.ts';
import { type SqlFilter, sqlFilter } from '../../sql/filters.ts';
import { type HybridRows, hybridSearch as coreHybridSearch } from '../../sql/hybrid.ts';
import { type RowId, checkLikeOptions, explainNoLikeRow } from '../../sql/like.ts';
import type { RerankOptions } from '../../sql/rerank.ts';
import type { CertifiedRows, CertifiedSearchOptions } from '../../sql/certified-search.ts';
import type { VecpgDb } from '../../sql/executor.ts';
import { carryCertificate, runCertified, runRerank, searchModeOf } from '../search-modes.ts';
import {
  type ResolvedField,
  type ResolvedModel,
  type VectorConfig,
  type VectorValueOf,
  lookup,
  resolveConfig,
} from './config.ts';
import type { DistanceTo } from './distances.ts';
import { wrapPrisma, prismaExecutor, type PrismaRawClient } from './executor.ts';
import { type Delegate, context, decodeInto, idsWhere, key, rowsInOrder, vectorFields, withId } from './rows.ts';
import { type DistanceFilter, distanceStatement, rankStatement, readStatement, updateStatement } from './statements.ts';

import {
  type AggregateVectorsArgs,
  type AggregateVectorsResult,
  type GroupByVectorsArgs,
  type GroupByVectorsRow,
  aggregateVectorsOf,
  groupByVectorsOf,
} from './aggregates.ts';

type ModelName<T> = Prisma.Payload<T>['name'];
type ModelConfig<C, T> = ModelName<T> extends keyof C ? C[ModelName<T>] : never;
/**
 * The vector field names configured for the model `T`.
 *
 * @example
 * type F = VectorFieldName<typeof config, typeof prisma.document>; // 'embedding'
 */
export type VectorFieldName<C, T> = ModelConfig<C, T> extends { vectors: infer V } ? Extract<keyof V, string> : never;
type FindMany<T> = Prisma.Args<T, 'findMany'>;
/** `findMany`'s arguments, key by key (a bare `Args<T, 'findMany'>` constraint stops TypeScript inferring the vector field names). */
type FindManyArgs<T> = {
  [K in 'where' | 'select' | 'include' | 'omit' | 'orderBy' | 'cursor' | 'take' | 'skip' | 'distinct']?: FindMany<T>[K];
};
type Shape<T> = { select?: FindMany<T>['select']; include?: FindMany<T>['include']; omit?: FindMany<T>['omit'] };
type Row<T, A> = Prisma.Result<T, A, 'findMany'>[number];
type VectorsOf<C, T, V extends readonly string[]> = {
  [K in V[number]]: ModelConfig<C, T> extends { vectors: infer M }
    ? K extends keyof M
      ? VectorValueOf<M[K]>
      : never
    : never;
};

/**
 * Arguments of `nearest` (their model-independent part: field names are checked separately so
 * that TypeScript still infers `select`/`include`): the model's `where`/`select`/`include`/`omit`,
 * a distance, and how to search.
 *
 * @example
 * await prisma.document.nearest({ by: cosineDistance('embedding', q), where: { category: 'news' }, distance: { lt: 0.2 }, take: 10 });
 */
export type NearestArgs<T> = Shape<T> & {
  by: DistanceTo;
  where?: FindMany<T>['where'];
  /** Keep rows whose distance passes these bounds (`{ lt: 0.2 }`). */
  distance?: DistanceFilter;
  take?: number;
  skip?: number;
  /**
   * Exact top-k whatever indexes exist (default), or `false` to let an HNSW/IVFFlat index answer.
   * `'certified'`: the same exact top-k, found on the compact columns of `addCertifiedColumnsSql` and
   * proven per query; the result carries its `certificate` (takes `distance: { lt }` only, no `skip`).
   */
  exact?: boolean | 'certified';
  /** Approximate search with these settings, applied with SET LOCAL in a transaction (with `rerank`: the candidate stage's). */
  approximate?: SearchSettings;
  /**
   * "More like this": the stored row with this id (the model's id field) is the query, read by the same
   * statement, and is left out of the results; `by` names the field and distance only (`cosineDistance('embedding')`).
   */
  likeId?: RowId;
  /**
   * Two-stage search: `candidates` rows from the quantized index (`vectorIndexMigration({ quantize })`),
   * re-ranked on the full vectors. Takes no `exact`, `distance` bounds, `skip` or `likeId`.
   */
  rerank?: RerankOptions;
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
};

/** The rows of `nearest`: with `exact: 'certified'`, the array carries its `certificate`. */
export type NearestRows<A, R> = [A] extends [{ exact: 'certified' }] ? CertifiedRows<R> : R[];

/**
 * Arguments of `hybridSearch`: the model's `where`/`select`/`include`/`omit`, the vector side (`by`), the
 * text side (`text` in `textField`, or `textColumn` for a field with `@map`), and the fusion's options.
 *
 * @example
 * await prisma.document.hybridSearch({ by: cosineDistance('embedding', q), text: 'postgres search', textField: 'title', take: 5 });
 */
export type HybridSearchArgs<T> = Shape<T> & {
  by: DistanceTo;
  where?: FindMany<T>['where'];
  /** The words to search for, in `websearch_to_tsquery` syntax (`"exact phrase" -excluded or`). */
  text: string;
  /** The `String` field to search in (its column has the field's name); or give `textColumn`. */
  textField?: string;
  /** The text or `tsvector` column itself, for a field with `@map` (or a column Prisma does not know). */
  textColumn?: string;
  /** Text search configuration (default `'english'`). */
  language?: string;
  /** How many rows (default 10). */
  take?: number;
  /** Candidates each side ranks before fusing (default `max(4·take, 40)` each). */
  candidates?: { vector?: number; text?: number };
  /** Weight of each side in the fused score (default 1 each). */
  weights?: { vector?: number; text?: number };
  /** The RRF constant in `1 / (rrfK + rank)` (default 60). */
  rrfK?: number;
  /** Exact vector side unless false (or `approximate` is given). */
  exact?: boolean;
  approximate?: SearchSettings;
};

/**
 * Arguments of `withDistance`: any `findMany` arguments plus the distance to annotate each row with.
 *
 * @example
 * await prisma.document.withDistance({ by: l2Distance('embedding', q), orderBy: { title: 'asc' }, take: 20 });
 */
export type WithDistanceArgs<T> = FindManyArgs<T> & { by: DistanceTo };

/**
 * The field-name checks added to every method's arguments for the model `T` of configuration `C`.
 *
 * @example
 * await prisma.document.nearest({ by: l2Distance('embedding', q), vectors: ['embedding'] }); // 'embedding' checked against C
 */
export type VectorFieldArgs<C, T, V extends readonly string[]> = {
  by: DistanceTo<VectorFieldName<C, T>>;
  /** Vector fields to read back on each row. */
  vectors?: V & readonly VectorFieldName<C, T>[];
};

/**
 * The Prisma Client extension. Keys of `config` are model names as in schema.prisma; each lists
 * its `Unsupported("vector(n)")` fields with their type and dimensions. Registration is explicit:
 * `prisma.$extends(pgvector(config))` returns an extended client and changes nothing global.
 *
 * @example
 * const prisma = new PrismaClient({ adapter }).$extends(pgvector({
 *   Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } },
 * }));
 * await prisma.document.createWithVectors({ data: { title: 'My First Doc' }, vectors: { embedding: [0.5, 0.2, 0.9, 0.3] } });
 * const near = await prisma.document.nearest({ by: cosineDistance('embedding', [0.5, 0.2, 0.9, 0.3]), take: 10 });
 */
export function pgvector<const C extends VectorConfig>(config: C) {
  const models = resolveConfig(config);

  return Prisma.defineExtension({
    name: 'vecpg',
    model: {
      $allModels: {
        /** Create a row through Prisma and write its vector fields, in one transaction. */
        async createWithVectors<T, A extends Prisma.Args<T, 'create'>>(
          this: T,
          args: A & { vectors: { [K in VectorFieldName<C, T>]?: VectorInput | null } },
        ): Promise<Prisma.Result<T, A, 'create'>> {
          const ctx = context(this);
          const { model } = lookup(models, ctx.$name);
          const { vectors, ...createArgs } = args as unknown as { vectors: Record<string, unknown> } & Record<
            string,
            unknown
          >;
          const data = Object.entries(vectors ?? {}).map(
            ([f, v]) => [lookup(models, model.name, f).field!, v] as const,
          );
          const run = async (client: PrismaRawClient, create: (a: object) => Promise<Record<string, unknown>>) => {
            const { args: a, strip } = withId(createArgs, model.idField);
            const row = await create(a);
            if (data.length > 0) {
              const st = updateStatement(model, data, [row[model.idField]]);
              await prismaExecutor(client).query(st.text, st.values);
            }
            if (strip) delete row[model.idField];
            return row as Prisma.Result<T, A, 'create'>;
          };
          if (data.length > 0) updateStatement(model, data, []); // refuse bad vectors before creating anything
          const parent = ctx.$parent;
          if (typeof parent.$transaction !== 'function' || data.length === 0) return run(parent, (a) => ctx.create(a));
          // The model's delegate on the transaction client: Prisma names it with a lower-case first letter.
          const prop = model.name.charAt(0).toLowerCase() + model.name.slice(1);
          const transaction = parent.$transaction as (
            fn: (tx: PrismaRawClient & Record<string, unknown>) => Promise<unknown>,
          ) => Promise<unknown>;
          return (await transaction.call(parent, (tx) =>
            run(tx, (a) => (tx[prop] as Delegate).create(a)),
          )) as Prisma.Result<T, A, 'create'>;
        },

        /** Write vector fields (a value, or null to clear) on every row matching `where`; returns `{ count }`. */
        async setVectors<T>(
          this: T,
          args: { where?: FindMany<T>['where']; data: { [K in VectorFieldName<C, T>]?: VectorInput | null } },
        ): Promise<{ count: number }> {
          const ctx = context(this);
          const { model } = lookup(models, ctx.$name);
          const data = Object.entries(args.data ?? {}).map(
            ([f, v]) => [lookup(models, model.name, f).field!, v] as const,
          );
          updateStatement(model, data, []); // refuse bad vectors before querying anything
          const ids = await idsWhere(ctx, model, args.where);
          if (ids.length === 0) return { count: 0 };
          const st = updateStatement(model, data, ids);
          await prismaExecutor(ctx.$parent).query(st.text, st.values);
          return { count: ids.length };
        },

        /** `findMany` with the listed vector fields read back (`number[]`, `SparseVector`, bit string, or null). */
        async findManyWithVectors<T, A extends FindManyArgs<T>, const V extends readonly string[] = []>(
          this: T,
          args: A & { vectors: V & readonly VectorFieldName<C, T>[] },
        ): Promise<Array<Row<T, A> & VectorsOf<C, T, V>>> {
          const ctx = context(this);
          const { model } = lookup(models, ctx.$name);
          const { vectors, ...findArgs } = args as unknown as { vectors: readonly string[] } & Record<string, unknown>;
          const fields = vectorFields(model, vectors);
          const { args: a, strip } = withId(findArgs, model.idField);
          const rows = await ctx.findMany(a);
          if (rows.length === 0 || fields.length === 0) return rows as Array<Row<T, A> & VectorsOf<C, T, V>>;
          const st = readStatement(
            model,
            fields,
            rows.map((r) => r[model.idField]),
          );
          const raw = new Map((await prismaExecutor(ctx.$parent).query(st.text, st.values)).map((r) => [key(r.id), r]));
          for (const row of rows) {
            decodeInto(row, fields, raw.get(key(row[model.idField])) ?? {});
            if (strip) delete row[model.idField];
          }
          return rows as Array<Row<T, A> & VectorsOf<C, T, V>>;
        },

        /**
         * The nearest rows by a distance, best first, each with its `distance`: Django's
         * `order_by(CosineDistance(...))`, and with `distance: { lt }` its annotate + filter + order.
         * Exact unless `approximate` (settings SET LOCAL in a transaction) or `exact: false`.
         */
        async nearest<T, A extends NearestArgs<T>, const V extends readonly string[] = []>(
          this: T,
          args: A & VectorFieldArgs<C, T, V>,
        ): Promise<NearestRows<A, Row<T, A> & { distance: number } & VectorsOf<C, T, V>>> {
          type Out = NearestRows<A, Row<T, A> & { distance: number } & VectorsOf<C, T, V>>;
          const ctx = context(this);
          const {
            by,
            where,
            distance: bounds,
            take,
            skip,
            exact: exactOption,
            approximate,
            vectors,
            likeId: likeOption,
            rerank,
            certified,
            ...shape
          } = args as unknown as NearestArgs<T> & { vectors?: readonly string[] };
          if (typeof by !== 'object' || by === null)
            throw new VecpgError(
              'INVALID_OPTION',
              `nearest needs by: a distance such as cosineDistance('field', value), got ${describeValue(by)}`,
            );
          if ((rerank !== undefined || exactOption === 'certified') && bounds !== undefined) {
            const keys = Object.entries(bounds).filter(([, v]) => v !== undefined);
            if (rerank !== undefined || keys.some(([k]) => k !== 'lt')) {
              throw new VecpgError(
                'INVALID_OPTION',
                rerank !== undefined
                  ? 'rerank is a two-stage search of its own (quantized candidates, exact re-rank): it does not take distance'
                  : "exact: 'certified' takes distance: { lt } only",
                { details: { option: 'distance' } },
              );
            }
          }
          const { mode, valid } = searchModeOf(
            {
              distance: by.distance,
              k: take,
              offset: skip,
              exact: exactOption,
              approximate,
              certified,
              rerank,
              likeId: likeOption,
              ...(mode0(rerank, exactOption) && bounds?.lt !== undefined ? { maxDistance: bounds.lt } : {}),
            },
            { k: 'take', offset: 'skip', maxDistance: 'distance.lt' },
          );
          const likeId = checkLikeOptions({ query: by.to, likeId: likeOption });
          const { exact, settings } = valid;
          const { model, field } = lookup(models, ctx.$name, by.field);
          const fields = vectorFields(model, vectors);
          const rank = (ids: readonly unknown[] | undefined) =>
            rankStatement(model, field!, by.distance, by.to, {
              ids,
              bounds,
              take,
              skip,
              exact,
              vectors: fields,
              likeId,
            });
          // Refuse bad bounds, a bad vector or a distance the field lacks before querying anything.
          rank(undefined);
          const db = prismaDb(ctx.$parent);
          if (mode !== 'plain') {
            const filters = await coreFilters(ctx, model, field!, where);
            const core = {
              table: model.table,
              column: field!.column,
              query: by.to!,
              distance: valid.distance,
              type: field!.type,
              k: valid.limit,
              where: filters,
              select: [model.idColumn],
            };
            const raw =
              mode === 'rerank'
                ? await runRerank(db, core, rerank!, approximate)
                : await runCertified(db, { ...core, maxDistance: valid.maxDistance }, certified);
            const order = raw.map((r) => ({ id: r[model.idColumn], distance: Number(r.distance) }));
            const rows = await rowsInOrder(ctx, model, shape, await withVectors(ctx, model, fields, order));
            return (mode === 'certified'
              ? carryCertificate(rows, raw as CertifiedRows<unknown>)
              : rows) as unknown as Out;
          }
          const ids = where === undefined ? undefined : await idsWhere(ctx, model, where);
          if (ids !== undefined && ids.length === 0) return [] as unknown as Out;
          const st = rank(ids);
          const ranked = exact
            ? await db.query(st.text, st.values)
            : await withSearchSettingsFor(db, settings, (tx) => tx.query(st.text, st.values), ctx.$parent as object);
          if (likeId !== undefined && ranked.length === 0) {
            const row = { table: model.tableSql, column: field!.columnSql, id: model.idSql };
            const table = typeof model.table === 'string' ? model.table : model.table.join('.');
            await explainNoLikeRow(
              db,
              row,
              { table, column: field!.field, idColumn: model.idField, idOption: 'id' },
              likeId,
            );
          }
          const order = ranked.map((r) => {
            const extra: Record<string, unknown> = { id: r.id, distance: Number(r.distance) };
            decodeInto(extra, fields, r);
            return extra;
          });
          return (await rowsInOrder(ctx, model, shape, order)) as unknown as Out;
        },

        /**
         * Rows ranked by a vector distance (`by`) and by full-text search (`text` in `textField`), fused
         * with Reciprocal Rank Fusion in one statement: Prisma's rows (its `where`, `select`, `include`)
         * plus `score`, `vectorRank`, `textRank` (1-based, null where that side did not find the row) and
         * `distance`; the array's `note` says when the text had no searchable words.
         */
        async hybridSearch<T, A extends HybridSearchArgs<T>, const V extends readonly string[] = []>(
          this: T,
          args: A & VectorFieldArgs<C, T, V>,
        ): Promise<HybridRows<Row<T, A> & VectorsOf<C, T, V>>> {
          const ctx = context(this);
          const {
            by,
            where,
            text,
            textField,
            textColumn,
            take,
            vectors,
            language,
            candidates,
            weights,
            rrfK,
            exact,
            approximate,
            ...shape
          } = args as unknown as HybridSearchArgs<T> & { vectors?: readonly string[] };
          if (typeof by !== 'object' || by === null)
            throw new VecpgError(
              'INVALID_OPTION',
              `hybridSearch needs by: a distance such as cosineDistance('field', value), got ${describeValue(by)}`,
            );
          if ((textField === undefined) === (textColumn === undefined)) {
            throw new VecpgError(
              'INVALID_OPTION',
              'hybridSearch needs textField (a String field) or textColumn, one of them',
              {
                details: { option: 'textField' },
              },
            );
          }
          const { model, field } = lookup(models, ctx.$name, by.field);
          const fields = vectorFields(model, vectors);
          rankStatement(model, field!, by.distance, by.to, { exact: true }); // the vector and distance, checked
          const filters = await coreFilters(ctx, model, field!, where);
          const raw = await coreHybridSearch(prismaDb(ctx.$parent), {
            table: model.table,
            column: field!.column,
            query: by.to!,
            distance: by.distance,
            type: field!.type,
            text,
            textColumn: (textColumn ?? textField)!,
            select: [model.idColumn],
            where: filters,
            ...(language === undefined ? {} : { language }),
            ...(take === undefined ? {} : { k: take }),
            ...(candidates === undefined ? {} : { candidates }),
            ...(weights === undefined ? {} : { weights }),
            ...(rrfK === undefined ? {} : { rrfK }),
            ...(exact === undefined ? {} : { exact }),
            ...(approximate === undefined ? {} : { approximate }),
          });
          const order = raw.map((r) => ({
            id: r[model.idColumn],
            score: Number(r.score),
            vectorRank: r.vectorRank === null ? null : Number(r.vectorRank),
            textRank: r.textRank === null ? null : Number(r.textRank),
            distance: r.distance === null ? null : Number(r.distance),
          }));
          const rows = await rowsInOrder(ctx, model, shape, await withVectors(ctx, model, fields, order));
          Object.defineProperty(rows, 'note', { value: raw.note, enumerable: false });
          return rows as unknown as HybridRows<Row<T, A> & VectorsOf<C, T, V>>;
        },

        /** `findMany` (its order, paging and filters) with each row's `distance` added: Django's `annotate`. */
        async withDistance<T, A extends WithDistanceArgs<T>, const V extends readonly string[] = []>(
          this: T,
          args: A & VectorFieldArgs<C, T, V>,
        ): Promise<Array<Row<T, A> & { distance: number | null } & VectorsOf<C, T, V>>> {
          const ctx = context(this);
          const { by, vectors, ...findArgs } = args as unknown as {
            by: DistanceTo;
            vectors?: readonly string[];
          } & Record<string, unknown>;
          if (typeof by !== 'object' || by === null)
            throw new VecpgError(
              'INVALID_OPTION',
              `withDistance needs by: a distance such as l2Distance('field', value), got ${describeValue(by)}`,
            );
          const { model, field } = lookup(models, ctx.$name, by.field);
          const fields = vectorFields(model, vectors);
          const { args: a, strip } = withId(findArgs, model.idField);
          const rows = await ctx.findMany(a);
          if (rows.length === 0) return [];
          const ids = rows.map((r) => r[model.idField]);
          const exec = prismaExecutor(ctx.$parent);
          const st = distanceStatement(model, field!, by.distance, by.to, ids);
          const dist = new Map((await exec.query(st.text, st.values)).map((r) => [key(r.id), r.distance]));
          const read = fields.length > 0 ? readStatement(model, fields, ids) : undefined;
          const raw = read ? new Map((await exec.query(read.text, read.values)).map((r) => [key(r.id), r])) : undefined;
          for (const row of rows) {
            const d = dist.get(key(row[model.idField]));
            row.distance = d === null || d === undefined ? null : Number(d);
            if (raw) decodeInto(row, fields, raw.get(key(row[model.idField])) ?? {});
            if (strip) delete row[model.idField];
          }
          return rows as Array<Row<T, A> & { distance: number | null } & VectorsOf<C, T, V>>;
        },

        /**
         * pgvector's avg / sum of vector or halfvec fields over the rows matching `where`, as Prisma's
         * `aggregate` shapes them: `{ _avg: { embedding: number[] | null }, _sum: {…}, _count }`.
         */
        async aggregateVectors<T, const A extends AggregateVectorsArgs<C, T>>(
          this: T,
          args: A,
        ): Promise<AggregateVectorsResult<C, T, A>> {
          const ctx = context(this);
          const { model } = lookup(models, ctx.$name);
          return (await aggregateVectorsOf(ctx, model, args)) as AggregateVectorsResult<C, T, A>;
        },

        /**
         * `aggregateVectors` per group of the `by` fields, as Prisma's `groupBy` shapes it:
         * `[{ category, _avg: { embedding }, _sum: {…}, _count }]`. Centroids per category, for instance.
         */
        async groupByVectors<T, const A extends AggregateVectorsArgs<C, T>, const B extends string>(
          this: T,
          args: A & GroupByVectorsArgs<C, T, B>,
        ): Promise<Array<GroupByVectorsRow<C, T, A, B>>> {
          const ctx = context(this);
          const { model } = lookup(models, ctx.$name);
          return (await groupByVectorsOf(ctx, model, args)) as Array<GroupByVectorsRow<C, T, A, B>>;
        },
      },
    },
  });
}

/** rerank or certified: the modes that read `distance: { lt }` as the contract's maxDistance. */
function mode0(rerank: unknown, exact: unknown): boolean {
  return rerank !== undefined || exact === 'certified';
}

const DATABASES = new WeakMap<object, VecpgDb>();

/** `wrapPrisma(client)`, one per client (the SQL layer remembers per database whether it is Citus). */
function prismaDb(client: PrismaRawClient): VecpgDb {
  let db = DATABASES.get(client);
  if (db === undefined) {
    db = wrapPrisma(client);
    DATABASES.set(client, db);
  }
  return db;
}

/**
 * The core filters of a Prisma search: the vector field is set, and, with a `where`, the row is one of
 * those Prisma's own `findMany` finds for it (their ids, bound as one array).
 */
async function coreFilters(
  ctx: Delegate,
  model: ResolvedModel,
  field: ResolvedField,
  where: unknown,
): Promise<SqlFilter[]> {
  const filters = [sqlFilter(`${field.columnSql} IS NOT NULL`)];
  if (where !== undefined) filters.push(sqlFilter(`${model.idSql} = ANY($1)`, [await idsWhere(ctx, model, where)]));
  return filters;
}

/** Read the listed vector fields of the ranked rows (`{ id, … }`, one statement) onto them. */
async function withVectors<R extends { id: unknown }>(
  ctx: Delegate,
  model: ResolvedModel,
  fields: readonly ResolvedField[],
  order: R[],
): Promise<R[]> {
  if (fields.length === 0 || order.length === 0) return order;
  const st = readStatement(
    model,
    fields,
    order.map((r) => r.id),
  );
  const raw = new Map((await prismaExecutor(ctx.$parent).query(st.text, st.values)).map((r) => [key(r.id), r]));
  for (const row of order) decodeInto(row, fields, raw.get(key(row.id)) ?? {});
  return order;
}
