/**
 * What the CLI says when something goes wrong, in the words a person typed: flags, not the library's
 * option names. Library errors carry their option fix as a structured `OptionHint` whose text is part
 * of the message; here that exact text is replaced by the same fix naming the flag.
 */
import { type OptionHint, type VecpgError, isVecpgError, optionHintText } from '../errors.ts';

/** Library options whose flag is not simply their kebab-case name. */
const FLAG_OF: Readonly<Record<string, string>> = {
  labelColumn: 'label',
  columns: 'include',
  mapping: 'map',
  k: 'k',
  maxDistance: 'max-distance',
};

/**
 * The flag for a library option: `indexBase` → `--index-base`, `labelColumn` → `--label`, `k` → `-k`.
 *
 * @example
 * flagFor('indexBase'); // '--index-base'
 */
export function flagFor(option: string): string {
  const name = FLAG_OF[option] ?? option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/**
 * A hint's option as typed on the command line: `--create`, `--index-base 0`, `--format`.
 *
 * @example
 * flagText('indexBase', 0); // '--index-base 0'
 */
export function flagText(option: string, value: OptionHint['value']): string {
  const flag = flagFor(option);
  if (value === undefined || value === true) return flag;
  if (value === false) return `--no-${flag.replace(/^-+/, '')}`;
  return `${flag} ${String(value)}`;
}

/** The error and its causes, outermost first. */
function chain(error: unknown): VecpgError[] {
  const out: VecpgError[] = [];
  let e: unknown = error;
  while (isVecpgError(e) && out.length < 10) {
    out.push(e);
    e = e.cause;
  }
  return out;
}

/**
 * The message of a library error as the CLI prints it: every option hint in it (its own or a
 * cause's, e.g. an INVALID_SPARSE_INDEX inside an IMPORT_FAILED) names the flag instead of the option.
 *
 * @example
 * cliMessage(error); // 'table "docs" does not exist (use --create to create it)'
 */
export function cliMessage(error: VecpgError): string {
  return withFlags(
    error.message,
    chain(error).flatMap((e) => (e.hint === undefined ? [] : [e.hint])),
  );
}

/**
 * `message` with the text of each hint naming the flag instead of the library option.
 *
 * @example
 * withFlags('table "t" does not exist (use create: true to create it)', [{ option: 'create', value: true, text: '(use {option} to create it)' }]);
 * // 'table "t" does not exist (use --create to create it)'
 */
export function withFlags(message: string, hints: readonly OptionHint[]): string {
  let out = message;
  for (const hint of hints) out = out.replace(optionHintText(hint), optionHintText(hint, flagText));
  return out;
}

/**
 * Levenshtein distance between two short strings.
 *
 * @example
 * editDistance('colum', 'column'); // 1
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known flag closest to a mistyped one, if any is close enough to be what was meant (at most
 * one edit for short names, two for longer ones; or the typed text is a prefix of exactly one flag).
 *
 * @example
 * suggestFlag('colum', ['column', 'table']); // 'column'
 */
export function suggestFlag(typed: string, known: readonly string[]): string | undefined {
  const limit = typed.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(typed, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  const prefixed = typed.length >= 3 ? known.filter((k) => k.startsWith(typed)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
