/**
 * Word-embedding text files (word2vec `-binary 0`, GloVe, fastText `.vec`): one record per line, a token
 * then its numbers, separated by spaces or tabs. A token is any run of characters but a space, a tab or
 * a line break — `"`, `,`, `#` and `:` included, nothing is quoted or escaped. word2vec and fastText
 * start with a header line `N D` (records, dimensions); GloVe has none. The token goes to the `tokenField`
 * field (default `word`), the numbers are a dense vector. Blank lines are skipped. Constant memory.
 */
import { VecpgError } from '../../errors.ts';
import { parseElement } from '../../types/float.ts';
import { importError, withValue } from '../errors.ts';
import { readLines } from '../lines.ts';
import type { ReadItem, ReaderOptions } from '../record.ts';

/** Field the token goes to unless the caller names another (`--token-column`). */
export const DEFAULT_TOKEN_FIELD = 'word';

/** Options of the word-embedding readers. */
export interface VecOptions extends ReaderOptions {
  /** Field (table column) the token goes to. Default `word`. */
  readonly tokenField?: string | undefined;
}

const HEADER = /^[ \t]*(\d+)[ \t]+(\d+)[ \t]*$/;

/**
 * The `N D` header of a word2vec / fastText file, or undefined when `line` is not one.
 *
 * @example
 * vecHeader('400000 100'); // { count: 400000, dimensions: 100 }
 */
export function vecHeader(line: string): { count: number; dimensions: number } | undefined {
  const m = HEADER.exec(line);
  return m ? { count: Number(m[1]), dimensions: Number(m[2]) } : undefined;
}

/**
 * Whether a first line looks like a word-embedding text file: an `N D` header, or a token followed by
 * at least two numbers, separated by single spaces (how GloVe, word2vec and fastText write them).
 *
 * @example
 * looksLikeVecText('the 0.418 0.24968 -0.41242'); // true
 */
export function looksLikeVecText(firstLine: string): boolean {
  if (vecHeader(firstLine) !== undefined) return true;
  const parts = firstLine.trimEnd().split(' ');
  if (parts.length < 3 || parts[0] === '') return false;
  return parts.slice(1).every((p) => /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(p));
}

/** Split on runs of spaces and tabs (nothing else: a token may hold any other character). */
function splitFields(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c === 32 || c === 9) {
      if (start !== -1) out.push(text.slice(start, i));
      start = -1;
    } else if (start === -1) start = i;
  }
  return out;
}

/**
 * Read a word2vec / GloVe / fastText text file.
 *
 * @example
 * for await (const r of readVecText(fileSource('wiki.en.vec').chunks(), { name: 'wiki.en.vec' })) if (r.ok) r.fields.word;
 */
export async function* readVecText(chunks: AsyncIterable<Uint8Array>, options: VecOptions): AsyncGenerator<ReadItem> {
  const tokenField = options.tokenField ?? DEFAULT_TOKEN_FIELD;
  let dimensions: number | undefined;
  let announced: number | undefined;
  let headerLine = 0;
  let records = 0;
  let first = true;
  let lastLine = 0;
  for await (const { number, text } of readLines(chunks)) {
    lastLine = number;
    if (first) {
      first = false;
      const header = vecHeader(text);
      if (header !== undefined) {
        if (header.dimensions < 1) {
          throw importError(
            { file: options.name, line: number, value: text },
            new VecpgError('INVALID_DIMENSIONS', `the header announces ${header.dimensions} dimensions`),
          );
        }
        dimensions = header.dimensions;
        announced = header.count;
        headerLine = number;
        continue;
      }
    }
    const fields = splitFields(text);
    if (fields.length === 0) continue;
    records++;
    try {
      const token = fields[0]!;
      const count = fields.length - 1;
      if (count === 0)
        throw withValue('DIMENSION_MISMATCH', `token ${JSON.stringify(token)} has no numbers after it`, token);
      if (dimensions === undefined) dimensions = count;
      else if (count !== dimensions) {
        const where =
          headerLine > 0 ? `the header (line ${headerLine}) says ${dimensions}` : `the first record has ${dimensions}`;
        throw new VecpgError('DIMENSION_MISMATCH', `token ${JSON.stringify(token)} has ${count} numbers, ${where}`, {
          details: { expected: dimensions, actual: count, value: token },
        });
      }
      const values = new Array<number>(count);
      for (let i = 0; i < count; i++) values[i] = parseElement(fields[i + 1]!, i, 'vector');
      yield { ok: true, line: number, text, vector: { kind: 'dense', values }, fields: { [tokenField]: token } };
    } catch (error) {
      yield { ok: false, line: number, text, error: importError({ file: options.name, line: number }, error) };
    }
  }
  if (announced !== undefined && records !== announced) {
    throw importError(
      { file: options.name, line: Math.max(lastLine, 1) },
      new VecpgError(
        'INVALID_TEXT',
        `the header (line ${headerLine}) announces ${announced} records but the file has ${records}: is it truncated?`,
        { details: { value: records } },
      ),
    );
  }
}
