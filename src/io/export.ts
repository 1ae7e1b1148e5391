/**
 * Export a table's vectors to JSON Lines, libsvm (1-based), NumPy `.npy` or CSV, streaming rows in one
 * read-only transaction: through a text cursor, or for `.npy` over node-postgres through binary COPY (the
 * send format is the .npy row in the other byte order). Importing an export gives the same rows back.
 */
import { once } from 'node:events';
import { VecpgError } from '../errors.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import type { VectorType } from '../sql/operators.ts';
import { parseDenseText } from '../types/dense.ts';
import { float32ToHalfBits, formatFloat32 } from '../types/float.ts';
import { toBase } from '../types/index-base.ts';
import { SparseVector } from '../types/sparsevec.ts';
import { type TableColumn, defaultVectorColumn, readTableColumns, vectorTypeOf } from '../sql/catalog.ts';
import { type AtomicFile, openAtomicFile } from './atomic-file.ts';
import { jsonInteger } from './json-integer.ts';
import { LIBSVM_INDEX_BASE } from './readers/libsvm.ts';
import { NpyRowWriter } from './npy-rows.ts';
import { type LoadTarget, withSession } from './session.ts';

export type ExportFormat = 'jsonl' | 'libsvm' | 'npy' | 'csv';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'libsvm', 'npy', 'csv'];

export interface ExportOptions {
  table: QualifiedName;
  /** The vector column. Default: the table's only vector column. */
  column?: string;
  format: ExportFormat;
  /**
   * A file path or a writable stream (left open). A file is written to a temporary name beside it and
   * renamed on success: after any failure an existing file is untouched and no partial file is left.
   */
  out: string | NodeJS.WritableStream;
  /** Replace `out` when it is an existing file (default false: `FILE_EXISTS`). */
  overwrite?: boolean;
  /** Other columns to write (JSON Lines, CSV). Default: all of them. */
  columns?: readonly string[];
  /** libsvm: the column holding the label (default `label` when the table has one, else every label is 0). */
  labelColumn?: string;
  /** Rows per cursor fetch (default 1,000). */
  batchRows?: number;
  /**
   * Stop the export: it rejects with the signal's reason and no file is left. A binary COPY in progress
   * (`.npy` over node-postgres) cannot be stopped on its connection, so that connection is closed (a pool
   * replaces it).
   */
  signal?: AbortSignal;
}

export interface ExportResult {
  rows: number;
  format: ExportFormat;
  column: string;
  type: VectorType;
}

/** A column's text as the JSON value that reads back as the same column value. */
function jsonValue(text: string | null, column: TableColumn): unknown {
  if (text === null) return null;
  switch (column.typname) {
    case 'int2':
    case 'int4':
    case 'float4':
    case 'float8':
      return Number(text);
    case 'int8':
      // The CLI's one rule for 64-bit integers (docs/cli.md): a number when exact, else a string.
      return jsonInteger(text);
    case 'bool':
      return text === 't' || text === 'true';
    case 'json':
    case 'jsonb':
      return JSON.parse(text) as unknown;
    default:
      return text;
  }
}

/**
 * The vector as JSON text. pgvector's dense text is already a JSON array, and writing it as is
 * keeps what `JSON.stringify` would lose (`-0`).
 */
function vectorJson(text: string, type: VectorType): string {
  if (type === 'sparsevec') {
    const s = SparseVector.fromSql(text);
    const values = s.values.map((x) => formatFloat32(x));
    return `{"indices":[${s.indices.join(',')}],"values":[${values.join(',')}],"dimensions":${s.dimensions}}`;
  }
  return type === 'bit' ? JSON.stringify(text) : text;
}

function csvField(text: string | null): string {
  if (text === null) return '';
  return /[",\n\r]/.test(text) || text.length === 0 ? `"${text.replaceAll('"', '""')}"` : text;
}

function libsvmLine(label: string | null, text: string, type: VectorType): string {
  const s = type === 'sparsevec' ? SparseVector.fromSql(text) : new SparseVector(parseDenseText(text, type));
  const values = s.values;
  const pairs = s.indices.map((i, k) => `${toBase(i, LIBSVM_INDEX_BASE)}:${formatFloat32(values[k]!)}`);
  return [label ?? '0', ...pairs].join(' ');
}

/** The .npy header; `length` pads it to that many bytes (a multiple of 64, at least its own length). */
function npyHeader(rows: number, cols: number, type: 'vector' | 'halfvec', length?: number): Uint8Array {
  let dict = `{'descr': '<f${type === 'vector' ? 4 : 2}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  // data starts on a 64-byte boundary
  const total = Math.max(length ?? 0, Math.ceil((10 + dict.length + 1) / 64) * 64);
  dict = `${dict.padEnd(total - 11, ' ')}\n`;
  const out = Buffer.alloc(10 + dict.length);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out.writeUInt16LE(dict.length, 8);
  out.write(dict, 10, 'latin1');
  return out;
}

function npyRow(text: string, type: 'vector' | 'halfvec', cols: number): Uint8Array {
  const values = parseDenseText(text, type);
  if (values.length !== cols)
    throw new VecpgError(
      'DIMENSION_MISMATCH',
      `.npy export needs every row to have ${cols} dimensions, got ${values.length}`,
    );
  const out = Buffer.alloc(values.length * (type === 'vector' ? 4 : 2));
  for (let i = 0; i < values.length; i++) {
    if (type === 'vector') out.writeFloatLE(values[i]!, 4 * i);
    else out.writeUInt16LE(float32ToHalfBits(values[i]!), 2 * i);
  }
  return out;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Write a table's rows to a file or stream.
 *
 * @example
 * await exportTable(pool, { table: 'docs', column: 'features', format: 'libsvm', out: 'docs.svm' });
 */
export async function exportTable(target: LoadTarget, options: ExportOptions): Promise<ExportResult> {
  const format = options.format;
  options.signal?.throwIfAborted();
  if (!EXPORT_FORMATS.includes(format))
    throw new VecpgError(
      'INVALID_OPTION',
      `unknown export format ${JSON.stringify(format)}: use ${EXPORT_FORMATS.join(', ')}`,
    );
  const file: AtomicFile | undefined =
    typeof options.out === 'string'
      ? await openAtomicFile(options.out, { overwrite: options.overwrite ?? false })
      : undefined;
  const out: NodeJS.WritableStream = file?.stream ?? (options.out as NodeJS.WritableStream);
  /** The .npy header written; with `patchCount`, the one written over it once the rows are counted. */
  let headerBytes: Uint8Array | undefined;
  let patch: { position: number; bytes: Uint8Array } | undefined;
  const write = async (chunk: string | Uint8Array): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    const result = await withSession(
      target,
      async (session) => {
        if (session.kind === 'pg') await session.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        const columns = await readTableColumns(session, options.table);
        if (columns === undefined)
          throw new VecpgError('INVALID_OPTION', `table ${quoteQualified(options.table)} does not exist`);
        const name = options.column ?? defaultVectorColumn(columns, options.table, 'export');
        const column = columns.find((c) => c.name === name);
        const type = column ? vectorTypeOf(column) : undefined;
        if (column === undefined || type === undefined) {
          const vectors = columns.filter((c) => vectorTypeOf(c) !== undefined).map((c) => c.name);
          throw new VecpgError(
            'INVALID_OPTION',
            `${quoteQualified(options.table)}.${JSON.stringify(name)} is ${column ? `of type ${column.formatted}, not a vector column` : 'not a column of the table'} (vector columns: ${vectors.join(', ') || 'none'})`,
            { details: { column: name, columns: vectors } },
          );
        }
        if (format === 'npy' && type !== 'vector' && type !== 'halfvec')
          throw new VecpgError('UNSUPPORTED', `.npy export holds vector or halfvec columns, not ${type}`);
        if (format === 'libsvm' && type === 'bit')
          throw new VecpgError('UNSUPPORTED', 'libsvm export holds numeric vectors, not bit');
        const wanted = options.columns ?? columns.filter((c) => c !== column).map((c) => c.name);
        const others = wanted.map((n) => {
          const c = columns.find((x) => x.name === n);
          if (c === undefined)
            throw new VecpgError(
              'INVALID_OPTION',
              `${quoteQualified(options.table)} has no column ${JSON.stringify(n)}`,
            );
          return c;
        });
        const label =
          format === 'libsvm' ? columns.find((c) => c.name === (options.labelColumn ?? 'label')) : undefined;
        if (options.labelColumn !== undefined && label === undefined)
          throw new VecpgError('INVALID_OPTION', `no label column ${JSON.stringify(options.labelColumn)}`);
        const selected = format === 'libsvm' ? (label ? [label] : []) : format === 'npy' ? [] : others;
        const keys = await session.query<{ attname: string }>(
          'SELECT a.attname::text AS attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass($1) AND i.indisprimary',
          [quoteQualified(options.table)],
        );
        const order = keys.length > 0 ? ` ORDER BY ${keys.map((k) => quoteIdent(k.attname)).join(', ')}` : '';
        const list = [
          `${quoteIdent(column.name)}::text AS "v"`,
          ...selected.map((c, i) => `${quoteIdent(c.name)}::text AS "c${i}"`),
        ].join(', ');
        const from = `FROM ${quoteQualified(options.table)}`;
        let total = 0;
        let cols = 0;
        // Binary COPY out, the server's send format read straight into .npy rows (no text either way).
        const binary = format === 'npy' && session.copyOut !== undefined && HOST_LITTLE_ENDIAN;
        // Into a file, the row count goes into the header at the end: no count(*), a second scan of the table.
        const patchCount = binary && file !== undefined;
        if (format === 'npy') {
          if (!patchCount) total = Number((await session.query<{ n: string }>(`SELECT count(*) AS n ${from}`))[0]!.n);
          const first = await session.query<{ d: number | null }>(
            `SELECT vector_dims(${quoteIdent(column.name)}) AS d ${from} LIMIT 1`,
          );
          cols = column.dimensions ?? first[0]?.d ?? 0;
          headerBytes = npyHeader(patchCount ? Number.MAX_SAFE_INTEGER : total, cols, type as 'vector' | 'halfvec');
          await write(headerBytes);
        } else if (format === 'csv') {
          await write(`${[...others.map((c) => csvField(c.name)), csvField(column.name)].join(',')}\n`);
        }
        let rows = 0;
        if (binary) {
          const writer = new NpyRowWriter(type as 'vector' | 'halfvec', cols, column.name, out);
          await session.copyOut!(
            `COPY (SELECT ${quoteIdent(column.name)} ${from}${order}) TO STDOUT WITH (FORMAT binary)`,
            writer,
            options.signal,
          );
          rows = await writer.finish();
        } else rows = await fetchRows(column, type);
        async function fetchRows(column: TableColumn, type: VectorType): Promise<number> {
          await session.query(`DECLARE vecpg_export NO SCROLL CURSOR FOR SELECT ${list} ${from}${order}`);
          const batch = options.batchRows ?? 1000;
          let rows = 0;
          for (;;) {
            options.signal?.throwIfAborted();
            const page = await session.query<Record<string, string | null>>(`FETCH ${batch} FROM vecpg_export`);
            let text = '';
            const bytes: Uint8Array[] = [];
            for (const row of page) {
              const v = row.v ?? null;
              if (v === null) {
                if (format === 'jsonl' || format === 'csv') {
                  /* NULL vectors survive in the formats with named fields */
                } else
                  throw new VecpgError(
                    'UNSUPPORTED',
                    `row ${rows + 1} has a NULL ${column.name}: ${format} cannot hold it`,
                  );
              }
              if (format === 'jsonl') {
                const obj: Record<string, unknown> = {};
                others.forEach((c, i) => (obj[c.name] = jsonValue(row[`c${i}`] ?? null, c)));
                const head = JSON.stringify(obj).slice(0, -1);
                text += `${head}${head.length > 1 ? ',' : ''}${JSON.stringify(column.name)}:${v === null ? 'null' : vectorJson(v, type)}}\n`;
              } else if (format === 'csv') {
                text += `${[...others.map((_, i) => csvField(row[`c${i}`] ?? null)), csvField(v)].join(',')}\n`;
              } else if (format === 'libsvm') {
                text += `${libsvmLine(label ? (row.c0 ?? null) : null, v!, type)}\n`;
              } else bytes.push(npyRow(v!, type as 'vector' | 'halfvec', cols));
              rows++;
            }
            if (text.length > 0) await write(text);
            if (bytes.length > 0) await write(Buffer.concat(bytes));
            if (page.length < batch) break;
          }
          await session.query('CLOSE vecpg_export');
          return rows;
        }
        if (patchCount) {
          const length = headerBytes!.length;
          headerBytes = npyHeader(rows, cols, type as 'vector' | 'halfvec', length);
          if (headerBytes.length !== length) throw new Error('.npy header outgrew its reserved length');
          patch = { position: 0, bytes: headerBytes };
        } else if (format === 'npy' && rows !== total)
          throw new VecpgError(
            'QUERY_FAILED',
            `the table changed during the export: counted ${total} rows, read ${rows}`,
          );
        return { rows, format, column: column.name, type };
      },
      { rollback: true },
    );
    await file?.commit(patch);
    return result;
  } catch (error) {
    await file?.abort();
    throw error;
  }
}
