/**
 * MatrixMarket (`.mtx`): `coordinate` matrices become one sparse record per row (1-based row and
 * column numbers by the format's definition; override with `indexBase: 0`), `array` matrices one
 * dense record per row. Only `general` matrices of `real`, `integer` or `pattern` fields.
 *
 * Memory: the format does not promise any entry order (array data is column-major), so the
 * entries are held in typed arrays (12 bytes per coordinate entry, 8 per array element) and
 * emitted row by row. Rows without entries become all-zero sparse vectors.
 */
import { type OptionHint, VecpgError, optionHintText } from '../../errors.ts';
import { parseElement } from '../../types/float.ts';
import { type IndexBase, fromBase } from '../../types/index-base.ts';
import { importError } from '../errors.ts';
import { readLines } from '../lines.ts';
import type { ReadItem, ReaderOptions } from '../record.ts';
import { MAX_DIMENSIONS, SPARSE_MAX_DIMENSIONS, SPARSE_MAX_NNZ } from '../../types/limits.ts';

/** Rows one file may claim (each becomes a record; empty rows included). */
const MAX_ROWS = 100_000_000;

/** Double a typed array's capacity (up to `limit`) as entries arrive, instead of trusting the size line. */
function grow<T extends Int32Array | Float64Array>(array: T, limit: number): T {
  const next = new (array.constructor as new (n: number) => T)(Math.min(limit, Math.max(1024, array.length * 2)));
  next.set(array);
  return next;
}

/** MatrixMarket's documented index base. */
/** An index past the size line; when read as 0-based and exactly one too far, the file is probably 1-based. */
function beyond(problem: string, offByOne: boolean): VecpgError {
  if (!offByOne) return new VecpgError('INVALID_SPARSE_INDEX', problem);
  const hint: OptionHint = {
    option: 'indexBase',
    value: 1,
    text: '(read as 0-based: is the file 1-based? then use {option})',
  };
  return new VecpgError('INVALID_SPARSE_INDEX', `${problem} ${optionHintText(hint)}`, { hint });
}

export const MTX_INDEX_BASE: IndexBase = 1;

interface Header {
  layout: 'coordinate' | 'array';
  field: 'real' | 'integer' | 'pattern';
}

function parseBanner(text: string): Header {
  const parts = text.trim().toLowerCase().split(/\s+/);
  const [banner, object, layout, field, symmetry] = parts;
  if (banner !== '%%matrixmarket' || object !== 'matrix') {
    throw new VecpgError('INVALID_TEXT', `not a MatrixMarket matrix: first line is ${JSON.stringify(text)}`);
  }
  if (layout !== 'coordinate' && layout !== 'array') {
    throw new VecpgError(
      'UNSUPPORTED',
      `MatrixMarket format ${JSON.stringify(layout)} is not supported (coordinate or array)`,
    );
  }
  if (field !== 'real' && field !== 'integer' && field !== 'pattern' && field !== 'double') {
    throw new VecpgError(
      'UNSUPPORTED',
      `MatrixMarket field ${JSON.stringify(field)} is not supported (real, integer, pattern)`,
    );
  }
  if (symmetry !== 'general') {
    throw new VecpgError(
      'UNSUPPORTED',
      `MatrixMarket symmetry ${JSON.stringify(symmetry)} is not supported (general only)`,
    );
  }
  if (field === 'pattern' && layout === 'array')
    throw new VecpgError('UNSUPPORTED', 'a pattern matrix must be in coordinate format');
  return { layout, field: field === 'double' ? 'real' : field };
}

function integer(token: string | undefined, what: string): number {
  if (token === undefined || !/^[0-9]+$/.test(token))
    throw new VecpgError(
      'INVALID_TEXT',
      `MatrixMarket ${what} ${JSON.stringify(token ?? '')} is not a non-negative integer`,
    );
  return Number(token);
}

/**
 * Read a MatrixMarket file, one record per matrix row.
 *
 * @example
 * for await (const r of readMtx(fileSource('m.mtx').chunks(), { name: 'm.mtx' })) …
 */
export async function* readMtx(chunks: AsyncIterable<Uint8Array>, options: ReaderOptions): AsyncGenerator<ReadItem> {
  const file = options.name;
  const base = options.indexBase ?? MTX_INDEX_BASE;
  let header: Header | undefined;
  let rows = -1;
  let cols = 0;
  let expected = 0;
  let count = 0;
  let sizeLine = 0;
  let failed = 0;
  // coordinate entries
  let ri = new Int32Array(0);
  let ci = new Int32Array(0);
  let vs = new Float64Array(0);
  let lines = new Int32Array(0);
  // array data (column-major)
  let dense = new Float64Array(0);
  for await (const { number, text } of readLines(chunks)) {
    let value: string | undefined;
    try {
      if (header === undefined) {
        header = parseBanner(text);
        continue;
      }
      const t = text.trim();
      if (t.length === 0 || t.startsWith('%')) continue;
      const tokens = t.split(/\s+/);
      if (rows < 0) {
        sizeLine = number;
        rows = integer(tokens[0], 'row count');
        cols = integer(tokens[1], 'column count');
        if (cols < 1) throw new VecpgError('INVALID_DIMENSIONS', `MatrixMarket matrix has ${cols} columns`);
        // The size line's numbers are claims: bound them before they size anything.
        const maxCols = header.layout === 'coordinate' ? SPARSE_MAX_DIMENSIONS : MAX_DIMENSIONS;
        if (cols > maxCols) {
          throw new VecpgError(
            'TOO_MANY_DIMENSIONS',
            `MatrixMarket matrix has ${cols} columns; a ${header.layout === 'coordinate' ? 'sparsevec' : 'vector'} takes at most ${maxCols}`,
          );
        }
        if (rows > MAX_ROWS)
          throw new VecpgError(
            'UNSUPPORTED',
            `MatrixMarket matrix has ${rows} rows; vecpg reads at most ${MAX_ROWS} rows from one file`,
          );
        if (header.layout === 'coordinate') {
          expected = integer(tokens[2], 'entry count');
          if (expected > rows * Math.min(cols, SPARSE_MAX_NNZ)) {
            throw new VecpgError(
              'INVALID_TEXT',
              `MatrixMarket size line announces ${expected} entries, more than ${rows} rows × ${cols} columns can hold`,
            );
          }
        } else {
          expected = rows * cols;
        }
        continue;
      }
      if (count >= expected)
        throw new VecpgError(
          'INVALID_TEXT',
          `MatrixMarket file has more than the ${expected} entries its size line (line ${sizeLine}) announces`,
        );
      if (header.layout === 'array') {
        value = tokens[0];
        if (count === dense.length) dense = grow(dense, expected);
        dense[count] = parseElement(tokens[0] ?? '', count, 'vector');
        count++;
        continue;
      }
      value = t;
      const row = fromBase(integer(tokens[0], 'row number'), base, `line ${number} (row)`);
      const col = fromBase(integer(tokens[1], 'column number'), base, `line ${number} (column)`);
      if (row >= rows)
        throw beyond(`row ${tokens[0]} is beyond the ${rows} rows of the size line`, base === 0 && row === rows);
      if (col >= cols)
        throw beyond(`column ${tokens[1]} is beyond the ${cols} columns of the size line`, base === 0 && col === cols);
      if (count === ri.length) {
        ri = grow(ri, expected);
        ci = grow(ci, expected);
        vs = grow(vs, expected);
        lines = grow(lines, expected);
      }
      ri[count] = row;
      ci[count] = col;
      vs[count] = header.field === 'pattern' ? 1 : parseElement(tokens[2] ?? '', col, 'sparsevec');
      lines[count] = number;
      count++;
    } catch (error) {
      // The size line and banner are structural: nothing after them can be read safely.
      const failure = importError({ file, line: number, value: value ?? text }, error);
      if (header === undefined || rows < 0 || header.layout === 'array') throw failure;
      failed++;
      yield { ok: false, line: number, text, error: failure };
    }
  }
  if (header === undefined || rows < 0)
    throw importError(
      { file, line: 0 },
      new VecpgError('INVALID_TEXT', 'MatrixMarket file has no banner or size line'),
    );
  if (header.layout === 'array') {
    if (count !== expected)
      throw importError(
        { file, line: sizeLine },
        new VecpgError(
          'INVALID_TEXT',
          `MatrixMarket array has ${count} values, the size line says ${rows} × ${cols} = ${expected}`,
        ),
      );
    for (let r = 0; r < rows; r++) {
      const values = new Float64Array(cols);
      for (let c = 0; c < cols; c++) values[c] = dense[c * rows + r]!;
      yield { ok: true, line: r + 1, text: undefined, vector: { kind: 'dense', values }, fields: { row: r + 1 } };
    }
    return;
  }
  if (count + failed !== expected) {
    throw importError(
      { file, line: sizeLine },
      new VecpgError('INVALID_TEXT', `MatrixMarket file has ${count + failed} entries, its size line says ${expected}`),
    );
  }
  // Counting sort of the entries by row, then one record per row.
  const start = new Int32Array(rows + 1);
  for (let k = 0; k < count; k++) start[ri[k]! + 1]!++;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
  const order = new Int32Array(count);
  const fill = start.slice(0, rows);
  for (let k = 0; k < count; k++) order[fill[ri[k]!]!++] = k;
  for (let r = 0; r < rows; r++) {
    const from = start[r]!;
    const to = start[r + 1]!;
    const indices = new Int32Array(to - from);
    const values = new Float64Array(to - from);
    let line = sizeLine;
    for (let p = from; p < to; p++) {
      const k = order[p]!;
      indices[p - from] = ci[k]!;
      values[p - from] = vs[k]!;
      if (p === from) line = lines[k]!;
    }
    yield {
      ok: true,
      line,
      text: undefined,
      vector: { kind: 'sparse', indices, values, dimensions: cols, base },
      fields: { row: r + 1 },
    };
  }
}
