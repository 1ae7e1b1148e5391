/**
 * The filters of `search()` (and of `vecpg search --filter`, which parses to the same shape): equality,
 * ranges, `IN`, `IS NULL`, and trusted SQL fragments with their own parameters. Every value is a bound
 * parameter, every column name goes through `quoteIdent`.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { quoteIdent } from './identifiers.ts';

/** A value compared with a column. */
export type FilterValue = string | number | bigint | boolean | Date;

/** A value for an equality filter; `null` becomes `IS NULL`. */
export type WhereValue = FilterValue | null;

/**
 * Conditions on one column, ANDed (`{ gte: 5, lt: 10 }` is a range). SQL semantics: a NULL satisfies
 * none of `ne`, `gt`…`lte`, `in`, `notIn`; ask for it with `isNull: true` (or the column `: null`).
 *
 * @example
 * const cheap: ColumnFilter = { gte: 1, lt: 10 };
 * const tagged: ColumnFilter = { in: ['news', 'blog'] };
 * const alive: ColumnFilter = { isNull: true };
 */
export interface ColumnFilter {
  /** `= value` (`null`: `IS NULL`). */
  eq?: WhereValue;
  /** `<> value` (`null`: `IS NOT NULL`). */
  ne?: WhereValue;
  gt?: FilterValue;
  gte?: FilterValue;
  lt?: FilterValue;
  lte?: FilterValue;
  /** `IN (…)`; an empty list matches no row. */
  in?: readonly FilterValue[];
  /** `NOT IN (…)`; an empty list excludes no row (but NULLs, as in SQL). */
  notIn?: readonly FilterValue[];
  /** `true`: `IS NULL`; `false`: `IS NOT NULL`. */
  isNull?: boolean;
}

/**
 * Filters by column, ANDed: `{ category: 'x', price: { lt: 10 }, tag: { in: ['a', 'b'] }, deleted_at: null }`.
 */
export type Where = Readonly<Record<string, WhereValue | ColumnFilter>>;

const SQL_FILTER = Symbol.for('vecpg.sqlFilter');

/** A trusted SQL condition with `$1`, `$2`… placeholders for its own parameters; made by {@link sqlFilter}. */
export interface SqlFilter {
  readonly [SQL_FILTER]: true;
  readonly text: string;
  readonly params: readonly unknown[];
}

/** What `search({ where })` takes: a {@link Where}, a {@link SqlFilter}, or a list of them (ANDed). */
export type SearchFilter = Where | SqlFilter | ReadonlyArray<Where | SqlFilter>;

/**
 * A raw SQL condition for `search({ where })`, written by you (never from user input) with its values as
 * parameters: `$1` is `params[0]`. Placeholders are renumbered into the search's own (those inside
 * strings, quoted identifiers, comments and dollar quotes are left alone). As a tagged template every
 * `${value}` becomes a parameter.
 *
 * @example
 * sqlFilter('price * quantity < $1', [100]);
 * sqlFilter`price * quantity < ${100} AND tags @> ${['new']}`;
 */
export function sqlFilter(text: string, params?: readonly unknown[]): SqlFilter;
export function sqlFilter(strings: TemplateStringsArray, ...values: unknown[]): SqlFilter;
export function sqlFilter(first: string | TemplateStringsArray, ...rest: unknown[]): SqlFilter {
  if (typeof first === 'string') {
    const params = rest[0] ?? [];
    if (!Array.isArray(params)) {
      throw new VecpgError('INVALID_OPTION', `sqlFilter params must be an array, got ${describeValue(params)}`);
    }
    return { [SQL_FILTER]: true, text: first, params: [...(params as unknown[])] };
  }
  if (!Array.isArray(first) || !('raw' in first)) {
    throw new VecpgError('INVALID_OPTION', `sqlFilter needs SQL text, got ${describeValue(first)}`);
  }
  const text = first.reduce((acc: string, part: string, i: number) => (i === 0 ? part : `${acc}$${i}${part}`), '');
  return { [SQL_FILTER]: true, text, params: rest };
}

/** True for a value made by {@link sqlFilter} (also by another copy of the package). */
export function isSqlFilter(value: unknown): value is SqlFilter {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SQL_FILTER] === true;
}

const OPERATORS: Readonly<Record<'gt' | 'gte' | 'lt' | 'lte', string>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
const KEYS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'isNull'];

/**
 * The SQL conditions of a filter (to be ANDed), binding each value with `bind` (which returns its
 * placeholder). INVALID_OPTION for an unknown operator, a value of the wrong kind, an `undefined`.
 *
 * @example
 * const values: unknown[] = [];
 * filterSql({ price: { lt: 10 }, tag: { in: ['a', 'b'] } }, (v) => `$${values.push(v)}`);
 * // ['"price" < $1', '"tag" IN ($2, $3)']
 */
export function filterSql(filter: SearchFilter | undefined, bind: (value: unknown) => string): string[] {
  if (filter === undefined) return [];
  if (isSqlFilter(filter)) return [sqlFragment(filter, bind)];
  if (Array.isArray(filter)) return (filter as ReadonlyArray<Where | SqlFilter>).flatMap((f) => filterSql(f, bind));
  if (typeof filter !== 'object' || filter === null || filter instanceof Date) {
    throw new VecpgError(
      'INVALID_OPTION',
      `where must be an object of column filters, a sqlFilter or an array of them, got ${describeValue(filter)}`,
      { details: { option: 'where' } },
    );
  }
  const out: string[] = [];
  for (const [column, condition] of Object.entries(filter as Where)) out.push(...columnSql(column, condition, bind));
  return out;
}

function columnSql(column: string, condition: unknown, bind: (value: unknown) => string): string[] {
  const col = quoteIdent(column);
  if (condition === undefined) {
    throw new VecpgError('INVALID_OPTION', `where.${column} is undefined; use null for IS NULL or leave the key out`, {
      details: { option: 'where', column },
    });
  }
  if (condition === null) return [`${col} IS NULL`];
  if (!isPlainObject(condition)) return [`${col} = ${bind(checkValue(column, 'eq', condition))}`];
  const out: string[] = [];
  for (const [op, v] of Object.entries(condition)) {
    if (!KEYS.includes(op)) {
      throw new VecpgError(
        'INVALID_OPTION',
        `unknown filter operator ${JSON.stringify(op)} on where.${column}; expected one of ${KEYS.join(', ')}`,
        { details: { option: 'where', column, operator: op } },
      );
    }
    if (v === undefined) {
      throw new VecpgError('INVALID_OPTION', `where.${column}.${op} is undefined; leave the key out`, {
        details: { option: 'where', column, operator: op },
      });
    }
    if (op === 'isNull') {
      if (typeof v !== 'boolean') {
        throw new VecpgError(
          'INVALID_OPTION',
          `where.${column}.isNull must be true or false, got ${describeValue(v)}`,
          {
            details: { option: 'where', column, operator: op },
          },
        );
      }
      out.push(`${col} IS ${v ? '' : 'NOT '}NULL`);
    } else if (op === 'eq' || op === 'ne') {
      if (v === null) out.push(`${col} IS ${op === 'eq' ? '' : 'NOT '}NULL`);
      else out.push(`${col} ${op === 'eq' ? '=' : '<>'} ${bind(checkValue(column, op, v))}`);
    } else if (op === 'in' || op === 'notIn') {
      if (!Array.isArray(v)) {
        throw new VecpgError('INVALID_OPTION', `where.${column}.${op} must be an array, got ${describeValue(v)}`, {
          details: { option: 'where', column, operator: op },
        });
      }
      // One parameter per element: the column's type decides each one's, as for `=` (an `= ANY($n)` array
      // would need the array's element type from the driver).
      const list = v.map((item: unknown) => bind(checkValue(column, op, item)));
      if (list.length === 0) out.push(op === 'in' ? 'FALSE' : `${col} IS NOT NULL`);
      else out.push(`${col} ${op === 'in' ? 'IN' : 'NOT IN'} (${list.join(', ')})`);
    } else {
      out.push(`${col} ${OPERATORS[op as keyof typeof OPERATORS]} ${bind(checkValue(column, op, v))}`);
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function checkValue(column: string, op: string, value: unknown): FilterValue {
  const ok =
    typeof value === 'string' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && !Number.isNaN(value)) ||
    (value instanceof Date && !Number.isNaN(value.getTime()));
  if (!ok) {
    throw new VecpgError(
      'INVALID_OPTION',
      `where.${column}${op === 'eq' ? '' : `.${op}`} must be a string, number, bigint, boolean or Date, got ${describeValue(value)}` +
        (op === 'in' || op === 'notIn' ? '' : ' (use sqlFilter for anything else)'),
      { details: { option: 'where', column, operator: op } },
    );
  }
  return value;
}

/**
 * The fragment with its `$n` renumbered into the statement's parameters. `$n` counts only outside
 * string constants, quoted identifiers, comments and dollar-quoted strings, and not inside a name
 * (`a$1` is an identifier); each `$n` must name a parameter, and each parameter must be used.
 */
function sqlFragment(filter: SqlFilter, bind: (value: unknown) => string): string {
  const { text, params } = filter;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new VecpgError('INVALID_OPTION', `a sqlFilter needs SQL text, got ${describeValue(text)}`, {
      details: { option: 'where' },
    });
  }
  const placeholders = new Map<number, string>();
  let out = '';
  let i = 0;
  const n = text.length;
  const isWord = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_$]/u.test(c);
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    let end = i + 1;
    if (c === "'") {
      // E'…' takes backslash escapes; a plain (standard-conforming) string only doubled quotes.
      const escapes = (text[i - 1] === 'E' || text[i - 1] === 'e') && !isWord(text[i - 2]);
      end = i + 1;
      while (end < n) {
        if (escapes && text[end] === '\\') end += 2;
        else if (text[end] === "'" && text[end + 1] === "'") end += 2;
        else if (text[end] === "'") break;
        else end++;
      }
      end = unterminated(end, n, 'string constant') + 1;
    } else if (c === '"') {
      end = i + 1;
      while (end < n && !(text[end] === '"' && text[end + 1] !== '"')) end += text[end] === '"' ? 2 : 1;
      end = unterminated(end, n, 'quoted identifier') + 1;
    } else if (c === '-' && next === '-') {
      end = text.indexOf('\n', i);
      if (end === -1) end = n;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      end = i + 2;
      while (end < n && depth > 0) {
        if (text[end] === '/' && text[end + 1] === '*') {
          depth++;
          end += 2;
        } else if (text[end] === '*' && text[end + 1] === '/') {
          depth--;
          end += 2;
        } else end++;
      }
      if (depth > 0) unterminated(n, n, 'comment');
    } else if (c === '$' && !isWord(text[i - 1])) {
      const digits = /^\$(\d+)/.exec(text.slice(i));
      const tag = /^\$(?:[\p{L}_][\p{L}\p{N}_]*)?\$/u.exec(text.slice(i));
      if (digits !== null) {
        const index = Number(digits[1]);
        if (!Number.isSafeInteger(index) || index < 1 || index > params.length) {
          throw new VecpgError(
            'INVALID_OPTION',
            `sqlFilter ${describeValue(text)} refers to $${digits[1]} but has ${params.length} parameter${params.length === 1 ? '' : 's'}`,
            { details: { option: 'where' } },
          );
        }
        let placeholder = placeholders.get(index);
        if (placeholder === undefined) {
          placeholder = bind(params[index - 1]);
          placeholders.set(index, placeholder);
        }
        out += placeholder;
        i += digits[0].length;
        continue;
      }
      if (tag !== null) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        end = unterminated(close === -1 ? n : close, n, 'dollar-quoted string') + tag[0].length;
      }
    }
    out += text.slice(i, end);
    i = end;
  }
  if (placeholders.size !== params.length) {
    const unused = params.findIndex((_, p) => !placeholders.has(p + 1));
    throw new VecpgError(
      'INVALID_OPTION',
      `sqlFilter ${describeValue(text)} never uses $${unused + 1}: each parameter needs its placeholder`,
      { details: { option: 'where' } },
    );
  }
  return `(${out})`;
}

function unterminated(end: number, n: number, what: string): number {
  if (end >= n) {
    throw new VecpgError('INVALID_OPTION', `sqlFilter has an unterminated ${what}`, { details: { option: 'where' } });
  }
  return end;
}
