/**
 * Binary result columns on PGlite. PGlite's `query()` always asks for text results, so a vector read
 * as `vector_send(col)` arrives as bytea *hex text* (two characters per byte), decoded to a string and
 * back to bytes. Here vecpg speaks the extended protocol itself (Parse, Describe, Bind with a result
 * format per column, Execute, Sync) through `execProtocolRawStream`, so the listed columns arrive as the raw
 * bytes of their type's send function (pgvector's `vector_send`…) and every other column as text,
 * parsed by the instance's own parsers exactly as `query()` would.
 *
 * It uses PGlite's locks the way `query()` does (the transaction lock outside a transaction, the query
 * lock always); when an instance does not expose them (another PGlite version), there is no fast path
 * and vecpg selects `vector_send(col)` as before.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { BinaryColumnsQuery, Row } from '../sql/executor.ts';

/** PGlite internals this path needs; checked at runtime, so another version falls back instead of failing. */
interface PgliteInternals {
  execProtocolRawStream(
    message: Uint8Array,
    options: { syncToFs?: boolean; onRawData: (chunk: Uint8Array) => void },
  ): Promise<void>;
  execProtocolStream(message: Uint8Array, options?: { syncToFs?: boolean }): Promise<unknown>;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
  _checkReady(): Promise<void>;
  syncToFs(): Promise<void>;
  parsers: Record<number, (text: string, typeId: number) => unknown>;
  serializers: Record<number, (value: unknown) => string>;
}

function internals(pglite: PGlite): PgliteInternals | undefined {
  const p = pglite as unknown as Partial<PgliteInternals>;
  const ok =
    typeof p.execProtocolRawStream === 'function' &&
    typeof p.execProtocolStream === 'function' &&
    typeof p.runExclusive === 'function' &&
    typeof p._runExclusiveTransaction === 'function' &&
    typeof p._checkReady === 'function' &&
    typeof p.syncToFs === 'function' &&
    typeof p.parsers === 'object' &&
    typeof p.serializers === 'object';
  return ok ? (p as PgliteInternals) : undefined;
}

/**
 * The binary-columns query for a PGlite instance: `'top'` for statements outside any transaction (takes
 * the transaction lock, like `pglite.query`), `'tx'` inside `pglite.transaction`'s callback. Undefined
 * when this PGlite does not expose what it needs. Errors are thrown as PGlite's are (`message`, `code`,
 * `detail`, `hint`, `position`) for the caller to wrap.
 *
 * @example
 * const q = binaryColumnsQuery(pglite, 'top');
 * const rows = await q!('SELECT id, embedding FROM items', [], [1]); // rows[0].embedding: Uint8Array
 */
export function binaryColumnsQuery(pglite: PGlite, scope: 'top' | 'tx'): BinaryColumnsQuery | undefined {
  const p = internals(pglite);
  if (p === undefined) return undefined;
  return async <R extends Row>(text: string, params: readonly unknown[], binaryColumns: readonly number[]) => {
    const run = () => p.runExclusive(() => exchange<R>(p, text, params, binaryColumns));
    if (scope === 'tx') return run();
    await p._checkReady();
    return p._runExclusiveTransaction(async () => {
      const rows = await run();
      await p.syncToFs();
      return rows;
    });
  };
}

async function exchange<R extends Row>(
  p: PgliteInternals,
  text: string,
  params: readonly unknown[],
  binaryColumns: readonly number[],
): Promise<R[]> {
  try {
    return await statement<R>(p, text, params, binaryColumns);
  } finally {
    // Ends a failed exchange; and execProtocolRawStream leaves our chunk callback installed, while PGlite's
    // own execProtocolStream installs its parser and clears it afterwards, so later execProtocol() calls
    // (other libraries') receive their data again.
    await p.execProtocolStream(SYNC, { syncToFs: false });
  }
}

/**
 * Send messages and collect the raw reply. `execProtocolRawStream` hands over the bytes as they are
 * written; `execProtocolRaw` would also run PGlite's parser over them (decoding every field to a
 * string), which costs more than everything else here.
 */
async function roundTrip(p: PgliteInternals, message: Uint8Array): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  await p.execProtocolRawStream(message, {
    syncToFs: false,
    onRawData: (chunk) => {
      chunks.push(chunk.slice()); // a view of PGlite's memory, reused for the next chunk
      length += chunk.length;
    },
  });
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

async function statement<R extends Row>(
  p: PgliteInternals,
  text: string,
  params: readonly unknown[],
  binaryColumns: readonly number[],
): Promise<R[]> {
  // 1. Parse + Describe: parameter types (to serialize values as PGlite does) and the result columns.
  const described = new Reply(await roundTrip(p, concat([parseMessage(text), describeStatement()])));
  if (described.error !== undefined) throw described.error;
  const paramTypes = described.paramTypes;
  // As PGlite binds: the type's serializer (or String) gives text; bytes (vecpg's binary vectors, which
  // its serializers pass through) go in binary format.
  const paramFormats: number[] = [];
  const values = params.map((value, i) => {
    paramFormats.push(0);
    if (value === null || value === undefined) return null;
    const serialize = p.serializers[paramTypes[i] ?? 0];
    const out: unknown = value instanceof Uint8Array ? value : serialize ? serialize(value) : String(value);
    if (out instanceof Uint8Array) {
      paramFormats[i] = 1;
      return out;
    }
    return ENCODER.encode(String(out));
  });
  const fields = described.fields;
  const formats = fields.map((_, i) => (binaryColumns.includes(i) ? 1 : 0));
  // 2. Bind + Execute + Sync: the rows.
  const bind = bindMessage(values, paramFormats, formats);
  const reply = new Reply(await roundTrip(p, concat([bind, EXECUTE, SYNC])), fields, formats, p.parsers);
  if (reply.error !== undefined) throw reply.error;
  return reply.rows as R[];
}

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

interface Field {
  name: string;
  type: number;
}

/** A server error as PGlite raises it: message plus the SQLSTATE and details fields. */
class ProtocolError extends Error {
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/** The messages of one reply: errors, parameter types, row description and data rows. */
class Reply {
  error: ProtocolError | undefined;
  paramTypes: number[] = [];
  fields: Field[] = [];
  rows: Row[] = [];

  constructor(bytes: Uint8Array, fields?: Field[], formats?: number[], parsers?: PgliteInternals['parsers']) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at + 5 <= bytes.length) {
      const type = bytes[at]!;
      const end = at + 1 + view.getInt32(at + 1);
      const body = at + 5;
      if (type === 0x44 /* D */ && fields && formats && parsers)
        this.rows.push(dataRow(bytes, view, body, fields, formats, parsers));
      else if (type === 0x74 /* t */) this.paramTypes = int32s(view, body);
      else if (type === 0x54 /* T */) this.fields = rowDescription(bytes, view, body);
      else if (type === 0x45 /* E */ && this.error === undefined) this.error = errorResponse(bytes, body, end);
      at = end;
    }
  }
}

function int32s(view: DataView, at: number): number[] {
  const n = view.getInt16(at);
  return Array.from({ length: n }, (_, i) => view.getInt32(at + 2 + 4 * i));
}

function cstringEnd(bytes: Uint8Array, at: number): number {
  const end = bytes.indexOf(0, at);
  return end < 0 ? bytes.length : end;
}

function rowDescription(bytes: Uint8Array, view: DataView, at: number): Field[] {
  const n = view.getInt16(at);
  const fields: Field[] = [];
  let p = at + 2;
  for (let i = 0; i < n; i++) {
    const end = cstringEnd(bytes, p);
    const name = DECODER.decode(bytes.subarray(p, end));
    p = end + 1;
    fields.push({ name, type: view.getInt32(p + 6) });
    p += 18; // table oid 4, column 2, type oid 4, type size 2, type modifier 4, format 2
  }
  return fields;
}

function dataRow(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  fields: Field[],
  formats: number[],
  parsers: PgliteInternals['parsers'],
): Row {
  const n = view.getInt16(at);
  const row: Row = {};
  let p = at + 2;
  for (let i = 0; i < n; i++) {
    const len = view.getInt32(p);
    p += 4;
    const field = fields[i]!;
    if (len < 0) {
      row[field.name] = null;
      continue;
    }
    if (formats[i] === 1) {
      row[field.name] = bytes.slice(p, p + len); // a copy: the reply buffer is not kept alive by the row
    } else {
      const textValue = DECODER.decode(bytes.subarray(p, p + len));
      const parse = parsers[field.type];
      row[field.name] = parse ? parse(textValue, field.type) : textValue;
    }
    p += len;
  }
  return row;
}

function errorResponse(bytes: Uint8Array, at: number, end: number): ProtocolError {
  const parts: Record<string, string> = {};
  let p = at;
  while (p < end && bytes[p] !== 0) {
    const code = String.fromCharCode(bytes[p]!);
    const stop = cstringEnd(bytes, p + 1);
    parts[code] = DECODER.decode(bytes.subarray(p + 1, stop));
    p = stop + 1;
  }
  const error = new ProtocolError(parts.M ?? 'unknown error');
  if (parts.C !== undefined) error.code = parts.C;
  if (parts.D !== undefined) error.detail = parts.D;
  if (parts.H !== undefined) error.hint = parts.H;
  if (parts.P !== undefined) error.position = parts.P;
  return error;
}

// --- frontend messages ---

function message(type: string, parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, part) => n + part.length, 0);
  const out = new Uint8Array(5 + length);
  out[0] = type.charCodeAt(0);
  new DataView(out.buffer).setInt32(1, 4 + length);
  let at = 5;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function cstring(text: string): Uint8Array {
  const bytes = ENCODER.encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

function int16s(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(2 + 2 * values.length);
  const view = new DataView(out.buffer);
  view.setInt16(0, values.length);
  values.forEach((v, i) => view.setInt16(2 + 2 * i, v));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return message('\0', parts).subarray(5);
}

const EMPTY = cstring('');
const SYNC = message('S', []);
const EXECUTE = message('E', [EMPTY, new Uint8Array(4)]); // unnamed portal, no row limit

function parseMessage(text: string): Uint8Array {
  return message('P', [EMPTY, cstring(text), int16s([])]); // unnamed statement, parameter types inferred
}

function describeStatement(): Uint8Array {
  return message('D', [Uint8Array.of(0x53 /* S */), EMPTY]);
}

function bindMessage(
  values: ReadonlyArray<Uint8Array | null>,
  paramFormats: readonly number[],
  resultFormats: readonly number[],
): Uint8Array {
  const count = new Uint8Array(2);
  new DataView(count.buffer).setInt16(0, values.length);
  const parts: Uint8Array[] = [EMPTY, EMPTY, int16s(paramFormats), count]; // unnamed portal and statement
  for (const value of values) {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setInt32(0, value === null ? -1 : value.length);
    parts.push(length);
    if (value !== null) parts.push(value);
  }
  parts.push(int16s(resultFormats));
  return message('B', parts);
}
