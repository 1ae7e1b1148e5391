/**
 * The bulk loader: read a file in any supported format, check every record against the target
 * column, and stream it into PostgreSQL with binary COPY inside one transaction.
 */
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type OptionHint, VecpgError, isVecpgError, optionHintText } from '../errors.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import type { VectorType } from '../sql/operators.ts';
import type { IndexBase } from '../types/index-base.ts';
import { type TableColumn, defaultVectorColumn, readTableColumns, vectorTypeOf } from '../sql/catalog.ts';
import { type VectorColumnSpec, type VectorValue, toColumnValue } from './convert.ts';
import { type CopyType, CopyEncoder } from './copy.ts';
import { importError } from './errors.ts';
import { setStorageSql } from '../sql/ddl.ts';
import { citusTableInfo, distributeTableSql, isCitus } from '../sql/citus.ts';
import {
  type FieldColumn,
  createTableSql,
  inferDimensions,
  inferFieldSqlType,
  inferVectorType,
  planFieldColumns,
} from './plan.ts';
import {
  BLOCK_FORMATS,
  FORMAT_INDEX_BASE,
  IMPORT_FORMATS,
  type ImportFormat,
  formatFromPath,
  readRecords,
} from './readers/formats.ts';
import { looksLikeVecText } from './readers/vec.ts';
import { readLines } from './lines.ts';
import { RecordCursor } from './cursor.ts';
import { blockRecord } from './readers/dense-block.ts';
import type { ReadItem, SourceRecord } from './record.ts';
import type { CertifiedDistance, CertifiedLayout } from '../sql/certified-bound.ts';
import { certifiedColumnDefinitions, certifiedStorageSql } from '../sql/certified-ddl.ts';
import { type LoadTarget, type Session, withSession } from './session.ts';
import { type ByteSource, fileSource, streamSource } from './source.ts';
import { previewOf, type PreviewRow } from './preview.ts';

export interface LoadOptions {
  /** Path of the input file. */
  file?: string;
  /** Or a stream of its bytes (then `format` is required, and `create` needs stated dimensions). */
  stream?: AsyncIterable<Uint8Array | string>;
  /** Default: from the file extension. */
  format?: ImportFormat;
  table: QualifiedName;
  /** The vector column. Default: the table's only vector column, or `embedding` when creating. */
  column?: string;
  /** Record field → table column, for fields whose names differ from the columns. */
  mapping?: Readonly<Record<string, string>>;
  /** Field holding the vector in JSON Lines / CSV records. Default: the column name. */
  vectorField?: string;
  /** Overrides the format's documented index base (libsvm, MatrixMarket: 1; JSON: 0). */
  indexBase?: IndexBase;
  /** Dimensions of sparse records that do not state them (libsvm, JSON dictionaries) when creating. */
  dimensions?: number;
  /** Vector type when creating (default: inferred from the data: sparse → sparsevec, dense → vector). */
  type?: VectorType;
  /** Create the table when it does not exist. */
  create?: boolean;
  /**
   * With `create`: also create the generated compact columns of a certified exact search for these
   * distances (l2, ip, cosine, l1; `vector` columns), with the vector out of line (docs/certified-search.md).
   */
  certified?: readonly CertifiedDistance[];
  /** With `certified`: the compact form (default the half form; `{ form: 'prefix', prefix: m }`). */
  certifiedLayout?: CertifiedLayout;
  /**
   * Citus: hash-distribute the table by this column (a new table is created distributed; an existing
   * local table is distributed before loading; one already distributed must be by this column).
   */
  distributeBy?: string;
  /** With `distributeBy` on a new distribution: the number of shards (default: the cluster's `citus.shard_count`). */
  shardCount?: number;
  /** Parse and check everything, write nothing. */
  dryRun?: boolean;
  /** `abort` (default): any bad record → nothing committed. `skip`: bad records go to `rejects`. */
  onError?: 'abort' | 'skip';
  /**
   * Stop the load: the COPY is ended by the client (rolled back on the server at once, even while the input
   * is stalled) and `load` rejects; nothing is committed.
   */
  signal?: AbortSignal;
  /** Where skipped records are written (JSON Lines: file, line, code, reason, text). */
  rejects?: string | Writable;
  /** Rows per COPY chunk (default 10,000). */
  batchRows?: number;
  /** CSV/TSV: the first record is a header (default true). */
  header?: boolean;
  /** CSV/TSV: the field delimiter, one character (default `,` for CSV, a tab for TSV). */
  delimiter?: string;
  /** CSV/TSV: `"none"` reads `"` as an ordinary character (default: RFC 4180 quoting). */
  quote?: 'double' | 'none';
  /** word2vec / GloVe / fastText (`vec`, `word2vec`): the column the token goes to (default `word`). */
  tokenColumn?: string;
  /** Called after each chunk. */
  onProgress?: (progress: LoadProgress) => void;
  /** Rows to describe in `result.preview` (default 5). */
  previewRows?: number;
}

export interface LoadProgress {
  rows: number;
  rejected: number;
  bytesRead: number;
  totalBytes: number | undefined;
}

export interface LoadResult {
  table: string;
  column: string;
  type: VectorType;
  dimensions: number | undefined;
  format: ImportFormat;
  /** The base sparse indices were read with; undefined when the column is not a sparsevec. */
  indexBase: IndexBase | undefined;
  /** Rows written (or that would be, in a dry run). */
  rows: number;
  rejected: number;
  /** The first {@link FIRST_REJECTED} rejected records (with `onError: 'skip'`), in file order. */
  firstRejected: RejectedRecord[];
  created: boolean;
  /** The CREATE TABLE statement run (or that would run). */
  createSql: string | undefined;
  dryRun: boolean;
  /** Columns loaded besides the vector, and record fields with no column. */
  columns: string[];
  ignoredFields: string[];
  preview: PreviewRow[];
  durationMs: number;
}

/** A record `onError: 'skip'` left out, and why. */
export interface RejectedRecord {
  /** Line of a text file, or the 1-based record number of a binary file. */
  line: number;
  /** The specific error code (INVALID_SPARSE_INDEX, NOT_FINITE, DIMENSION_MISMATCH…). */
  code: string;
  reason: string;
  /** The option that would fix it, when there is one (its text is part of `reason`). */
  hint?: OptionHint;
}

/** How many rejected records a {@link LoadResult} lists (all of them go to `rejects`). */
export const FIRST_REJECTED = 5;

const PEEK = 100;

function source(options: LoadOptions): ByteSource {
  if (options.file !== undefined) return fileSource(options.file);
  if (options.stream !== undefined) return streamSource(options.stream);
  throw new VecpgError('INVALID_OPTION', 'load needs a file or a stream');
}

/**
 * Bytes of encoded rows per chunk handed to the COPY. Small enough that the socket is refilled while the
 * next rows are encoded (encoding runs in microtasks, which starve I/O until the next macrotask), large
 * enough that the per-chunk cost vanishes. At 100 dimensions, 8 MiB chunks left the server idle half the
 * time (bench/import.ts at DIMS=100).
 */
const SEND_BYTES = 256 << 10;

async function* counting(chunks: AsyncIterable<Uint8Array>, stats: { bytesRead: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    stats.bytesRead += chunk.length;
    yield chunk;
  }
}

function refuse(message: string, details: Record<string, unknown>): VecpgError {
  return new VecpgError('INCOMPATIBLE_COLUMN', message, { details });
}

/** Largest 0-based index + 1 over a sparse file: the dimensions `create` infers when none are stated. */
async function scanDimensions(items: AsyncIterable<ReadItem>): Promise<number | undefined> {
  let max = -1;
  for await (const item of items) {
    if (!item.ok || item.vector.kind !== 'sparse') continue;
    const idx = item.vector.indices;
    for (let k = 0; k < idx.length; k++) if (idx[k]! > max) max = idx[k]!;
  }
  return max >= 0 ? max + 1 : undefined;
}

/**
 * Load a file into a table with binary COPY, in one transaction.
 *
 * @example
 * const result = await load(pool, { file: 'train.svm', table: 'docs', column: 'features', create: true, dimensions: 10000 });
 * console.log(`${result.rows} rows`);
 */
export async function load(target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const src = source(options);
  const format =
    options.format ??
    (options.file === undefined ? undefined : (formatFromPath(options.file) ?? (await sniffFormat(options.file))));
  if (format === undefined)
    throw hinted('INVALID_OPTION', `cannot tell the format of ${src.name} from its name or its first line:`, {
      option: 'format',
      text: `give {option} (${IMPORT_FORMATS.join(', ')})`,
    });
  const totalBytes = options.file === undefined ? undefined : (await stat(options.file)).size;
  const onError = options.onError ?? 'abort';
  const batchRows = options.batchRows ?? 10_000;
  const dryRun = options.dryRun ?? false;
  const mapping = options.mapping ?? {};
  const base = options.indexBase ?? FORMAT_INDEX_BASE[format];

  // Stopped whatever happens: a load that fails part-way leaves its readers suspended, and the file they
  // read would stay open until a garbage collection.
  let opened: RecordCursor | undefined;
  return withSession(
    target,
    async (session) => {
      const columns = await readTableColumns(session, options.table);
      const column = options.column ?? defaultColumn(columns, options.table);
      const vectorField = options.vectorField ?? column;
      const otherColumns = (columns ?? []).filter((c) => c.name !== column).map((c) => c.name);
      const reverse = new Map(Object.entries(mapping).map(([f, c]) => [c, f]));
      const readerOptions = {
        name: src.name,
        indexBase: options.indexBase,
        dimensions: options.dimensions ?? columns?.find((c) => c.name === column)?.dimensions ?? undefined,
        vectorField,
        header: options.header,
        delimiter: options.delimiter,
        quote: options.quote === undefined ? undefined : options.quote !== 'none',
        tokenField: options.tokenColumn,
        inferColumns: columns === undefined,
        columnFields: [...otherColumns.map((c) => reverse.get(c) ?? c), ...Object.keys(mapping)],
      };
      const stats = { rows: 0, rejected: 0, bytesRead: 0 };
      // The binary formats' blocks are consumed before the next is read: their chunks can be reused.
      const reuse = BLOCK_FORMATS.includes(format);
      const cursor = new RecordCursor(format, counting(src.chunks({ reuse }), stats), readerOptions);
      opened = cursor;

      // Peek at the first records: they decide the type and dimensions of a new table and the field columns.
      const peeked: ReadItem[] = [];
      for (let n = 0; n < PEEK; n++) {
        const next = await cursor.next();
        if (next === undefined) break;
        peeked.push(next);
      }
      const good = peeked.filter((p): p is SourceRecord => p.ok);
      const fieldNames = [...new Set(good.flatMap((r) => Object.keys(r.fields)))];

      let target: VectorColumnSpec;
      let createSql: string | undefined;
      let tableColumns: readonly TableColumn[];
      if (columns === undefined) {
        if (options.create !== true)
          throw hinted('INVALID_OPTION', `table ${quoteQualified(options.table)} does not exist`, {
            option: 'create',
            value: true,
            text: '(use {option} to create it)',
          });
        const first = good[0];
        // The first records all failed: their error says why, not a request for the type.
        const failed = peeked.find((p) => !p.ok);
        if (first === undefined && failed !== undefined && !failed.ok) throw failed.error;
        const type = options.type ?? (first ? inferVectorType(first.vector) : undefined);
        if (type === undefined)
          throw hinted('INVALID_OPTION', `${src.name} has no records to infer the column type from:`, {
            option: 'type',
            text: 'give {option}',
          });
        let dimensions = options.dimensions ?? inferDimensions(good);
        if (dimensions === undefined && src.rereadable)
          dimensions = await scanDimensions(readRecords(format, fileSource(src.name).chunks(), readerOptions));
        if (dimensions === undefined)
          throw hinted('INVALID_DIMENSIONS', `cannot infer the dimensions of ${src.name}:`, {
            option: 'dimensions',
            text: 'give {option}',
          });
        const fieldTypes = fieldNames
          .filter((f) => !Object.hasOwn(mapping, f) || mapping[f] !== column)
          .map((f) => ({ name: mapping[f] ?? f, sqlType: inferFieldSqlType(good.map((r) => r.fields[f])) }));
        const certified = options.certified ?? [];
        if (certified.length > 0 && type !== 'vector') {
          throw new VecpgError('UNSUPPORTED', `certified search needs a vector column, not ${type}`, {
            details: { type },
          });
        }
        const layout = options.certifiedLayout ?? {};
        const extra = certified.length > 0 ? certifiedColumnDefinitions(column, dimensions, certified, layout) : [];
        createSql = createTableSql(options.table, column, type, dimensions, fieldTypes, extra, options.distributeBy);
        if (options.distributeBy !== undefined) {
          const names = ['id', column, ...fieldTypes.map((f) => f.name)];
          if (!names.includes(options.distributeBy))
            throw hinted(
              'INVALID_OPTION',
              `the distribution column ${JSON.stringify(options.distributeBy)} is not a column of the new table (${names.join(', ')})`,
              { option: 'distributeBy', text: 'give {option} one of them' },
            );
        }
        target = { type, dimensions };
        tableColumns = [
          {
            name: column,
            typname: type,
            formatted: type,
            dimensions,
            notNull: false,
            defaulted: false,
            generated: false,
          },
          ...fieldTypes.map((f) => ({
            name: f.name,
            typname: sqlTypname(f.sqlType),
            formatted: f.sqlType,
            dimensions: null,
            notNull: false,
            defaulted: false,
            generated: false,
          })),
        ];
        if (!dryRun) {
          await session.query(createSql);
          // Like every column vecpg creates: keep vectors in the row (see DESIGN.md, "STORAGE MAIN"), except
          // with certified columns, which are scanned instead: then the full vector goes out of line.
          await session.query(
            certified.length > 0
              ? certifiedStorageSql(options.table, column, certified, layout)
              : setStorageSql(options.table, column, 'main'),
          );
          if (options.distributeBy !== undefined) await distribute(session, options, false);
        }
      } else {
        const col = columns.find((c) => c.name === column);
        const type = col ? vectorTypeOf(col) : undefined;
        if (col === undefined || type === undefined) {
          throw refuse(
            `${quoteQualified(options.table)}.${quoteIdent(column)} is ${col ? `of type ${col.formatted}, not a vector column` : 'not a column of the table'}`,
            { column },
          );
        }
        if (options.type !== undefined && options.type !== type) {
          throw refuse(`column ${quoteIdent(column)} is ${col.formatted}, not ${options.type}`, {
            column,
            expected: options.type,
            actual: col.formatted,
          });
        }
        if (options.dimensions !== undefined && col.dimensions !== null && options.dimensions !== col.dimensions) {
          throw refuse(`column ${quoteIdent(column)} is ${col.formatted}, not ${options.dimensions} dimensions`, {
            column,
            expected: options.dimensions,
            actual: col.dimensions,
          });
        }
        target = { type, dimensions: col.dimensions ?? undefined };
        tableColumns = columns;
        if (options.distributeBy !== undefined) {
          if (!columns.some((c) => c.name === options.distributeBy))
            throw refuse(
              `the distribution column ${JSON.stringify(options.distributeBy)} is not a column of the table`,
              {
                column: options.distributeBy,
              },
            );
          await distribute(session, options, dryRun);
        }
        checkCompatible(good, target, col, src.name);
      }

      const plan = planFieldColumns(fieldNames, tableColumns, column, mapping);
      const ignored = new Set(plan.ignored);
      const types: CopyType[] = [target.type, ...plan.fields.map((f) => f.type)];
      // A chunk ends on the row that reaches SEND_BYTES: room for that row, so no chunk needs a buffer twice its size.
      const encoder = new CopyEncoder(types, {
        textual: format === 'csv' || format === 'tsv',
        initialBytes: SEND_BYTES + (64 << 10),
      });
      const rejects = onError === 'skip' ? openRejects(options.rejects) : undefined;
      const preview: PreviewRow[] = [];
      const firstRejected: RejectedRecord[] = [];
      const previewRows = options.previewRows ?? 5;
      const progress = (): void =>
        options.onProgress?.({ rows: stats.rows, rejected: stats.rejected, bytesRead: stats.bytesRead, totalBytes });

      const handle = (item: ReadItem): boolean => {
        let error: VecpgError;
        if (item.ok) {
          let value: VectorValue | undefined;
          try {
            value = toColumnValue(item.vector, target);
            encoder.addRow(rowValues(value, item, plan.fields, ignored));
            if (preview.length < previewRows) preview.push(previewOf(item, value));
            stats.rows++;
            return true;
          } catch (e) {
            error = importError({ file: src.name, line: item.line }, e);
          }
        } else error = item.error;
        if (onError !== 'skip') throw error;
        stats.rejected++;
        const code = (error.details?.reason as string | undefined) ?? error.code;
        if (firstRejected.length < FIRST_REJECTED) {
          const hint = error.hint ?? (isVecpgError(error.cause) ? error.cause.hint : undefined);
          firstRejected.push({ line: item.line, code, reason: error.message, ...(hint === undefined ? {} : { hint }) });
        }
        rejects?.write(
          `${JSON.stringify({ file: src.name, line: item.line, code, reason: error.message, text: item.text ?? null })}\n`,
        );
        return false;
      };

      // Fixed-width rows (float32, float64, float16, .bvecs bytes) into a lone vector column: encoded a block
      // at a time, straight from the file's bytes (CopyEncoder.addFloat32Rows); a row that fails goes through
      // `handle` for its error. halfvec columns go row by row.
      const bulk = cursor.blockwise && types.length === 1 && target.type === 'vector';
      const rowBytes = (dims: number): number => 10 + 4 * dims;

      async function* chunks(): AsyncGenerator<Uint8Array> {
        let inBatch = 0;
        const due = (): boolean => inBatch >= batchRows || encoder.pendingBytes >= SEND_BYTES;
        async function* flush(): AsyncGenerator<Uint8Array> {
          inBatch = 0;
          const out = encoder.take(dryRun || session.copyDrained());
          progress();
          if (!dryRun) yield out;
          // Let timers and other connections run: an in-memory source never waits for I/O.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        // The peeked records, then the rest; no generator per record in between (an async hop per row
        // costs more than encoding a narrow row).
        for (const item of peeked) {
          if (handle(item)) inBatch++;
          if (due()) yield* flush();
        }
        if (bulk) {
          for (let run = await cursor.nextBlock(); run !== undefined; run = await cursor.nextBlock()) {
            const { block } = run;
            const fits = target.dimensions === undefined || target.dimensions === block.dims;
            for (let r = run.from; r < block.rows;) {
              if (fits && preview.length >= previewRows) {
                const room = Math.min(
                  batchRows - inBatch,
                  Math.ceil((SEND_BYTES - encoder.pendingBytes) / rowBytes(block.dims)),
                );
                const end = Math.min(block.rows, r + Math.max(1, room));
                const n = encoder.addFloat32Rows(block, r, end);
                stats.rows += n;
                inBatch += n;
                r += n;
                if (r < end && handle(blockRecord(block, r++))) inBatch++;
              } else if (handle(blockRecord(block, r++))) inBatch++;
              if (due()) yield* flush();
            }
          }
        } else {
          for (let item = await cursor.next(); item !== undefined; item = await cursor.next()) {
            if (handle(item)) inBatch++;
            if (due()) yield* flush();
          }
        }
        const out = encoder.take();
        progress();
        if (!dryRun) yield out;
      }

      try {
        if (dryRun) {
          for await (const _ of chunks()) void _;
        } else {
          const list = [column, ...plan.fields.map((f) => f.column)].map(quoteIdent).join(', ');
          await session.copyIn(
            (from) => `COPY ${quoteQualified(options.table)} (${list}) FROM ${from} WITH (FORMAT binary)`,
            chunks(),
            options.signal,
          );
        }
      } finally {
        await closeRejects(rejects, options.rejects);
      }
      return {
        table: quoteQualified(options.table),
        column,
        type: target.type,
        dimensions: target.dimensions,
        format,
        indexBase: target.type === 'sparsevec' ? base : undefined,
        rows: stats.rows,
        rejected: stats.rejected,
        firstRejected,
        created: createSql !== undefined && !dryRun,
        createSql,
        dryRun,
        columns: plan.fields.map((f) => f.column),
        ignoredFields: [...ignored],
        preview,
        durationMs: Date.now() - started,
      };
    },
    { rollback: dryRun },
  ).finally(() => opened?.close());
}

/** The format of a file whose name does not tell: word-embedding text when its first line looks like one. */
async function sniffFormat(file: string): Promise<ImportFormat | undefined> {
  for await (const { text } of readLines(fileSource(file).chunks())) return looksLikeVecText(text) ? 'vec' : undefined;
  return undefined;
}

function defaultColumn(columns: readonly TableColumn[] | undefined, table: QualifiedName): string {
  if (columns === undefined) return 'embedding';
  return defaultVectorColumn(columns, table, 'load');
}

function hinted(code: VecpgError['code'], problem: string, hint: OptionHint): VecpgError {
  return new VecpgError(code, `${problem} ${optionHintText(hint)}`, { hint });
}

/** The values of one COPY tuple; notes fields the plan has no column for. */
function rowValues(
  value: VectorValue,
  record: SourceRecord,
  fields: readonly FieldColumn[],
  ignored: Set<string>,
): unknown[] {
  const out: unknown[] = [value];
  for (const f of fields) out.push(record.fields[f.field] ?? null);
  if (Object.keys(record.fields).length > fields.length) {
    for (const k of Object.keys(record.fields)) if (!fields.some((f) => f.field === k)) ignored.add(k);
  }
  return out;
}

/** Before anything is written: the first records' type and dimensions must fit the existing column. */
function checkCompatible(
  records: readonly SourceRecord[],
  target: VectorColumnSpec,
  column: TableColumn,
  file: string,
): void {
  const first = records[0];
  if (first === undefined) return;
  const kind = inferVectorType(first.vector);
  if (kind === 'sparsevec' && target.type !== 'sparsevec') {
    throw refuse(
      `${file} holds sparse vectors but column ${quoteIdent(column.name)} is ${column.formatted}: load them into a sparsevec column`,
      { column: column.name, actual: column.formatted },
    );
  }
  try {
    toColumnValue(first.vector, target);
  } catch (error) {
    if (isVecpgError(error) && error.code === 'DIMENSION_MISMATCH') {
      throw refuse(
        `${file}:${first.line}: the data does not fit column ${quoteIdent(column.name)} ${column.formatted}: ${error.message}`,
        { column: column.name, actual: column.formatted, cause: error.details },
      );
    }
  }
}

function sqlTypname(sqlType: string): string {
  return (
    (
      { bigint: 'int8', 'double precision': 'float8', boolean: 'bool', text: 'text', jsonb: 'jsonb' } as Record<
        string,
        string
      >
    )[sqlType] ?? sqlType
  );
}

function openRejects(rejects: string | Writable | undefined): Writable | undefined {
  if (rejects === undefined) return undefined;
  return typeof rejects === 'string' ? createWriteStream(rejects) : rejects;
}

async function closeRejects(stream: Writable | undefined, option: string | Writable | undefined): Promise<void> {
  if (stream === undefined || typeof option !== 'string') return;
  await new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

export type { LoadTarget, Session };

/**
 * `distributeBy`: check that the database runs Citus, then distribute the table by that column unless
 * it already is (by that column: fine; by another: refused). `checkOnly` (a dry run) changes nothing.
 */
async function distribute(session: Session, options: LoadOptions, checkOnly: boolean): Promise<void> {
  const column = options.distributeBy!;
  if (!(await isCitus((text, values) => session.query(text, values), session)))
    throw hinted(
      'UNSUPPORTED',
      `distributing ${quoteQualified(options.table)} needs Citus, and this database has no citus extension`,
      {
        option: 'distributeBy',
        text: 'drop {option} for a single server',
      },
    );
  const info = await citusTableInfo(session, options.table);
  if (info?.type === 'distributed') {
    if (info.distributionColumn === column) return;
    throw hinted(
      'INVALID_OPTION',
      `${quoteQualified(options.table)} is already distributed by ${JSON.stringify(info.distributionColumn)}, not ${JSON.stringify(column)}`,
      { option: 'distributeBy', value: info.distributionColumn ?? '', text: 'give {option}' },
    );
  }
  if (info !== undefined && info.type !== 'local')
    throw new VecpgError(
      'UNSUPPORTED',
      `${quoteQualified(options.table)} is a Citus ${info.type} table; it cannot be distributed by ${JSON.stringify(column)}`,
      {
        details: { option: 'distributeBy' },
      },
    );
  if (checkOnly) return;
  const st = distributeTableSql(options.table, {
    column,
    ...(options.shardCount === undefined ? {} : { shardCount: options.shardCount }),
  });
  await session.query(st.text, st.values);
}
