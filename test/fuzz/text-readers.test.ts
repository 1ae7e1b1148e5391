/**
 * Fuzzed text readers (libsvm, MatrixMarket, JSON Lines, CSV): valid files, mutated files and
 * random text, split into random chunks. Beyond "only VecpgError, bounded time" (./harness.ts),
 * every record a reader accepts is checked against an independent reading of the same line: a
 * libsvm line's indices, re-based, and values must be exactly what the line says, and must survive
 * conversion to a sparsevec column unchanged — a wrong-but-accepted value fails the test.
 * Fixed seed, CI-sized; FUZZ_RUNS=100000 (`npm run fuzz`) for long runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SparseVector, isVecpgError } from 'vecpg';
import { type SourceRecord, toColumnValue } from 'vecpg/load';
import { cuts, fuzzParams, mutateText, readFuzzed, utf8 } from './harness.ts';

/** strtof's decimal syntax: what a number in a text file may look like. */
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * The number a decimal token denotes, or null when it is not a number. Readers keep the number as
 * written (a double); whether it fits a float32 is the column conversion's business, checked below.
 */
function oracleNumber(token: string): number | null {
  return DECIMAL.test(token) ? Number(token) : null;
}

/** Convert a dense record for a `vector` column: the float32 of each number, or a VecpgError when one does not fit. */
function expectDenseConversion(record: SourceRecord, want: readonly number[]): void {
  const fits = want.every((x) => Number.isFinite(Math.fround(x)));
  let values: number[] | undefined;
  try {
    values = (
      toColumnValue(record.vector, { type: 'vector', dimensions: want.length }) as { toArray(): number[] }
    ).toArray();
  } catch (error) {
    expect(isVecpgError(error), String(error)).toBe(true);
    expect(fits, `${JSON.stringify(record.text)} refused: ${String(error)}`).toBe(false);
  }
  if (values) expect(sameFloat32(values, want), String(record.text)).toBe(true);
}

const numberText = fc.oneof(
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.constantFrom('0', '-0', '1e-3', '.5', '2.', '1E2', 'nan', 'inf', '1e39', ''),
);

/** The float32s just below and above `x` in magnitude (x itself twice when it is a float32). */
function float32Around(x: number): [number, number] {
  const a = new Float32Array([x]);
  const u = new Uint32Array(a.buffer);
  const f = a[0]!;
  if (f === x || !Number.isFinite(f)) return [f, f];
  u[0] = Math.abs(f) > Math.abs(x) ? u[0]! - 1 : u[0]! + 1;
  return [f, a[0]!];
}

/**
 * Same float32 as the decimal: `Math.fround` of it — or, when the double sits exactly halfway between
 * two float32s (where rounding the double again is not rounding the decimal), either of the two.
 */
function sameFloat32Value(actual: number, expected: number): boolean {
  const got = Math.fround(actual);
  if (Object.is(got, Math.fround(expected))) return true;
  const [f, other] = float32Around(expected);
  return (f + other) / 2 === expected && (Object.is(got, f) || Object.is(got, other));
}

function sameFloat32(actual: ArrayLike<number>, expected: readonly number[]): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (!sameFloat32Value(actual[i]!, expected[i]!)) return false;
  return true;
}

describe('fuzz libsvm reader', () => {
  const pair = fc
    .tuple(fc.oneof(fc.integer({ min: 0, max: 14 }), fc.constantFrom(1, 2, 3)), numberText)
    .map(([i, v]) => `${i}:${v}`);
  const line = fc
    .tuple(
      fc.constantFrom('1', '-1', '0.5', '+1', '2,3', 'x'),
      fc.boolean(),
      fc.array(pair, { maxLength: 6 }),
      fc.constantFrom('', '', ' # note', '#'),
    )
    .map(([label, qid, pairs, comment]) => [label, ...(qid ? ['qid:3'] : []), ...pairs].join(' ') + comment);
  const file = fc
    .tuple(fc.array(line, { minLength: 1, maxLength: 5 }), fc.constantFrom('\n', '\r\n'))
    .map(([ls, nl]) => ls.join(nl) + nl);
  const input = fc.oneof(file, mutateText('0123456789:.-+eE# \t\nq\r,x\u00a0')(file), fc.string({ maxLength: 60 }));
  const DIMS = 16;

  /** The pairs of one line as the format defines them, or null when the line is not valid libsvm. */
  function oracle(text: string, base: 0 | 1): Array<[number, number]> | null {
    const body = text.split('#')[0]!.trim();
    const tokens = body.split(/\s+/).filter((t) => t.length > 0);
    if (tokens.length === 0 || tokens[0]!.includes(':')) return null;
    const pairs: Array<[number, number]> = [];
    for (const token of tokens.slice(1)) {
      if (token.startsWith('qid:')) continue;
      const m = /^([+-]?[0-9]+):(.*)$/.exec(token);
      if (!m) return null;
      const index = Number(m[1]) - base;
      const value = oracleNumber(m[2]!);
      if (index < 0 || value === null) return null;
      pairs.push([index, value]);
    }
    return pairs;
  }

  for (const base of [1, 0] as const) {
    it(`accepted lines have exactly the indices (${base}-based) and values they say, also once converted`, async () => {
      await fc.assert(
        fc.asyncProperty(input, cuts, async (text, at) => {
          const { records } = await readFuzzed('libsvm', utf8(text), at, { indexBase: base });
          for (const r of records) {
            const expected = oracle(r.text!, base);
            const label = `line ${JSON.stringify(r.text)}`;
            expect(expected, `${label} was accepted but is not valid libsvm`).not.toBeNull();
            const v = r.vector as Extract<SourceRecord['vector'], { kind: 'sparse' }>;
            expect(v.kind).toBe('sparse');
            expect(Array.from(v.indices), label).toEqual(expected!.map(([i]) => i));
            expect(
              sameFloat32(
                v.values,
                expected!.map(([, x]) => x),
              ),
              label,
            ).toBe(true);
            // Through the column conversion: same entries, sorted, zeros dropped — or a VecpgError.
            let value: SparseVector | undefined;
            try {
              value = toColumnValue(r.vector, { type: 'sparsevec', dimensions: DIMS }) as SparseVector;
            } catch (error) {
              expect(isVecpgError(error), String(error)).toBe(true);
            }
            if (value) {
              const want = new Map(expected!.filter(([, x]) => Math.fround(x) !== 0));
              expect(
                expected!.every(([i, x]) => i < DIMS && Number.isFinite(Math.fround(x))),
                label,
              ).toBe(true);
              expect(new Set(expected!.map(([i]) => i)).size, `${label}: duplicate index accepted`).toBe(
                expected!.length,
              );
              expect(value.indices, label).toEqual([...want.keys()].sort((a, b) => a - b));
              expect(
                sameFloat32(
                  value.values,
                  value.indices.map((i) => expected!.find(([j]) => j === i)![1]),
                ),
                label,
              ).toBe(true);
            }
          }
        }),
        fuzzParams,
      );
    });
  }
});

describe('fuzz MatrixMarket reader', () => {
  const coordinate = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })).chain(([rows, cols]) =>
    fc
      .array(fc.tuple(fc.integer({ min: 1, max: rows }), fc.integer({ min: 1, max: cols }), numberText), {
        maxLength: 8,
      })
      .map((entries) =>
        [
          '%%MatrixMarket matrix coordinate real general',
          '% fuzz',
          `${rows} ${cols} ${entries.length}`,
          ...entries.map(([r, c, v]) => `${r} ${c} ${v}`),
        ].join('\n'),
      ),
  );
  const array = fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }))
    .chain(([rows, cols]) =>
      fc
        .array(numberText, { minLength: rows * cols, maxLength: rows * cols })
        .map((vs) => ['%%MatrixMarket matrix array real general', `${rows} ${cols}`, ...vs].join('\n')),
    );
  const file = fc.oneof(coordinate, array);
  // Size lines announcing far more than the file holds: refused with a VecpgError, without allocating for them.
  const hostile = fc
    .constantFrom('3 3 99999999999', '99999999999 3 1', '3 99999999999 1', '4000000000 1 0')
    .map((size) => `%%MatrixMarket matrix coordinate real general\n${size}\n1 1 1\n`);
  const hostileArray = fc
    .constantFrom('99999 99999', '1 99999999999')
    .map((size) => `%%MatrixMarket matrix array real general\n${size}\n1\n`);
  const input = fc.oneof(file, mutateText('0123456789 .-e%\n')(file), hostile, hostileArray);

  /** Independent reading of a MatrixMarket file: header, size, and the entry lines with their line numbers. */
  function oracle(text: string) {
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    const banner = lines[0]!.trim().toLowerCase().split(/\s+/);
    const layout = banner[2];
    let size: number[] | undefined;
    const entries: Array<{ line: number; tokens: string[] }> = [];
    for (let n = 2; n <= lines.length; n++) {
      const t = lines[n - 1]!.trim();
      if (t === '' || t.startsWith('%')) continue;
      const tokens = t.split(/\s+/);
      if (!size) size = tokens.map(Number);
      else entries.push({ line: n, tokens });
    }
    return { layout, size: size ?? [], entries };
  }

  it('accepted rows hold exactly the entries of that row, 1-based rows and columns shifted once', async () => {
    await fc.assert(
      fc.asyncProperty(input, cuts, async (text, at) => {
        const { records, failures, thrown } = await readFuzzed('mtx', utf8(text), at);
        if (thrown || records.length === 0) return;
        const o = oracle(text);
        const [rows, cols] = o.size as [number, number];
        expect(
          records.map((r) => r.fields.row),
          'one record per row, in order',
        ).toEqual(Array.from({ length: rows }, (_, i) => i + 1));
        if (o.layout === 'array') {
          expect(o.entries).toHaveLength(rows * cols);
          for (const r of records) {
            const want = Array.from({ length: cols }, (_, c) =>
              oracleNumber(o.entries[c * rows + (r.line - 1)]!.tokens[0]!)!,
            );
            expect(
              sameFloat32((r.vector as { values: ArrayLike<number> }).values, want),
              `row ${r.line} of ${JSON.stringify(text)}`,
            ).toBe(true);
            expectDenseConversion(r, want);
          }
          return;
        }
        const failed = new Set(failures.map((f) => f.line));
        for (const r of records) {
          const v = r.vector as Extract<SourceRecord['vector'], { kind: 'sparse' }>;
          expect(v.dimensions).toBe(cols);
          const want = o.entries
            .filter((e) => !failed.has(e.line) && Number(e.tokens[0]) === r.fields.row)
            .map((e) => [Number(e.tokens[1]) - 1, oracleNumber(e.tokens[2] ?? '')] as const);
          const label = `row ${String(r.fields.row)} of ${JSON.stringify(text)}`;
          expect(
            want.every(([c, x]) => c >= 0 && c < cols && x !== null),
            `${label}: accepted an entry the format refuses`,
          ).toBe(true);
          const byColumn = (pairs: ReadonlyArray<readonly [number, number]>) =>
            [...pairs].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
          const got = byColumn(Array.from(v.indices, (c, k) => [c, v.values[k]!] as const));
          const wanted = byColumn(want as ReadonlyArray<readonly [number, number]>);
          expect(
            got.map(([c]) => c),
            label,
          ).toEqual(wanted.map(([c]) => c));
          expect(
            sameFloat32(
              got.map(([, x]) => x),
              wanted.map(([, x]) => x),
            ),
            label,
          ).toBe(true);
        }
      }),
      fuzzParams,
    );
  });
});

describe('fuzz JSON Lines reader', () => {
  const num = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
  const vector = fc.oneof(
    fc.array(num, { minLength: 1, maxLength: 5 }),
    fc
      .array(fc.tuple(fc.integer({ min: 0, max: 9 }), num), { maxLength: 4 })
      .map((p) => ({ indices: p.map(([i]) => i), values: p.map(([, x]) => x), dimensions: 10 })),
    fc.dictionary(fc.integer({ min: 0, max: 9 }).map(String), num, { maxKeys: 4 }),
    fc.constantFrom('[1,2,3]', '{1:1.5,3:2}/5', '0101'),
  );
  const line = fc.oneof(
    fc.tuple(fc.nat(99), vector).map(([id, v]) => JSON.stringify({ id, title: `t${id}`, embedding: v })),
    vector.map((v) => JSON.stringify(v)),
  );
  const file = fc.array(line, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('\n'));
  const input = fc.oneof(file, mutateText('{}[]":,0123456789.-e ')(file));

  it('accepted lines carry exactly the JSON vector and fields they contain', async () => {
    await fc.assert(
      fc.asyncProperty(input, cuts, async (text, at) => {
        const { records } = await readFuzzed('jsonl', utf8(text), at);
        for (const r of records) {
          const parsed = JSON.parse(r.text!) as unknown;
          const hasField =
            typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'embedding' in parsed;
          const { embedding, ...rest } = hasField ? parsed : { embedding: parsed };
          expect(r.fields, r.text).toEqual(hasField ? rest : {});
          const v = r.vector;
          if (v.kind === 'text') expect(v.text).toBe(embedding);
          else if (v.kind === 'dense') expect(Array.from(v.values)).toEqual(embedding);
          else if (Array.isArray((embedding as { indices?: unknown }).indices)) {
            const o = embedding as { indices: number[]; values: number[] };
            expect([Array.from(v.indices), Array.from(v.values)], r.text).toEqual([o.indices, o.values]);
          } else {
            const dict = Object.entries(embedding as Record<string, number>).map(([k, x]) => [Number(k), x]);
            expect(
              Array.from(v.indices, (i, k) => [i, v.values[k]]),
              r.text,
            ).toEqual(dict);
          }
        }
      }),
      fuzzParams,
    );
  });
});

describe('fuzz CSV reader', () => {
  const row = fc
    .tuple(fc.nat(99), fc.array(numberText, { minLength: 3, maxLength: 3 }))
    .map(([id, xs]) => [String(id), ...xs].join(','));
  const elementFile = fc.array(row, { minLength: 1, maxLength: 4 }).map((rows) => ['id,x0,x1,x2', ...rows].join('\n'));
  const literalFile = fc
    .array(fc.tuple(fc.nat(99), fc.array(numberText, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 3 })
    .map((rows) => ['id,embedding', ...rows.map(([id, xs]) => `${id},"[${xs.join(',')}]"`)].join('\n'));
  const input = fc.oneof(
    elementFile,
    literalFile,
    mutateText('0123456789.,-e"[]\n x')(fc.oneof(elementFile, literalFile)),
  );

  it('accepted rows hold exactly the numbers (or the literal) of their fields', async () => {
    await fc.assert(
      fc.asyncProperty(input, cuts, async (text, at) => {
        const { records } = await readFuzzed('csv', utf8(text), at, { columnFields: ['id'] });
        // The header is the first non-empty line: the reader skips empty lines, before the header too
        // (a mutated file starting with "\n" once made this oracle compare against an empty header).
        const headerLine = text.split('\n').find((l) => l.replace(/\r$/, '').length > 0) ?? '';
        const header = headerLine.split(',').map((h) => h.trim());
        for (const r of records) {
          if (r.text!.includes('"') || headerLine.includes('"')) continue; // quoting: checked by the unit tests
          const fields = r.text!.split(',');
          expect(fields.length, r.text).toBe(header.length);
          const v = r.vector;
          if (header.includes('embedding')) {
            expect(v).toEqual({ kind: 'text', text: fields[header.indexOf('embedding')]!.trim() });
            continue;
          }
          const want = fields.filter((_, i) => header[i] !== 'id').map((f) => oracleNumber(f.trim()));
          expect(
            want.every((x) => x !== null),
            `${JSON.stringify(r.text)} accepted with a non-number`,
          ).toBe(true);
          expect(sameFloat32((v as { values: ArrayLike<number> }).values, want as number[]), r.text).toBe(true);
          expectDenseConversion(r, want as number[]);
        }
      }),
      fuzzParams,
    );
  });
});

describe('fuzz word2vec / GloVe / fastText text reader', () => {
  // tokens: anything but a space, a tab or a line break — quotes, commas, hashes and colons included
  const token = fc.stringMatching(/^[^ \t\r\n]{1,6}$/);
  const file = fc.integer({ min: 1, max: 3 }).chain((dims) =>
    fc
      .tuple(
        fc.array(fc.tuple(token, fc.array(numberText, { minLength: dims, maxLength: dims })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.boolean(),
      )
      .map(([rows, header]) =>
        [...(header ? [`${rows.length} ${dims}`] : []), ...rows.map(([t, xs]) => [t, ...xs].join(' '))].join('\n'),
      ),
  );
  const input = fc.oneof(file, mutateText('0123456789.-e "#,:\t\n x')(file));

  it('accepted rows hold exactly the token and the numbers of their line', async () => {
    await fc.assert(
      fc.asyncProperty(input, cuts, async (text, at) => {
        const { records } = await readFuzzed('vec', utf8(text), at);
        for (const r of records) {
          const parts = r.text!.split(/[ \t]+/).filter((p) => p !== '');
          expect(r.fields.word, r.text).toBe(parts[0]);
          const want = parts.slice(1).map(oracleNumber);
          expect(
            want.every((x) => x !== null),
            `${JSON.stringify(r.text)} accepted with a non-number`,
          ).toBe(true);
          expect(sameFloat32((r.vector as { values: ArrayLike<number> }).values, want as number[]), r.text).toBe(true);
        }
      }),
      fuzzParams,
    );
  });
});
