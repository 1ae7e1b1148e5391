/**
 * Row plumbing for the Prisma extension: the model delegate behind `this`, ids through Prisma's own
 * `findMany`, and merging vecpg's ranked ids, distances and vectors into Prisma's rows.
 */
import { Prisma } from '@prisma/client/extension';
import { VecpgError, describeValue } from '../../errors.ts';
import { type ResolvedField, type ResolvedModel, lookup } from './config.ts';
import type { PrismaRawClient } from './executor.ts';
import { decodeVector } from './statements.ts';

/**
 * The model delegate an extension method runs on (`this`), as vecpg uses it.
 *
 * @example
 * const ctx: Delegate = context(this); await ctx.findMany({ where });
 */
export interface Delegate {
  $name: string;
  $parent: PrismaRawClient & Record<string, unknown>;
  findMany(args: object): Promise<Array<Record<string, unknown>>>;
  create(args: object): Promise<Record<string, unknown>>;
}

/**
 * The delegate behind an extension method's `this`.
 *
 * @example
 * const ctx = context(this); ctx.$name; // 'Document'
 */
export function context(self: unknown): Delegate {
  return Prisma.getExtensionContext(self) as unknown as Delegate;
}

/**
 * Add the id to a `select` (or an `omit`) that leaves it out; `strip` says to remove it again from the result.
 *
 * @example
 * withId({ select: { title: true } }, 'id'); // { args: { select: { title: true, id: true } }, strip: true }
 */
export function withId(
  args: Record<string, unknown>,
  idField: string,
): { args: Record<string, unknown>; strip: boolean } {
  const select = args.select as Record<string, unknown> | undefined | null;
  const omit = args.omit as Record<string, unknown> | undefined | null;
  if (select !== undefined && select !== null && select[idField] !== true)
    return { args: { ...args, select: { ...select, [idField]: true } }, strip: true };
  if (omit !== undefined && omit !== null && omit[idField] === true)
    return { args: { ...args, omit: { ...omit, [idField]: false } }, strip: true };
  return { args, strip: false };
}

/**
 * A Map key for an id of any type (number, bigint, string).
 *
 * @example
 * key(42n); // '42'
 */
export const key = (id: unknown): string => (typeof id === 'object' && id !== null ? JSON.stringify(id) : String(id));

/**
 * The primary keys of the rows matching a Prisma `where`, through the model's own `findMany`.
 *
 * @example
 * await idsWhere(ctx, model, { category: 'news' }); // [1, 2]
 */
export async function idsWhere(ctx: Delegate, model: ResolvedModel, where: unknown): Promise<unknown[]> {
  const rows = await ctx.findMany({ where, select: { [model.idField]: true } });
  return rows.map((r) => r[model.idField]);
}

/**
 * Resolve the names in a `vectors: [...]` option (INVALID_OPTION for an unknown field).
 *
 * @example
 * vectorFields(model, ['embedding']); // [ResolvedField]
 */
export function vectorFields(model: ResolvedModel, names: readonly string[] | undefined): ResolvedField[] {
  if (names === undefined) return [];
  if (!Array.isArray(names))
    throw new VecpgError('INVALID_OPTION', `vectors must be an array of field names, got ${describeValue(names)}`);
  return names.map((n: string) => lookup(new Map([[model.name, model]]), model.name, n).field!);
}

/**
 * Fetch full rows through Prisma's `findMany` and lay them out in `order`, with its extra fields merged in.
 *
 * @example
 * await rowsInOrder(ctx, model, { select: { title: true } }, [{ id: 3, distance: 0.1 }]);
 */
export async function rowsInOrder(
  ctx: Delegate,
  model: ResolvedModel,
  shape: Record<string, unknown>,
  order: ReadonlyArray<Record<string, unknown>>,
) {
  if (order.length === 0) return [];
  const { args, strip } = withId(shape, model.idField);
  const rows = await ctx.findMany({ ...args, where: { [model.idField]: { in: order.map((r) => r.id) } } });
  const byId = new Map(rows.map((r) => [key(r[model.idField]), r]));
  const out: Array<Record<string, unknown>> = [];
  for (const extra of order) {
    const row = byId.get(key(extra.id));
    if (row === undefined) continue; // deleted between the two statements
    const { id: _id, ...rest } = extra;
    const merged = { ...row, ...rest };
    if (strip) delete merged[model.idField];
    out.push(merged);
  }
  return out;
}

/**
 * Decode the `v0`, `v1`… text columns of a raw row onto `target` under the field names.
 *
 * @example
 * decodeInto(row, [embeddingField], { v0: '[1,2,3,4]' }); // row.embedding = [1, 2, 3, 4]
 */
export function decodeInto(
  target: Record<string, unknown>,
  fields: readonly ResolvedField[],
  raw: Record<string, unknown>,
): void {
  fields.forEach((f, i) => {
    target[f.field] = decodeVector(f, raw[`v${i}`]);
  });
}
