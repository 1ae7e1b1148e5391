/**
 * What commands print: aligned human tables by default, stable JSON with `--json`, and progress on
 * stderr (redrawn on a terminal, a line every few seconds otherwise).
 */
import { jsonInteger } from '../io/json-integer.ts';
import type { CliIO } from './command.ts';

/** A cell as printed: vectors and objects use their `toString()`/JSON form. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatNumber(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => formatCell(v)).join(',')}]`;
  if (ArrayBuffer.isView(value)) return `[${Array.from(value as unknown as ArrayLike<number>).join(',')}]`;
  if (value instanceof Date) return value.toISOString();
  const s = String(value);
  return s === '[object Object]' ? JSON.stringify(value) : s;
}

/** Up to 6 significant digits, no exponent for ordinary magnitudes. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return String(Number(n.toPrecision(6)));
}

/**
 * Render rows as an aligned text table with a header and a rule. Numbers align right.
 *
 * @example
 * formatTable(['id', 'distance'], [{ id: 1, distance: 0.5 }])
 * // "id  distance\n--  --------\n 1       0.5\n"
 */
export function formatTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cells = rows.map((row) => columns.map((c) => truncate(formatCell(row[c]))));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] == null || typeof r[c] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (parts: string[]): string =>
    parts
      .map((p, i) => (numeric[i] ? p.padStart(widths[i] ?? 0) : p.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line([...columns]), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  return `${out.join('\n')}\n`;
}

function truncate(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/**
 * The row with its `int8` columns (named in `int8Columns`) written by {@link jsonInteger}'s rule, whatever the
 * driver returned for them (a string on node-postgres, a number or a bigint on PGlite).
 *
 * @example
 * int8ColumnsForJson({ id: '7', name: 'a' }, new Set(['id'])); // { id: 7, name: 'a' }
 */
export function int8ColumnsForJson(
  row: Readonly<Record<string, unknown>>,
  int8Columns: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...row };
  for (const name of int8Columns) {
    const v = out[name];
    if (typeof v === 'bigint' || (typeof v === 'string' && /^-?\d+$/.test(v))) out[name] = jsonInteger(v);
  }
  return out;
}

/**
 * Stable JSON: keys in insertion order, vectors through their `toJSON()`, a bigint by {@link jsonInteger}
 * (a number when exact, else a string).
 *
 * @example
 * toJson({ k: 10 }) // '{\n  "k": 10\n}\n'
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? jsonInteger(v) : v), 2)}\n`;
}

/** Write text to the command's stdout. */
export function print(io: CliIO, text: string): void {
  io.stdout.write(text);
}

/** How a command shows progress: `--quiet` silences it, `--progress` prints lines even on a terminal. */
export interface ProgressOptions {
  quiet?: boolean | undefined;
  progress?: boolean | undefined;
  /** Seconds between lines when not redrawing in place (default 5). */
  everySeconds?: number | undefined;
}

/** The `--progress` / `--quiet` flags of the long-running commands. */
export const PROGRESS_OPTIONS = {
  progress: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

/**
 * Progress on stderr: on a terminal one line redrawn in place; otherwise (or with `--progress`) a plain
 * line every few seconds, so a log shows the work is alive; nothing with `--quiet`.
 *
 * @example
 * const p = new Progress(io); p.update('building index 40%'); p.done();
 */
export class Progress {
  private shown = false;
  private readonly mode: 'tty' | 'lines' | 'off';
  private readonly started = Date.now();
  private last = 0;
  private readonly everyMs: number;
  constructor(
    private readonly io: CliIO,
    options: ProgressOptions = {},
  ) {
    this.mode = options.quiet === true ? 'off' : io.isTTY && options.progress !== true ? 'tty' : 'lines';
    this.everyMs = (options.everySeconds ?? 5) * 1000;
  }

  /** Replace the progress line (on a terminal), or print it when a line is due. */
  update(text: string): void {
    if (this.mode === 'off') return;
    if (this.mode === 'tty') {
      this.io.stderr.write(`\r\x1b[2K${text}`);
      this.shown = true;
      return;
    }
    const now = Date.now();
    if (now - this.started < this.everyMs || now - this.last < this.everyMs) return;
    this.last = now;
    this.io.stderr.write(`[${Math.round((now - this.started) / 1000)} s] ${text}\n`);
  }

  /** Clear the progress line. */
  done(): void {
    if (this.shown) this.io.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}
