/**
 * Word-embedding formats (word2vec / GloVe / fastText text, word2vec binary) and the CSV options
 * for files that are not RFC 4180 (`delimiter`, `quote: false`), on small files written here.
 */
import { describe, expect, it } from 'vitest';
import { isVecpgError, type VecpgError } from 'vecpg';
import { type ImportFormat, formatFromPath, readRecords, type RecordsOptions } from '../../src/io/readers/formats.ts';
import { looksLikeVecText } from '../../src/io/readers/vec.ts';
import type { ReadItem, SourceRecord } from '../../src/io/record.ts';

async function* once(bytes: Uint8Array, cut = 7): AsyncGenerator<Uint8Array> {
  // split the input so a token, a number or a float32 crosses a chunk boundary
  for (let i = 0; i < bytes.length; i += cut) yield bytes.subarray(i, Math.min(bytes.length, i + cut));
}

async function read(
  format: ImportFormat,
  input: string | Uint8Array,
  options: Partial<RecordsOptions> = {},
): Promise<ReadItem[]> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const out: ReadItem[] = [];
  for await (const item of readRecords(format, once(bytes), { name: 'words.vec', ...options })) out.push(item);
  return out;
}

function good(items: ReadItem[]): SourceRecord[] {
  return items.map((i) => {
    if (!i.ok) throw i.error;
    return i;
  });
}

async function thrown(promise: Promise<unknown>): Promise<VecpgError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isVecpgError(e)) throw new Error(`expected a VecpgError, got ${String(e)}`);
  return e;
}

const dense = (r: SourceRecord): number[] => (r.vector.kind === 'dense' ? Array.from(r.vector.values) : []);

describe('word2vec / GloVe / fastText text (vec)', () => {
  it('reads an "N D" header and tokens holding ", comma, #, : and non-ASCII, any of them first', async () => {
    const text = '4 3\n"quoted" 0.5 -1 2e-3\n, 1 2 3 \n#hash 4\t5\t6\nÉté:x -0.25 0 1\n';
    const rows = good(await read('vec', text));
    expect(rows.map((r) => r.fields)).toEqual([
      { word: '"quoted"' },
      { word: ',' },
      { word: '#hash' },
      { word: 'Été:x' },
    ]);
    expect(rows.map(dense)).toEqual([
      [0.5, -1, 2e-3],
      [1, 2, 3],
      [4, 5, 6],
      [-0.25, 0, 1],
    ]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5]);
  });

  it('reads GloVe (no header: dimensions from the first record) into the token column asked for', async () => {
    const rows = good(await read('vec', 'the 0.1 0.2\nof 0.3 0.4\n\n', { tokenField: 'token' }));
    expect(rows.map((r) => r.fields)).toEqual([{ token: 'the' }, { token: 'of' }]);
    expect(rows.map(dense)).toEqual([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
  });

  it('a record of the wrong width fails with the file, the line and the token', async () => {
    const items = await read('vec', '2 3\na 1 2 3\nb 1 2\n');
    const bad = items[1];
    expect(bad?.ok).toBe(false);
    if (bad?.ok !== false) return;
    expect(bad.error.code).toBe('IMPORT_FAILED');
    expect(bad.error.details).toMatchObject({ file: 'words.vec', line: 3, reason: 'DIMENSION_MISMATCH', value: 'b' });
    expect(bad.error.message).toContain('words.vec:3');
  });

  it('a bad number fails with file and line; a header promising more records than the file has is an error', async () => {
    const items = await read('vec', 'a 1 x\n');
    expect(items[0]?.ok === false && items[0].error.details).toMatchObject({
      file: 'words.vec',
      line: 1,
      reason: 'INVALID_TEXT',
    });
    const e = await thrown(read('vec', '3 2\na 1 2\nb 3 4\n'));
    expect(e.code).toBe('IMPORT_FAILED');
    expect(e.message).toMatch(/^words\.vec:3: .*announces 3 records but the file has 2/);
  });

  it('is named by .vec and .bin, and recognised from a first line', () => {
    expect(formatFromPath('wiki.en.vec')).toBe('vec');
    expect(formatFromPath('GoogleNews-vectors-negative300.bin')).toBe('word2vec');
    expect(formatFromPath('glove.6B.100d.txt')).toBeUndefined();
    expect(looksLikeVecText('400000 100')).toBe(true);
    expect(looksLikeVecText('the 0.418 0.24968 -0.41242')).toBe(true);
    expect(looksLikeVecText('id,x,y')).toBe(false);
    expect(looksLikeVecText('1 1:0.5 3:2')).toBe(false);
  });
});

/** A word2vec binary file written byte by byte per the format: "N D\n", then token, space, D float32 LE [, "\n"]. */
function word2vecBinary(records: Array<[string, number[]]>, newlineAfterRecord: boolean): Uint8Array {
  const dims = records[0]![1].length;
  const bytes: number[] = [...new TextEncoder().encode(`${records.length} ${dims}\n`)];
  for (const [token, values] of records) {
    bytes.push(...new TextEncoder().encode(token), 0x20);
    for (const v of values) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, v, true);
      bytes.push(...b);
    }
    if (newlineAfterRecord) bytes.push(0x0a);
  }
  return new Uint8Array(bytes);
}

describe('word2vec binary', () => {
  const records: Array<[string, number[]]> = [
    ['</s>', [0.5, -1.25, 3]],
    ['"a,b#c"', [0.1, 0, -0]],
    ['naïve', [1e-8, 65504, -2.5]],
  ];

  it.each([true, false])(
    'reads tokens and exact float32 values (a line break after each record: %s)',
    async (newline) => {
      const rows = good(await read('word2vec', word2vecBinary(records, newline), { name: 'w.bin' }));
      expect(rows.map((r) => r.fields.word)).toEqual(['</s>', '"a,b#c"', 'naïve']);
      expect(rows.map(dense)).toEqual(records.map(([, v]) => v.map((x) => Math.fround(x))));
      expect(rows.map((r) => r.line)).toEqual([1, 2, 3]);
    },
  );

  it('a truncated file fails naming the file and the record', async () => {
    const full = word2vecBinary(records, true);
    const e = await thrown(read('word2vec', full.subarray(0, full.length - 6), { name: 'w.bin' }));
    expect(e.code).toBe('IMPORT_FAILED');
    expect(e.details).toMatchObject({ file: 'w.bin', line: 3, reason: 'INVALID_BINARY' });
  });

  it('a file that is not word2vec binary is refused at its header', async () => {
    const e = await thrown(read('word2vec', 'the 0.1 0.2\n', { name: 'w.bin' }));
    expect(e.details).toMatchObject({ file: 'w.bin', reason: 'INVALID_BINARY' });
  });
});

describe('CSV / TSV options', () => {
  it('--quote none reads " as an ordinary character; a delimiter of choice', async () => {
    const rows = good(
      await read('csv', 'word;a;b\n"hi;1;2\nx";3;4\n', {
        name: 'w.csv',
        delimiter: ';',
        quote: false,
        columnFields: ['word'],
      }),
    );
    expect(rows.map((r) => r.fields)).toEqual([{ word: '"hi' }, { word: 'x"' }]);
    expect(rows.map(dense)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('an unterminated quoted field names the file and the line it starts on', async () => {
    const e = await thrown(read('tsv', 'word\ta\nok\t1\n"bad\t2\n', { name: 'w.tsv' }));
    expect(e.code).toBe('IMPORT_FAILED');
    expect(e.details).toMatchObject({ file: 'w.tsv', line: 3, reason: 'INVALID_TEXT' });
  });

  it('when creating, header fields whose first value is not a number, and id, are columns', async () => {
    const rows = good(await read('csv', 'id,word,x,y\n7,cat,1,2\n8,dog,3,4\n', { name: 'w.csv', inferColumns: true }));
    expect(rows.map((r) => r.fields)).toEqual([
      { id: '7', word: 'cat' },
      { id: '8', word: 'dog' },
    ]);
    expect(rows.map(dense)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
