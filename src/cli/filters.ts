/**
 * `--filter` of `vecpg search` and `vecpg recall`: a small condition language that parses to the same
 * `Where` object `search()` takes, so the SQL is built by the library's one filter builder.
 *
 *   price<10   price>=1   category=books   category!=books   deleted_at=\N
 *   tag in (a,b,'c,d')   tag not in (x)   deleted_at is null   deleted_at is not null   "odd col"<=3
 *
 * Values stay text; PostgreSQL casts each to its column's type.
 */
import { describeValue } from '../errors.ts';
import type { ColumnFilter, Where } from '../sql/filters.ts';
import { CliUsageError } from './args.ts';

const COMPARISONS: ReadonlyArray<readonly [string, keyof ColumnFilter]> = [
  ['<=', 'lte'],
  ['>=', 'gte'],
  ['!=', 'ne'],
  ['<>', 'ne'],
  ['<', 'lt'],
  ['>', 'gt'],
  ['=', 'eq'],
];

/**
 * The `--filter` flags as one `Where` (ANDed; several conditions on a column merge into one range).
 *
 * @example
 * parseFilters(['price>=1', 'price<10', 'tag in (a,b)']); // { price: { gte: '1', lt: '10' }, tag: { in: ['a', 'b'] } }
 */
export function parseFilters(items: readonly string[]): Where {
  const out: Record<string, ColumnFilter> = {};
  items.forEach((item, i) => {
    const what = `--filter #${i + 1} (${describeValue(item)})`;
    const [column, op, value] = parseOne(item, what);
    const filter = (out[column] ??= {});
    if (op in filter) throw new CliUsageError(`${what} repeats a condition on ${describeValue(column)}`);
    (filter as Record<string, unknown>)[op] = value;
  });
  return out;
}

function parseOne(item: string, what: string): [string, keyof ColumnFilter, unknown] {
  const { column, rest } = splitColumn(item, what);
  const nullTest = /^is\s+(not\s+)?null$/i.exec(rest);
  if (nullTest) return [column, 'isNull', nullTest[1] === undefined];
  const inList = /^(not\s+)?in\s*\(([\s\S]*)\)$/i.exec(rest);
  if (inList) return [column, inList[1] === undefined ? 'in' : 'notIn', splitList(inList[2]!, what)];
  for (const [symbol, op] of COMPARISONS) {
    if (!rest.startsWith(symbol)) continue;
    const value = unquote(rest.slice(symbol.length).trim(), what);
    // `\N` (as in COPY) is NULL: `col=\N` is IS NULL, `col!=\N` IS NOT NULL.
    if (value === '\\N' && (op === 'eq' || op === 'ne')) return [column, 'isNull', op === 'eq'];
    return [column, op, value];
  }
  throw new CliUsageError(
    `${what} must look like col=value, col<value (<=, >, >=, !=), col in (a,b), col not in (a,b), col is null or col is not null`,
  );
}

/** The column (bare, or double-quoted with "" inside) and the text after it, trimmed. */
function splitColumn(item: string, what: string): { column: string; rest: string } {
  const text = item.trim();
  if (text.startsWith('"')) {
    let end = 1;
    let name = '';
    for (; end < text.length; end++) {
      if (text[end] === '"') {
        if (text[end + 1] !== '"') break;
        end++;
      }
      name += text[end];
    }
    if (end >= text.length) throw new CliUsageError(`${what} has an unterminated "quoted column"`);
    return { column: name, rest: text.slice(end + 1).trim() };
  }
  const keyword = /^(\S+)\s+((?:not\s+)?in\s*\(|is\s+)/i.exec(text);
  const end = keyword ? keyword[1]!.length : text.search(/[<>=!]/);
  if (end <= 0) throw new CliUsageError(`${what} names no column`);
  return { column: text.slice(0, end).trim(), rest: text.slice(end).trim() };
}

/** `a, b, 'c,d'` → ['a', 'b', 'c,d']; single quotes keep commas and spaces, '' is a quote. */
function splitList(list: string, what: string): string[] {
  if (list.trim() === '') return [];
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (c === "'") {
      if (quoted && list[i + 1] === "'") {
        current += "''";
        i++;
        continue;
      }
      quoted = !quoted;
      current += c;
    } else if (c === ',' && !quoted) {
      items.push(current);
      current = '';
    } else current += c;
  }
  if (quoted) throw new CliUsageError(`${what} has an unterminated 'quoted value'`);
  items.push(current);
  return items.map((v) => unquote(v.trim(), what));
}

function unquote(value: string, what: string): string {
  if (!value.startsWith("'")) return value;
  if (value.length < 2 || !value.endsWith("'")) throw new CliUsageError(`${what} has an unterminated 'quoted value'`);
  return value.slice(1, -1).replaceAll("''", "'");
}
