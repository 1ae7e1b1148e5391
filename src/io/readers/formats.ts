/** The input formats `load` and `vecpg import` read, their file extensions and documented index bases. */
import { type OptionHint, VecpgError, optionHintText } from '../../errors.ts';
import type { IndexBase } from '../../types/index-base.ts';
import type { ReadItem } from '../record.ts';
import { type CsvOptions, readCsv } from './csv.ts';
import type { DenseBlock } from './dense-block.ts';
import { readVecs, readVecsBlocks } from './fvecs.ts';
import { JSONL_INDEX_BASE, readJsonl } from './jsonl.ts';
import { LIBSVM_INDEX_BASE, readLibsvm } from './libsvm.ts';
import { MTX_INDEX_BASE, readMtx } from './mtx.ts';
import { readNpy, readNpyBlocks } from './npy.ts';
import { type VecOptions, readVecText } from './vec.ts';
import { readWord2vecBinary } from './word2vec-bin.ts';

/**
 * `vec`: word2vec / GloVe / fastText text (token then numbers); `word2vec`: word2vec's binary format (`.bin`).
 */
export type ImportFormat = 'libsvm' | 'mtx' | 'jsonl' | 'csv' | 'tsv' | 'npy' | 'fvecs' | 'bvecs' | 'vec' | 'word2vec';

export const IMPORT_FORMATS: readonly ImportFormat[] = [
  'libsvm',
  'mtx',
  'jsonl',
  'csv',
  'tsv',
  'npy',
  'fvecs',
  'bvecs',
  'vec',
  'word2vec',
];

/** Options every reader takes (each reads the ones it knows). */
export type RecordsOptions = CsvOptions & VecOptions;

/**
 * The index base each format's sparse indices use unless `indexBase` says otherwise
 * (`undefined`: the format has no sparse indices, or only pgvector text, which is always 1-based).
 */
export const FORMAT_INDEX_BASE: Readonly<Record<ImportFormat, IndexBase | undefined>> = {
  libsvm: LIBSVM_INDEX_BASE,
  mtx: MTX_INDEX_BASE,
  jsonl: JSONL_INDEX_BASE,
  csv: undefined,
  tsv: undefined,
  npy: undefined,
  fvecs: undefined,
  bvecs: undefined,
  vec: undefined,
  word2vec: undefined,
};

const EXTENSIONS: Readonly<Record<string, ImportFormat>> = {
  svm: 'libsvm',
  libsvm: 'libsvm',
  svmlight: 'libsvm',
  mtx: 'mtx',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  csv: 'csv',
  tsv: 'tsv',
  npy: 'npy',
  fvecs: 'fvecs',
  bvecs: 'bvecs',
  vec: 'vec',
  bin: 'word2vec',
};

/**
 * The format a file name's extension names, or undefined (then the caller must say).
 *
 * @example
 * formatFromPath('data/train.svm'); // 'libsvm'
 */
export function formatFromPath(path: string): ImportFormat | undefined {
  const m = /\.([a-z0-9]+)$/i.exec(path);
  return m ? EXTENSIONS[m[1]!.toLowerCase()] : undefined;
}

/**
 * Check a format name given by a user.
 *
 * @example
 * parseFormat('libsvm'); // 'libsvm'
 */
export function parseFormat(name: string): ImportFormat {
  const lower = name.toLowerCase();
  const f = (IMPORT_FORMATS as readonly string[]).includes(lower) ? (lower as ImportFormat) : EXTENSIONS[lower];
  if (f === undefined) {
    const hint: OptionHint = { option: 'format', text: `{option} takes one of ${IMPORT_FORMATS.join(', ')}` };
    throw new VecpgError('INVALID_OPTION', `unknown format ${JSON.stringify(name)}: ${optionHintText(hint)}`, {
      details: { value: name },
      hint,
    });
  }
  return f;
}

/**
 * Records of an input in `format`.
 *
 * @example
 * for await (const item of readRecords('libsvm', fileSource('a.svm').chunks(), { name: 'a.svm' })) …
 */
export function readRecords(
  format: ImportFormat,
  chunks: AsyncIterable<Uint8Array>,
  options: RecordsOptions,
): AsyncGenerator<ReadItem> {
  switch (format) {
    case 'libsvm':
      return readLibsvm(chunks, options);
    case 'mtx':
      return readMtx(chunks, options);
    case 'jsonl':
      return readJsonl(chunks, options);
    case 'csv':
      return readCsv(chunks, options);
    case 'tsv':
      return readCsv(chunks, { ...options, delimiter: options.delimiter ?? '\t' });
    case 'npy':
      return readNpy(chunks, options);
    case 'fvecs':
      return readVecs(chunks, options, 'float32');
    case 'bvecs':
      return readVecs(chunks, options, 'uint8');
    case 'vec':
      return readVecText(chunks, options);
    case 'word2vec':
      return readWord2vecBinary(chunks, options);
  }
}

/** The formats {@link readBlocks} reads. */
export const BLOCK_FORMATS: readonly ImportFormat[] = ['npy', 'fvecs', 'bvecs'];

/**
 * The rows of a fixed-width binary input (`npy`, `fvecs`, `bvecs`) as blocks of rows in the file's own
 * bytes, for the loader's bulk path; undefined for the other formats. `readRecords` reads the same blocks.
 *
 * @example
 * const blocks = readBlocks('npy', fileSource('emb.npy').chunks(), { name: 'emb.npy' });
 */
export function readBlocks(
  format: ImportFormat,
  chunks: AsyncIterable<Uint8Array>,
  options: RecordsOptions,
): AsyncGenerator<DenseBlock> | undefined {
  switch (format) {
    case 'npy':
      return readNpyBlocks(chunks, options);
    case 'fvecs':
      return readVecsBlocks(chunks, options, 'float32');
    case 'bvecs':
      return readVecsBlocks(chunks, options, 'uint8');
    default:
      return undefined;
  }
}
