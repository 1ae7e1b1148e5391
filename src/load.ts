/**
 * `vecpg/load`: bulk loading and export. Read libsvm, MatrixMarket, JSON Lines, CSV/TSV, `.npy`,
 * fvecs/bvecs, word2vec/GloVe/fastText text and word2vec binary; check every record against the target column (index base, dimensions, NaN,
 * non-zeros); stream it in with binary COPY in one transaction, on node-postgres or PGlite.
 *
 * Loading through node-postgres uses `pg-copy-streams`, a dependency of vecpg (loaded only when a load runs).
 *
 * @example
 * import { load } from 'vecpg/load';
 * const result = await load(pool, { file: 'train.svm', table: 'docs', column: 'features', create: true, dimensions: 10000 });
 */
export { load, type LoadOptions, type LoadProgress, type LoadResult } from './io/load.ts';
export { type LoadTarget, type PostgresJsLike, type SessionTarget } from './io/session.ts';
export { bulkInsert, type BulkInsertOptions, type BulkInsertResult, type BulkRow } from './io/bulk-insert.ts';
export { type PreviewRow } from './io/preview.ts';
export { toColumnValue, rawDimensions, type VectorColumnSpec, type VectorValue } from './io/convert.ts';
export { CopyEncoder, COPY_HEADER, COPY_TRAILER, copyTypeOf, encodeField, type CopyType } from './io/copy.ts';
export { importError, type InputLocation } from './io/errors.ts';
export { fileSource, streamSource, type ByteSource } from './io/source.ts';
export type { RawVector, ReadItem, RecordFailure, ReaderOptions, SourceRecord } from './io/record.ts';
export {
  FORMAT_INDEX_BASE,
  IMPORT_FORMATS,
  formatFromPath,
  parseFormat,
  readRecords,
  type ImportFormat,
  type RecordsOptions,
} from './io/readers/formats.ts';
export { readLibsvm, LIBSVM_INDEX_BASE } from './io/readers/libsvm.ts';
export { readMtx, MTX_INDEX_BASE } from './io/readers/mtx.ts';
export { readJsonl, JSONL_INDEX_BASE } from './io/readers/jsonl.ts';
export { readCsv, parseCsv, type CsvOptions } from './io/readers/csv.ts';
export { readNpy, parseNpyHeader, type NpyHeader } from './io/readers/npy.ts';
export { readVecs, type TexmexElement } from './io/readers/fvecs.ts';
export { readVecText, vecHeader, looksLikeVecText, DEFAULT_TOKEN_FIELD, type VecOptions } from './io/readers/vec.ts';
export { readWord2vecBinary } from './io/readers/word2vec-bin.ts';
export { exportTable, EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportResult } from './io/export.ts';
