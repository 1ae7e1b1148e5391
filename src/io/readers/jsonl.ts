/**
 * JSON Lines: one JSON value per line. The vector is either the whole line or the field named
 * `vectorField` of an object (the other fields go to other columns). A vector can be written as
 * - a dense array `[0.5, 0.2]`;
 * - `{ "indices": [...], "values": [...], "dimensions": n }` with 0-based indices;
 * - a dictionary `{ "0": 5.5, "42": 1.2 }` with 0-based keys (dimensions from the options or column);
 * - a pgvector text literal `"[1,2]"`, `"{1:5.5,43:1.2}/10000"` (pgvector's text is always 1-based),
 *   or a bit string `"0101"`.
 * `indexBase: 1` makes `indices` arrays and dictionary keys 1-based; it never changes pgvector text.
 */
import { VecpgError, describeValue } from '../../errors.ts';
import { type IndexBase, fromBase } from '../../types/index-base.ts';
import { importError } from '../errors.ts';
import { readLines } from '../lines.ts';
import type { RawVector, ReadItem, ReaderOptions } from '../record.ts';

/** JSON Lines' index base (the Django walkthrough's Python dictionaries count from 0). */
export const JSONL_INDEX_BASE: IndexBase = 0;

/** Default name of the field that holds the vector. */
export const DEFAULT_VECTOR_FIELD = 'embedding';

const KEY = /^(0|[1-9][0-9]*)$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSparseObject(o: { [key: string]: Json }): boolean {
  return Array.isArray(o.indices) && Array.isArray(o.values);
}

function isDictionary(o: { [key: string]: Json }): boolean {
  const keys = Object.keys(o);
  return keys.every((k) => KEY.test(k) || /^-?[0-9]+$/.test(k));
}

function numbers(value: Json[], what: string): number[] {
  const out = new Array<number>(value.length);
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    if (typeof x !== 'number') {
      throw new VecpgError('INVALID_VALUE', `${what} element ${i} is not a number: ${describeValue(x)}`, {
        details: { value: x },
      });
    }
    out[i] = x;
  }
  return out;
}

/** Turn one JSON value into a raw vector. */
export function jsonVector(value: Json, base: IndexBase, dimensions: number | undefined, where: string): RawVector {
  if (Array.isArray(value)) return { kind: 'dense', values: numbers(value, 'vector') };
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (isObject(value)) {
    if (isSparseObject(value)) {
      const raw = numbers(value.indices as Json[], 'indices');
      const values = numbers(value.values as Json[], 'values');
      if (raw.length !== values.length) {
        throw new VecpgError(
          'DIMENSION_MISMATCH',
          `sparse object has ${raw.length} indices but ${values.length} values`,
        );
      }
      const dims = value.dimensions ?? value.dim ?? dimensions;
      if (dims !== undefined && typeof dims !== 'number') {
        throw new VecpgError('INVALID_DIMENSIONS', `sparse object dimensions ${describeValue(dims)} is not a number`, {
          details: { value: dims },
        });
      }
      const indices = raw.map((i) => fromBase(i, base, where));
      return { kind: 'sparse', indices, values, dimensions: dims, base };
    }
    if (isDictionary(value)) {
      const indices: number[] = [];
      const values: number[] = [];
      for (const [key, v] of Object.entries(value)) {
        if (!KEY.test(key))
          throw new VecpgError(
            'INVALID_SPARSE_INDEX',
            `dictionary key ${JSON.stringify(key)} is not a non-negative integer`,
            { details: { value: key } },
          );
        if (typeof v !== 'number')
          throw new VecpgError('INVALID_VALUE', `dictionary value at key ${key} is not a number: ${describeValue(v)}`, {
            details: { value: v },
          });
        indices.push(fromBase(Number(key), base, where));
        values.push(v);
      }
      return { kind: 'sparse', indices, values, dimensions, base };
    }
  }
  throw new VecpgError(
    'INVALID_VALUE',
    `cannot read a vector from ${describeValue(value)}: expected an array, an {indices, values} object, a {"0": x} dictionary or a pgvector literal`,
  );
}

/**
 * Read JSON Lines records.
 *
 * @example
 * for await (const r of readJsonl(fileSource('a.jsonl').chunks(), { name: 'a.jsonl', vectorField: 'features', dimensions: 10000 })) …
 */
export async function* readJsonl(chunks: AsyncIterable<Uint8Array>, options: ReaderOptions): AsyncGenerator<ReadItem> {
  const base = options.indexBase ?? JSONL_INDEX_BASE;
  const field = options.vectorField ?? DEFAULT_VECTOR_FIELD;
  for await (const { number, text } of readLines(chunks)) {
    if (text.trim().length === 0) continue;
    try {
      let parsed: Json;
      try {
        parsed = JSON.parse(text) as Json;
      } catch (error) {
        throw new VecpgError('INVALID_TEXT', `invalid JSON: ${(error as Error).message}`, { cause: error });
      }
      const where = `line ${number}`;
      if (isObject(parsed) && Object.hasOwn(parsed, field)) {
        const { [field]: vector, ...fields } = parsed;
        yield {
          ok: true,
          line: number,
          text,
          vector: jsonVector(vector ?? null, base, options.dimensions, where),
          fields,
        };
      } else if (
        Array.isArray(parsed) ||
        typeof parsed === 'string' ||
        (isObject(parsed) && (isSparseObject(parsed) || isDictionary(parsed)))
      ) {
        yield { ok: true, line: number, text, vector: jsonVector(parsed, base, options.dimensions, where), fields: {} };
      } else {
        throw new VecpgError(
          'INVALID_VALUE',
          `line has no field ${JSON.stringify(field)} and is not a vector by itself`,
        );
      }
    } catch (error) {
      yield { ok: false, line: number, text, error: importError({ file: options.name, line: number }, error) };
    }
  }
}
