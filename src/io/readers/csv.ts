/**
 * CSV and TSV (RFC 4180 quoting: `"a,b"`, `""` for a quote, quoted fields may span lines).
 * With a header row (the default), the vector is
 * - the field named `vectorField` when there is one, holding a pgvector literal (`"[1,2,3]"`,
 *   `"{1:1.5}/6"`, a bit string `0101`); or else
 * - every field *not* listed in `columnFields`, in file order, one number per field.
 * Without a header, a single bracketed field is the vector, otherwise every field is one element.
 * Empty fields of named columns are NULL. `quote: false` reads `"` as an ordinary character (files
 * whose fields are never quoted, such as word lists holding `"` in a token).
 */
import { VecpgError } from '../../errors.ts';
import { parseElement } from '../../types/float.ts';
import { importError } from '../errors.ts';
import { readLines } from '../lines.ts';
import type { RawVector, ReadItem, ReaderOptions } from '../record.ts';
import { DEFAULT_VECTOR_FIELD } from './jsonl.ts';

export interface CsvOptions extends ReaderOptions {
  /** `,` for CSV (default), `\t` for TSV; any single character. */
  readonly delimiter?: string | undefined;
  /** Read `"…"` quoting (default true); false: `"` is an ordinary character. */
  readonly quote?: boolean | undefined;
  /** First record is a header (default true). */
  readonly header?: boolean | undefined;
  /** Header names that are table columns, not vector elements (used when no field is named `vectorField`). */
  readonly columnFields?: readonly string[] | undefined;
  /**
   * Also treat as columns the header fields whose value in the first record is not a number, and a field
   * named `id` (the loader sets this when it creates the table, which has no columns to go by yet).
   */
  readonly inferColumns?: boolean | undefined;
}

/** One parsed CSV record with the line it started on. */
export interface CsvRecord {
  readonly line: number;
  readonly text: string;
  readonly fields: string[];
}

/**
 * Split CSV text into records of fields, streaming. `name` is the file named in errors.
 *
 * @example
 * for await (const { line, fields } of parseCsv(fileSource('a.csv').chunks(), ',')) …
 */
export async function* parseCsv(
  chunks: AsyncIterable<Uint8Array>,
  delimiter: string,
  options: { readonly quote?: boolean | undefined; readonly name?: string | undefined } = {},
): AsyncGenerator<CsvRecord> {
  if (delimiter.length !== 1 || delimiter === '\n' || delimiter === '\r' || delimiter === '"') {
    throw new VecpgError(
      'INVALID_OPTION',
      `the delimiter must be one character other than a line break or '"', got ${JSON.stringify(delimiter)}`,
      { details: { value: delimiter } },
    );
  }
  const d = delimiter.charCodeAt(0);
  const quoting = options.quote ?? true;
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let startLine = 0;
  let raw: string[] = [];
  for await (const { number, text } of readLines(chunks)) {
    if (!inQuotes) {
      if (text.length === 0) continue;
      startLine = number;
      raw = [];
    }
    raw.push(text);
    let i = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === 34 /* " */) {
          if (text.charCodeAt(i + 1) === 34) {
            field += '"';
            i += 2;
            continue;
          }
          inQuotes = false;
        } else {
          field += text[i];
        }
        i++;
        continue;
      }
      if (c === 34 && quoting && field.length === 0) inQuotes = true;
      else if (c === d) {
        fields.push(field);
        field = '';
      } else field += text[i];
      i++;
    }
    if (inQuotes) {
      field += '\n';
      continue;
    }
    fields.push(field);
    yield { line: startLine, text: raw.join('\n'), fields };
    fields = [];
    field = '';
  }
  if (inQuotes) {
    const cause = new VecpgError(
      'INVALID_TEXT',
      `unterminated quoted field starting on line ${startLine} (a file whose fields are never quoted: --quote none)`,
    );
    throw importError({ file: options.name ?? '<input>', line: startLine }, cause);
  }
}

const NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function denseFrom(values: readonly string[]): RawVector {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = parseElement(v.trim(), i, 'vector');
  }
  return { kind: 'dense', values: out };
}

/**
 * Read CSV or TSV records.
 *
 * @example
 * readCsv(fileSource('a.csv').chunks(), { name: 'a.csv', vectorField: 'embedding', columnFields: ['id', 'title'] });
 */
export async function* readCsv(chunks: AsyncIterable<Uint8Array>, options: CsvOptions): AsyncGenerator<ReadItem> {
  const vectorField = options.vectorField ?? DEFAULT_VECTOR_FIELD;
  const named = new Set(options.columnFields ?? []);
  let names: string[] | undefined;
  let vectorAt = -1;
  let elementAt: number[] = [];
  let inferred = options.inferColumns !== true;
  const wantHeader = options.header ?? true;
  for await (const record of parseCsv(chunks, options.delimiter ?? ',', { quote: options.quote, name: options.name })) {
    const { line, text, fields } = record;
    if (wantHeader && names === undefined) {
      names = fields.map((f) => f.trim());
      vectorAt = names.indexOf(vectorField);
      if (vectorAt === -1) elementAt = names.flatMap((n, i) => (named.has(n) ? [] : [i]));
      if (vectorAt === -1 && elementAt.length === 0) {
        throw importError(
          { file: options.name, line },
          new VecpgError('INVALID_VALUE', `header has no field ${JSON.stringify(vectorField)} and no element fields`),
        );
      }
      continue;
    }
    if (!inferred && names !== undefined && vectorAt === -1 && fields.length === names.length) {
      inferred = true;
      const header = names;
      for (const i of elementAt) if (header[i] === 'id' || !NUMBER.test(fields[i]!.trim())) named.add(header[i]!);
      elementAt = elementAt.filter((i) => !named.has(header[i]!));
      if (elementAt.length === 0) {
        throw importError(
          { file: options.name, line },
          new VecpgError(
            'INVALID_VALUE',
            `no header field holds a number in the first record, and none is named ${JSON.stringify(vectorField)} (--vector-field)`,
          ),
        );
      }
    }
    try {
      if (names === undefined) {
        const only = fields.length === 1 ? fields[0]!.trim() : '';
        const vector: RawVector =
          only.startsWith('[') || only.startsWith('{') ? { kind: 'text', text: only } : denseFrom(fields);
        yield { ok: true, line, text, vector, fields: {} };
        continue;
      }
      if (fields.length !== names.length) {
        throw new VecpgError(
          'DIMENSION_MISMATCH',
          `record has ${fields.length} fields, the header has ${names.length}`,
          { details: { value: fields.length } },
        );
      }
      const out: Record<string, unknown> = {};
      let vector: RawVector;
      if (vectorAt !== -1) {
        for (let i = 0; i < names.length; i++) if (i !== vectorAt) out[names[i]!] = fields[i] === '' ? null : fields[i];
        vector = { kind: 'text', text: fields[vectorAt]!.trim() };
      } else {
        for (const n of named) {
          const i = names.indexOf(n);
          if (i !== -1) out[n] = fields[i] === '' ? null : fields[i];
        }
        vector = denseFrom(elementAt.map((i) => fields[i]!));
      }
      yield { ok: true, line, text, vector, fields: out };
    } catch (error) {
      yield { ok: false, line, text, error: importError({ file: options.name, line }, error) };
    }
  }
}
