/**
 * pgvector's `avg` and `sum` for the Prisma extension, in Prisma's own shape: `aggregateVectors` is
 * `aggregate` (`{ _avg, _sum, _count }`) and `groupByVectors` is `groupBy` (`{ ...by, _avg, _sum, _count }`)
 * for the configured vector fields. The rows come from Prisma's `findMany` with the caller's `where`
 * (Prisma writes the filter and reads the group values, field names and all); vecpg then aggregates each
 * group by primary key with bound parameters only (one statement per group).
 */
import type { Prisma } from '@prisma/client/extension';
import { VecpgError, describeValue } from '../../errors.ts';
import { type VectorAggregate, checkAggregateType } from '../../sql/aggregates.ts';
import type { SqlQuery } from '../../sql/query.ts';
import { type ResolvedField, type ResolvedModel, type VectorValueOf, lookup } from './config.ts';
import { prismaExecutor } from './executor.ts';
import { type Delegate, key } from './rows.ts';
import { decodeVector } from './statements.ts';

type ModelName<T> = Prisma.Payload<T>['name'];
type ModelConfig<C, T> = ModelName<T> extends keyof C ? C[ModelName<T>] : never;
type VectorFields<C, T> = ModelConfig<C, T> extends { vectors: infer V } ? Extract<keyof V, string> : never;
type FieldValue<C, T, K> =
  ModelConfig<C, T> extends { vectors: infer M } ? (K extends keyof M ? VectorValueOf<M[K]> : never) : never;
type Scalars<T> = Prisma.Result<T, object, 'findMany'>[number];

/**
 * The vector fields to aggregate: `{ embedding: true }`.
 *
 * @example
 * const pick: VectorPick<typeof config, typeof prisma.document> = { embedding: true };
 */
export type VectorPick<C, T> = { [K in VectorFields<C, T>]?: true };

/**
 * Arguments of `aggregateVectors`: Prisma's `where`, and `_avg` / `_sum` naming vector fields.
 *
 * @example
 * await prisma.document.aggregateVectors({ where: { category: 'news' }, _avg: { embedding: true } });
 */
export interface AggregateVectorsArgs<C, T> {
  where?: Prisma.Args<T, 'findMany'>['where'];
  _avg?: VectorPick<C, T>;
  _sum?: VectorPick<C, T>;
}

/**
 * Arguments of `groupByVectors`: `aggregateVectors`' plus the scalar fields to group by.
 *
 * @example
 * await prisma.document.groupByVectors({ by: ['category'], _avg: { embedding: true } });
 */
export interface GroupByVectorsArgs<C, T, B extends string> extends AggregateVectorsArgs<C, T> {
  by: readonly B[];
}

/**
 * What `aggregateVectors` returns: each picked field's avg / sum as the field reads (`number[]`, null when
 * no row has a vector), and `_count`, the number of rows.
 */
export type AggregateVectorsResult<C, T, A> = {
  _avg: A extends { _avg: infer P } ? { [K in keyof P]: FieldValue<C, T, K> } : Record<string, never>;
  _sum: A extends { _sum: infer P } ? { [K in keyof P]: FieldValue<C, T, K> } : Record<string, never>;
  _count: number;
};

/** One group of `groupByVectors`: the `by` fields' values, then what `aggregateVectors` returns for the group. */
export type GroupByVectorsRow<C, T, A, B extends string> = Pick<Scalars<T>, B & keyof Scalars<T>> &
  AggregateVectorsResult<C, T, A>;

interface Picked {
  readonly aggregate: VectorAggregate;
  readonly field: ResolvedField;
}

function picks(model: ResolvedModel, args: { _avg?: unknown; _sum?: unknown }): Picked[] {
  const out: Picked[] = [];
  for (const aggregate of ['avg', 'sum'] as const) {
    const pick = args[`_${aggregate}`];
    if (pick === undefined) continue;
    if (typeof pick !== 'object' || pick === null) {
      throw new VecpgError('INVALID_OPTION', `_${aggregate} must be { field: true }, got ${describeValue(pick)}`, {
        details: { option: `_${aggregate}` },
      });
    }
    for (const [name, on] of Object.entries(pick)) {
      if (on !== true) continue;
      const field = lookup(new Map([[model.name, model]]), model.name, name).field!;
      checkAggregateType(field.type, field.field);
      out.push({ aggregate, field });
    }
  }
  if (out.length === 0) {
    throw new VecpgError('INVALID_OPTION', `name at least one vector field of model ${model.name} in _avg or _sum`, {
      details: { model: model.name },
    });
  }
  return out;
}

/**
 * `SELECT count(*), avg(col)::text, sum(col)::text … FROM table [WHERE id = ANY($1)]`.
 *
 * @example
 * aggregateStatement(model, picked, [1, 2]).text; // 'SELECT count(*) AS "n", avg("embedding")::text AS "v0" FROM "Document" WHERE "id" = ANY($1)'
 */
export function aggregateStatement(
  model: ResolvedModel,
  picked: readonly Picked[],
  ids: readonly unknown[] | undefined,
): SqlQuery {
  const items = ['count(*) AS "n"', ...picked.map((p, i) => `${p.aggregate}(${p.field.columnSql})::text AS "v${i}"`)];
  let text = `SELECT ${items.join(', ')} FROM ${model.tableSql}`;
  if (ids === undefined) return { text, values: [] };
  text += ` WHERE ${model.idSql} = ANY($1)`;
  return { text, values: [ids] };
}

async function run(
  ctx: Delegate,
  model: ResolvedModel,
  picked: readonly Picked[],
  ids: readonly unknown[] | undefined,
): Promise<{ _avg: Record<string, unknown>; _sum: Record<string, unknown>; _count: number }> {
  const st = aggregateStatement(model, picked, ids);
  const [row = {}] = await prismaExecutor(ctx.$parent).query(st.text, st.values);
  const out = { _avg: {} as Record<string, unknown>, _sum: {} as Record<string, unknown>, _count: Number(row.n ?? 0) };
  picked.forEach((p, i) => {
    out[`_${p.aggregate}`][p.field.field] = decodeVector(p.field, row[`v${i}`]);
  });
  return out;
}

/** The body of `prisma.<model>.aggregateVectors(args)`. */
export async function aggregateVectorsOf(
  ctx: Delegate,
  model: ResolvedModel,
  args: AggregateVectorsArgs<unknown, unknown>,
): Promise<{ _avg: Record<string, unknown>; _sum: Record<string, unknown>; _count: number }> {
  const picked = picks(model, args);
  if (args.where === undefined) return run(ctx, model, picked, undefined);
  const rows = await ctx.findMany({ where: args.where, select: { [model.idField]: true } });
  return run(
    ctx,
    model,
    picked,
    rows.map((r) => r[model.idField]),
  );
}

/** The body of `prisma.<model>.groupByVectors(args)`: groups in the order Prisma first returns them. */
export async function groupByVectorsOf(
  ctx: Delegate,
  model: ResolvedModel,
  args: GroupByVectorsArgs<unknown, unknown, string>,
): Promise<Array<Record<string, unknown>>> {
  const picked = picks(model, args);
  const by = args.by as unknown;
  if (!Array.isArray(by) || by.length === 0 || !by.every((b) => typeof b === 'string')) {
    throw new VecpgError('INVALID_OPTION', `by must be a non-empty array of field names, got ${describeValue(by)}`, {
      details: { option: 'by' },
    });
  }
  const fields = by;
  const select: Record<string, true> = { [model.idField]: true };
  for (const f of fields) select[f] = true;
  const rows = await ctx.findMany({ where: args.where, select });
  const groups = new Map<string, { values: Record<string, unknown>; ids: unknown[] }>();
  for (const row of rows) {
    const k = fields.map((f) => key(row[f])).join('\u0000');
    let group = groups.get(k);
    if (group === undefined) {
      group = { values: Object.fromEntries(fields.map((f) => [f, row[f]])), ids: [] };
      groups.set(k, group);
    }
    group.ids.push(row[model.idField]);
  }
  const out: Array<Record<string, unknown>> = [];
  for (const group of groups.values()) out.push({ ...group.values, ...(await run(ctx, model, picked, group.ids)) });
  return out;
}
