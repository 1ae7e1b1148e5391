/**
 * Argument parsing for the `vecpg` commands: node:util `parseArgs` in strict mode, plus
 * validators that turn strings into checked numbers, choices, filters and query vectors.
 * Every problem is a `CliUsageError`, printed with the command's usage and exit code 2.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VecpgError, describeValue } from '../errors.ts';
import { defaultVectorColumn, readTableColumns } from '../sql/catalog.ts';
import type { SqlExecutor } from '../sql/executor.ts';
import type { DistanceName } from '../sql/operators.ts';
import { tableName } from './connect.ts';
import { suggestFlag } from './messages.ts';

/**
 * A mistake in the command line: the message names the flag and the bad value.
 *
 * @example
 * throw new CliUsageError('--k must be an integer from 1 to 10000, got "x"');
 */
export class CliUsageError extends VecpgError {
  constructor(message: string) {
    super('INVALID_OPTION', message);
  }
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** The parsed flags: strings, booleans, or arrays of strings for `multiple` flags. */
export type ParsedFlags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Flags every command accepts. */
export const COMMON_OPTIONS = {
  'database-url': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/**
 * Parse `argv` strictly: an unknown flag or a missing value is a `CliUsageError`.
 *
 * @example
 * const { values } = parseCommandArgs(['--table', 'items'], { table: { type: 'string' } });
 */
export function parseCommandArgs(
  argv: string[],
  options: OptionSpec,
  allowPositionals = false,
): { values: ParsedFlags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      strict: true,
      allowPositionals,
    });
    return { values: values, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown) {
      const known = Object.entries({ ...COMMON_OPTIONS, ...options }).flatMap(([name, spec]) =>
        'short' in spec && typeof spec.short === 'string' ? [name, spec.short] : [name],
      );
      const typed = unknown[2]!;
      const suggestion = suggestFlag(typed.split('=')[0]!, known);
      const shown = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);
      throw new CliUsageError(
        `unknown flag ${unknown[1]}${typed}${suggestion === undefined ? '' : `: did you mean ${shown(suggestion)}?`}`,
      );
    }
    throw new CliUsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** A string flag's value (the last one when repeated), or undefined. */
export function stringFlag(values: ParsedFlags, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable string flag. */
export function listFlag(values: ParsedFlags, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** A string flag that must be present. */
export function requireFlag(values: ParsedFlags, name: string): string {
  const v = stringFlag(values, name);
  if (v === undefined || v === '') throw new CliUsageError(`--${name} is required`);
  return v;
}

/**
 * Parse an integer flag in `[min, max]`; `undefined` when absent.
 *
 * @example
 * intFlag({ k: '10' }, 'k', 1, 10000) // 10
 */
export function intFlag(values: ParsedFlags, name: string, min: number, max: number): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  return parseIntIn(raw, `--${name}`, min, max);
}

/** Parse an integer in `[min, max]`, naming `what` in the error. */
export function parseIntIn(raw: string, what: string, min: number, max: number): number {
  const n = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliUsageError(`${what} must be an integer from ${min} to ${max}, got ${describeValue(raw)}`);
  }
  return n;
}

/** Parse a finite number flag in `[min, max]`; `undefined` when absent. */
export function numberFlag(values: ParsedFlags, name: string, min: number, max: number): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new CliUsageError(`--${name} must be a number from ${min} to ${max}, got ${describeValue(raw)}`);
  }
  return n;
}

/**
 * A flag whose value must be one of `choices`.
 *
 * @example
 * choiceFlag({ distance: 'l2' }, 'distance', ['l2', 'cosine'] as const) // 'l2'
 */
export function choiceFlag<T extends string>(values: ParsedFlags, name: string, choices: readonly T[]): T | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new CliUsageError(`--${name} must be one of ${choices.join(', ')}, got ${describeValue(raw)}`);
  }
  return raw as T;
}

/**
 * A query vector given as a literal (`[1,2,3]`, `{1:1.5}/6`, `101`) or `@file` holding one.
 *
 * @example
 * await readQueryArg('@query.txt', process.cwd())
 */
export async function readQueryArg(raw: string, cwd: string): Promise<string> {
  if (!raw.startsWith('@')) return raw.trim();
  const path = resolve(cwd, raw.slice(1));
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new CliUsageError(`--query file ${describeValue(path)} cannot be read: ${(error as Error).message}`);
  }
}

/** The `--distance` values, in pgvector's operator order. */
export const DISTANCE_CHOICES = [
  'l2',
  'ip',
  'cosine',
  'l1',
  'hamming',
  'jaccard',
] as const satisfies readonly DistanceName[];

/** `--table` (with `--schema`), `--column` and `--distance`: the vector column a command works on. */
export const VECTOR_COLUMN_OPTIONS = {
  table: { type: 'string' },
  schema: { type: 'string' },
  column: { type: 'string' },
  distance: { type: 'string' },
} as const satisfies OptionSpec;

/** The column flags plus `-k` and repeatable `--filter col=value`, shared by `search` and `recall`. */
export const VECTOR_SEARCH_OPTIONS = {
  ...VECTOR_COLUMN_OPTIONS,
  k: { type: 'string', short: 'k' },
  filter: { type: 'string', multiple: true },
} as const satisfies OptionSpec;

/**
 * Read the flags of `VECTOR_COLUMN_OPTIONS`: `--table` is required; `--column` is `undefined` when absent
 * (resolve it with {@link resolveVectorColumn}: the table's only vector column); `--distance` must be one of
 * `DISTANCE_CHOICES` and is `undefined` when absent (each command has its own default or refusal).
 *
 * @example
 * vectorColumnFlags({ table: 'items', schema: 'app', column: 'embedding' })
 * // { table: ['app', 'items'], column: 'embedding', distance: undefined }
 */
export function vectorColumnFlags(values: ParsedFlags): {
  table: string | [string, string];
  column: string | undefined;
  distance: DistanceName | undefined;
} {
  const table = tableName(requireFlag(values, 'table'), stringFlag(values, 'schema'));
  const given = stringFlag(values, 'column');
  if (given === '') throw new CliUsageError('--column needs a column name');
  const column = given;
  const distance = choiceFlag(values, 'distance', DISTANCE_CHOICES);
  return { table, column, distance };
}

/**
 * `--column` as given, else the table's only vector column (the rule `vecpg import` and `export` follow:
 * `defaultVectorColumn`); with several, an INVALID_OPTION error listing them and naming `--column`.
 *
 * @example
 * await resolveVectorColumn(db, 'items', undefined, 'search'); // 'embedding'
 */
export async function resolveVectorColumn(
  db: SqlExecutor,
  table: string | [string, string],
  column: string | undefined,
  purpose: string,
): Promise<string> {
  if (column !== undefined) return column;
  const columns = await readTableColumns(db, table);
  if (columns === undefined) {
    throw new VecpgError(
      'INVALID_VALUE',
      `table ${describeValue(typeof table === 'string' ? table : table.join('.'))} does not exist`,
    );
  }
  return defaultVectorColumn(columns, table, purpose);
}

/** Flags for approximate search settings, shared by `search` and `recall`. */
export const SEARCH_SETTING_OPTIONS = {
  'ef-search': { type: 'string' },
  'iterative-scan': { type: 'string' },
  probes: { type: 'string' },
  'max-scan-tuples': { type: 'string' },
} as const satisfies OptionSpec;

/** Approximate search settings as the SQL layer takes them. */
export interface CliSearchSettings {
  efSearch?: number;
  iterativeScan?: 'off' | 'relaxed_order' | 'strict_order';
  ivfflatIterativeScan?: 'off' | 'relaxed_order';
  probes?: number;
  maxScanTuples?: number;
}

/**
 * Read `--ef-search`, `--iterative-scan`, `--probes`, `--max-scan-tuples`; they need `--approximate`.
 *
 * @example
 * approximateSettings({ 'ef-search': '80' }, true) // { efSearch: 80 }
 */
export function approximateSettings(values: ParsedFlags, approximate: boolean): CliSearchSettings | undefined {
  const settings: CliSearchSettings = {};
  const ef = intFlag(values, 'ef-search', 1, 1000);
  if (ef !== undefined) settings.efSearch = ef;
  const probes = intFlag(values, 'probes', 1, 32768);
  if (probes !== undefined) settings.probes = probes;
  const maxScan = intFlag(values, 'max-scan-tuples', 1, 2_147_483_647);
  if (maxScan !== undefined) settings.maxScanTuples = maxScan;
  const scan = choiceFlag(values, 'iterative-scan', ['off', 'relaxed', 'strict'] as const);
  if (scan !== undefined) {
    settings.iterativeScan = scan === 'off' ? 'off' : scan === 'relaxed' ? 'relaxed_order' : 'strict_order';
    // IVFFlat only knows relaxed ordering; strict applies to HNSW alone.
    settings.ivfflatIterativeScan = scan === 'relaxed' ? 'relaxed_order' : 'off';
  }
  const given = Object.keys(settings);
  if (!approximate) {
    if (given.length > 0) {
      const flags = ['ef-search', 'probes', 'max-scan-tuples', 'iterative-scan'].filter((f) => values[f] !== undefined);
      throw new CliUsageError(`--${flags[0] ?? 'ef-search'} only applies with --approximate`);
    }
    return undefined;
  }
  return settings;
}
