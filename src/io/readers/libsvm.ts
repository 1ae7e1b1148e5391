/**
 * libsvm / svmlight: `label [qid:n] index:value index:value … [# comment]`, one record per line.
 * Indices are 1-based by convention (override with `indexBase: 0`); the label goes to the `label`
 * field and `qid` to `qid`. Blank lines and `#` comment lines are skipped.
 */
import { VecpgError } from '../../errors.ts';
import { parseElement } from '../../types/float.ts';
import { type IndexBase, fromBase } from '../../types/index-base.ts';
import { importError } from '../errors.ts';
import { readLines } from '../lines.ts';
import type { ReadItem, ReaderOptions } from '../record.ts';

/** libsvm's documented index base. */
export const LIBSVM_INDEX_BASE: IndexBase = 1;

const INDEX = /^[+-]?[0-9]+$/;

/**
 * Read a libsvm / svmlight file as sparse records.
 *
 * @example
 * for await (const r of readLibsvm(fileSource('a.svm').chunks(), { name: 'a.svm' })) if (r.ok) r.vector;
 */
export async function* readLibsvm(chunks: AsyncIterable<Uint8Array>, options: ReaderOptions): AsyncGenerator<ReadItem> {
  const base = options.indexBase ?? LIBSVM_INDEX_BASE;
  for await (const { number, text } of readLines(chunks)) {
    const hash = text.indexOf('#');
    const body = (hash === -1 ? text : text.slice(0, hash)).trim();
    if (body.length === 0) continue;
    let token: string | undefined;
    try {
      const tokens = body.split(/\s+/);
      const label = tokens[0]!;
      if (label.includes(':')) {
        token = label;
        throw new VecpgError('INVALID_TEXT', `libsvm line starts with ${JSON.stringify(label)} instead of a label`);
      }
      const fields: Record<string, unknown> = { label: labelValue(label) };
      const indices: number[] = [];
      const values: number[] = [];
      for (let t = 1; t < tokens.length; t++) {
        token = tokens[t]!;
        const colon = token.indexOf(':');
        const key = colon === -1 ? '' : token.slice(0, colon);
        if (key === 'qid') {
          fields.qid = Number(token.slice(colon + 1));
          continue;
        }
        if (!INDEX.test(key))
          throw new VecpgError('INVALID_TEXT', `libsvm pair ${JSON.stringify(token)} must be "index:value"`);
        indices.push(fromBase(Number(key), base, `line ${number}`));
        values.push(parseElement(token.slice(colon + 1), Number(key), 'sparsevec'));
      }
      yield {
        ok: true,
        line: number,
        text,
        vector: { kind: 'sparse', indices, values, dimensions: options.dimensions, base },
        fields,
      };
    } catch (error) {
      yield {
        ok: false,
        line: number,
        text,
        error: importError({ file: options.name, line: number, value: token }, error),
      };
    }
  }
}

/** A numeric label as a number; anything else (multi-label `1,3`) stays text. */
function labelValue(label: string): number | string {
  const n = Number(label);
  return Number.isFinite(n) ? n : label;
}
