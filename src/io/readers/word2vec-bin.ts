/**
 * word2vec binary files (`-binary 1`, gensim's `save_word2vec_format(binary=True)`): an ASCII header
 * line `N D\n`, then N records of a token, one space, and D little-endian float32. The original tool
 * writes a `\n` after each record, gensim does not: line breaks before a token are skipped. The token
 * (UTF-8, any byte but space and line break) goes to the `tokenField` field (default `word`); `line` is
 * the 1-based record number. Constant memory.
 */
import { VecpgError } from '../../errors.ts';
import { MAX_DIMENSIONS } from '../../types/limits.ts';
import { ByteReader } from '../byte-reader.ts';
import { importError } from '../errors.ts';
import type { ReadItem } from '../record.ts';
import { DEFAULT_TOKEN_FIELD, type VecOptions, vecHeader } from './vec.ts';

/** Longest token accepted: far above any real vocabulary, low enough to stop at once on a wrong file. */
const MAX_TOKEN_BYTES = 4096;
const MAX_HEADER_BYTES = 64;

/**
 * Read a word2vec binary file.
 *
 * @example
 * for await (const r of readWord2vecBinary(fileSource('GoogleNews.bin').chunks(), { name: 'GoogleNews.bin' })) …
 */
export async function* readWord2vecBinary(
  chunks: AsyncIterable<Uint8Array>,
  options: VecOptions,
): AsyncGenerator<ReadItem> {
  const reader = new ByteReader(chunks);
  try {
    yield* word2vecRecords(reader, options);
  } finally {
    // Also when the consumer stops early or this throws: the input is told to stop (a file is closed).
    await reader.close();
  }
}

async function* word2vecRecords(reader: ByteReader, options: VecOptions): AsyncGenerator<ReadItem> {
  const tokenField = options.tokenField ?? DEFAULT_TOKEN_FIELD;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const fail = (record: number, message: string, value?: unknown): never => {
    throw importError({ file: options.name, line: record, value }, new VecpgError('INVALID_BINARY', message));
  };
  // Header: ASCII digits, a space, digits, a line break.
  let headerText = '';
  for (;;) {
    const b = await reader.read(1);
    if (b.length === 0) {
      if (headerText.length === 0) return;
      fail(0, `the header line ${JSON.stringify(headerText)} is not terminated`);
    }
    if (b[0] === 10) break;
    headerText += String.fromCharCode(b[0]!);
    if (headerText.length > MAX_HEADER_BYTES)
      fail(0, 'no "N D" header line: is this really a word2vec binary file?', headerText.slice(0, 20));
  }
  const header = vecHeader(headerText.replace(/\r$/, ''));
  if (header === undefined)
    fail(
      0,
      `the header line ${JSON.stringify(headerText)} is not "N D": is this really a word2vec binary file?`,
      headerText,
    );
  const { count, dimensions } = header!;
  if (dimensions < 1 || dimensions > MAX_DIMENSIONS)
    fail(0, `the header announces ${dimensions} dimensions`, dimensions);
  const token = new Uint8Array(MAX_TOKEN_BYTES);
  for (let n = 1; n <= count; n++) {
    let length = 0;
    let started = false;
    for (;;) {
      const b = await reader.read(1);
      if (b.length === 0)
        fail(n, `the file ends after ${n - 1} of the ${count} records the header announces: is it truncated?`);
      const c = b[0]!;
      if (!started && (c === 10 || c === 13)) continue;
      started = true;
      if (c === 32) break;
      if (c === 10) fail(n, 'a line break inside a token: is this really a word2vec binary file?');
      if (length === MAX_TOKEN_BYTES)
        fail(n, `a token longer than ${MAX_TOKEN_BYTES} bytes: is this really a word2vec binary file?`);
      token[length++] = c;
    }
    let word: string;
    try {
      word = decoder.decode(token.subarray(0, length));
    } catch {
      fail(n, 'a token that is not valid UTF-8');
    }
    const bytes = await reader.read(4 * dimensions);
    if (bytes.length < 4 * dimensions)
      fail(
        n,
        `record ${n} is truncated: ${dimensions} float32 announced, ${Math.floor(bytes.length / 4)} present`,
        word!,
      );
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = new Float32Array(dimensions);
    for (let i = 0; i < dimensions; i++) values[i] = view.getFloat32(4 * i, true);
    yield { ok: true, line: n, text: undefined, vector: { kind: 'dense', values }, fields: { [tokenField]: word! } };
  }
  // Only the trailing line break of the last record may follow.
  for (;;) {
    const b = await reader.read(1);
    if (b.length === 0) return;
    if (b[0] !== 10 && b[0] !== 13) fail(count, `more data after the ${count} records the header announces`);
  }
}
