/**
 * Bulk insert from memory: row objects (vectors as arrays, typed arrays or vecpg values, plus ordinary
 * columns) written with one binary `COPY` in one transaction, on node-postgres, PGlite and postgres.js.
 * Columns whose type the binary encoder does not know (timestamps, numeric, enums…) go through a
 * temporary staging table as text and are cast by the server on the way in.
 */
import { VecpgError, describeValue, isVecpgError } from '../errors.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import type { VectorType } from '../sql/operators.ts';
import { toVectorValue } from '../sql/params.ts';
import { readTableColumns, vectorTypeOf, type TableColumn } from '../sql/catalog.ts';
import { CopyEncoder, copyTypeOf, encodeField, type CopyType } from './copy.ts';
import { type Session, type SessionTarget, withSession } from './session.ts';

/**
 * One row: column name → value; `null` and `undefined` are SQL NULL. A column left out of `columns`
 * (by default: not a key of the first row) gets its default.
 */
export type BulkRow = object;

export interface BulkInsertOptions {
  /** The columns to write, in any order (default: the keys of the first row). */
  readonly columns?: readonly string[];
  /** Called after each chunk is sent, with the rows written so far. */
  readonly onProgress?: (rowsWritten: number) => void;
  /** Bytes of encoded rows per chunk sent to the server (default 4 MiB). */
  readonly chunkBytes?: number;
}

export interface BulkInsertResult {
  readonly rows: number;
  /** `direct`: one binary COPY into the table; `staged`: through a temporary table, for text-cast columns. */
  readonly path: 'direct' | 'staged';
}

interface Plan {
  readonly columns: readonly TableColumn[];
  /** Per column: the encoding, and whether it is sent as text for the server to cast. */
  readonly types: readonly CopyType[];
  readonly cast: readonly boolean[];
  readonly loose: boolean;
}

const DEFAULT_CHUNK = 4 << 20;

/**
 * `loose`: every non-vector column goes as text, and vector columns into their unconstrained type, so
 * the COPY into the staging table cannot be refused by the server (postgres.js, see session.ts): every
 * refusal then comes from the INSERT from the staging table, an ordinary statement.
 */
function plan(table: QualifiedName, all: readonly TableColumn[], names: readonly string[], loose: boolean): Plan {
  if (names.length === 0) {
    throw new VecpgError('INVALID_OPTION', `bulkInsert into ${quoteQualified(table)} needs at least one column`);
  }
  const byName = new Map(all.map((c) => [c.name, c]));
  const columns = names.map((name) => {
    const c = byName.get(name);
    if (c === undefined) {
      throw new VecpgError(
        'INVALID_OPTION',
        `${quoteQualified(table)} has no column ${describeValue(name)} (its columns: ${all.map((x) => x.name).join(', ')})`,
        { details: { option: 'columns', column: name } },
      );
    }
    if (c.generated) {
      throw new VecpgError('INVALID_OPTION', `column ${describeValue(name)} is generated: leave it out of the rows`, {
        details: { option: 'columns', column: name },
      });
    }
    return c;
  });
  const cast = columns.map((c) => copyTypeOf(c.typname) === undefined || (loose && vectorTypeOf(c) === undefined));
  const types = columns.map((c, k) => (cast[k] ? 'text' : (copyTypeOf(c.typname) ?? 'text')));
  return { columns, types, cast, loose };
}

/** A row's values in plan order, vectors converted and checked against the column's dimensions. */
function rowValues(p: Plan, row: BulkRow, index: number): unknown[] {
  if (row === null || typeof row !== 'object') {
    throw new VecpgError('INVALID_VALUE', `row ${index} is not an object: ${describeValue(row)}`, {
      details: { row: index },
    });
  }
  return p.columns.map((c, k) => {
    const value = (row as Record<string, unknown>)[c.name];
    if (value === null || value === undefined) {
      if (c.notNull && !c.defaulted) {
        throw new VecpgError('INVALID_VALUE', `row ${index}: column ${c.name} is NOT NULL but has no value`, {
          details: { row: index, column: c.name },
        });
      }
      return null;
    }
    const vectorType: VectorType | undefined = vectorTypeOf(c);
    if (vectorType === undefined) {
      // Text-cast columns: Dates as ISO strings (the server parses them), everything else as its text.
      if (p.cast[k]) return value instanceof Date ? value.toISOString() : value;
      return value;
    }
    try {
      const v = toVectorValue(value, vectorType);
      const dims = 'dimensions' in v ? v.dimensions : v.length;
      if (c.dimensions !== null && dims !== c.dimensions) {
        throw new VecpgError('DIMENSION_MISMATCH', `has ${dims} dimensions, the column is ${c.formatted}`, {
          details: { row: index, column: c.name, expected: c.dimensions, actual: dims },
        });
      }
      return v;
    } catch (error) {
      if (!isVecpgError(error)) throw error;
      throw new VecpgError(error.code, `row ${index}, column ${c.name}: ${error.message}`, {
        cause: error,
        details: { row: index, column: c.name },
      });
    }
  });
}

function rowError(error: unknown, index: number): unknown {
  if (!isVecpgError(error)) return error;
  return new VecpgError(error.code, `row ${index}: ${error.message}`, { cause: error, details: { row: index } });
}

function addRow(encoder: CopyEncoder, p: Plan, row: BulkRow, index: number): void {
  const values = rowValues(p, row, index);
  try {
    encoder.addRow(values);
  } catch (error) {
    throw rowError(error, index);
  }
}

/** A row's values, every field checked (vectors converted; the other fields encoded once and dropped). */
function checkedValues(p: Plan, row: BulkRow, index: number): unknown[] {
  const values = rowValues(p, row, index);
  for (let k = 0; k < values.length; k++) {
    if (vectorTypeOf(p.columns[k]!) !== undefined) continue;
    try {
      encodeField(p.types[k]!, values[k]);
    } catch (error) {
      throw rowError(
        isVecpgError(error)
          ? new VecpgError(error.code, `column ${p.columns[k]!.name}: ${error.message}`, { cause: error })
          : error,
        index,
      );
    }
  }
  return values;
}

function isAsync<T>(rows: Iterable<T> | AsyncIterable<T>): rows is AsyncIterable<T> {
  return typeof (rows as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function';
}

/**
 * Insert rows with binary COPY, in one transaction: all of them or none.
 *
 * An array (or any synchronous iterable) is validated and encoded in full before anything is sent, so a
 * bad value fails with nothing written and no round trip; an async iterable is encoded as it streams,
 * and a bad value rolls the transaction back. Vectors may be arrays, typed arrays or vecpg values (the
 * column's type decides: `vector`, `halfvec`, `sparsevec` or `bit`), checked against the column's
 * dimensions. `target` is a node-postgres Pool or Client, a PGlite instance (or a `vecpg/pglite`
 * database) or a postgres.js `sql`. Columns of types the binary encoder lacks (timestamps, numeric,
 * enums…) are sent as text through a temporary table and cast by the server (`path: 'staged'`).
 *
 * @example
 * await bulkInsert(pool, 'items', [{ id: 1, embedding: [1, 2, 3] }, { id: 2, embedding: new Float32Array([4, 5, 6]) }]);
 */
export async function bulkInsert(
  target: SessionTarget,
  table: QualifiedName,
  rows: Iterable<BulkRow> | AsyncIterable<BulkRow>,
  options: BulkInsertOptions = {},
): Promise<BulkInsertResult> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new VecpgError('INVALID_OPTION', `chunkBytes must be a positive integer, got ${describeValue(chunkBytes)}`, {
      details: { option: 'chunkBytes' },
    });
  }
  // Synchronous rows are encoded before the transaction starts: a bad row costs no round trip.
  const pending = isAsync(rows) ? undefined : Array.from(rows);
  return withSession(target, async (session) => {
    const all = await readTableColumns(session, table);
    if (all === undefined) {
      throw new VecpgError('INVALID_OPTION', `there is no table ${quoteQualified(table)}`, {
        details: { option: 'table' },
      });
    }
    const source: AsyncIterator<BulkRow> | Iterator<BulkRow> = pending
      ? pending[Symbol.iterator]()
      : (rows as AsyncIterable<BulkRow>)[Symbol.asyncIterator]();
    let first = await source.next();
    if (first.done === true) return { rows: 0, path: 'direct' };
    const p = plan(table, all, options.columns ?? Object.keys(first.value), session.kind === 'postgres');
    const staged = p.loose || p.cast.some(Boolean);
    const into = staged ? await createStaging(session, p) : quoteQualified(table);
    const columnList = p.columns.map((c) => quoteIdent(c.name)).join(', ');
    const copySql = (from: string) => `COPY ${into} (${columnList}) FROM ${from} WITH (FORMAT binary)`;

    let count = 0;
    let chunks: AsyncIterable<Uint8Array>;
    if (pending) {
      // Every row checked before the first byte is sent; the encoding then overlaps the server's COPY.
      const prepared: (unknown[] | undefined)[] = [];
      for (; first.done !== true; first = await source.next()) prepared.push(checkedValues(p, first.value, count++));
      chunks = (async function* () {
        const encoder = new CopyEncoder(p.types);
        for (let i = 0; i < prepared.length; i++) {
          encoder.addRow(prepared[i]!);
          prepared[i] = undefined;
          if (encoder.pendingBytes >= chunkBytes) {
            yield encoder.take();
            options.onProgress?.(i + 1);
          }
        }
        yield encoder.take();
        options.onProgress?.(count);
      })();
    } else {
      chunks = (async function* () {
        const encoder = new CopyEncoder(p.types);
        for (; first.done !== true; first = await source.next()) {
          addRow(encoder, p, first.value, count++);
          if (encoder.pendingBytes >= chunkBytes) {
            yield encoder.take();
            options.onProgress?.(count);
          }
        }
        yield encoder.take();
        options.onProgress?.(count);
      })();
    }
    await session.copyIn(copySql, chunks);
    if (staged) {
      const select = p.columns
        .map((c, k) => (p.cast[k] || p.loose ? `${quoteIdent(c.name)}::${c.formatted}` : quoteIdent(c.name)))
        .join(', ');
      await session.query(`INSERT INTO ${quoteQualified(table)} (${columnList}) SELECT ${select} FROM ${into}`);
    }
    return { rows: count, path: staged ? 'staged' : 'direct' };
  });
}

/** A temporary table with the plan's columns (text where the server casts), dropped at commit. */
async function createStaging(session: Session, p: Plan): Promise<string> {
  const name = quoteIdent(`vecpg_bulk_${process.pid}_${Date.now().toString(36)}`);
  const type = (c: TableColumn, k: number): string =>
    p.cast[k] ? 'text' : p.loose ? (c.typname === 'bit' ? 'varbit' : c.typname) : c.formatted;
  const defs = p.columns.map((c, k) => `${quoteIdent(c.name)} ${type(c, k)}`).join(', ');
  await session.query(`CREATE TEMPORARY TABLE ${name} (${defs}) ON COMMIT DROP`);
  return name;
}
