/**
 * Running a file reader over one fuzzed input: the bytes arrive in random chunks (a record, a
 * number or a UTF-8 character split across chunks), every item is collected, and the contract is
 * checked — only VecpgError escapes, a failed record carries IMPORT_FAILED caused by a VecpgError
 * (never a TypeError or RangeError wrapped to look like one), and the input finishes in bounded time.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { isVecpgError, type VecpgError } from 'vecpg';
import { type ImportFormat, type ReadItem, type SourceRecord, readRecords } from 'vecpg/load';

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261127);
export const fuzzParams = { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true } as const;
/** Longest time one small input may take: far above normal (well under a millisecond), far below a hang. */
export const MAX_MS_PER_INPUT = 2000;

/** Cut `bytes` at the given fractions into chunks (possibly empty ones). */
export function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

/** Random cut points for {@link chunked}. */
export const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 });

async function* iterate(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

/** What reading one input gave. */
export interface ReadOutcome {
  records: SourceRecord[];
  failures: Array<{ line: number; error: VecpgError }>;
  /** The error that ended the read early, if any (always a VecpgError). */
  thrown: VecpgError | undefined;
}

/** Read `bytes` (in `cutsAt` chunks) as `format`, checking the error contract and the time bound. */
let reads = 0;

export async function readFuzzed(
  format: ImportFormat,
  bytes: Uint8Array,
  cutsAt: readonly number[],
  options: {
    indexBase?: 0 | 1;
    dimensions?: number;
    vectorField?: string;
    columnFields?: string[];
    header?: boolean;
  } = {},
): Promise<ReadOutcome> {
  // Every read resolves in microtasks only; yield to the event loop now and then so the test runner's
  // worker can report progress (100,000-input runs otherwise hit vitest's RPC timeout).
  if (++reads % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  const started = performance.now();
  const outcome: ReadOutcome = { records: [], failures: [], thrown: undefined };
  try {
    for await (const item of readRecords(format, iterate(chunked(bytes, cutsAt)), { name: 'fuzz', ...options })) {
      collect(outcome, item);
    }
  } catch (error) {
    expectVecpgError(error, format, bytes);
    outcome.thrown = error as VecpgError;
  }
  const elapsed = performance.now() - started;
  expect(elapsed, `${format}: ${bytes.length} bytes took ${elapsed.toFixed(0)} ms`).toBeLessThan(MAX_MS_PER_INPUT);
  return outcome;
}

function collect(outcome: ReadOutcome, item: ReadItem): void {
  if (item.ok) outcome.records.push(item);
  else {
    expectVecpgError(item.error, 'record failure', undefined);
    outcome.failures.push({ line: item.line, error: item.error });
  }
}

/** A VecpgError, and if it wraps a cause, the cause is a VecpgError too (the specific reason). */
export function expectVecpgError(error: unknown, where: string, bytes: Uint8Array | undefined): void {
  const input =
    bytes === undefined ? '' : ` on input ${JSON.stringify(Buffer.from(bytes).toString('latin1').slice(0, 200))}`;
  if (!isVecpgError(error))
    throw new Error(`${where}: a non-VecpgError escaped${input}: ${String(error)}`, { cause: error });
  const cause = (error as Error).cause;
  if (cause !== undefined && !isVecpgError(cause)) {
    throw new Error(`${where}: ${error.code} wraps a ${String(cause)}${input}`, { cause });
  }
}

/** Text mutations over an alphabet: replace, insert, delete, duplicate a span. */
export function mutateText(alphabet: string): (sample: fc.Arbitrary<string>) => fc.Arbitrary<string> {
  const ch = fc.constantFrom(...alphabet.split(''));
  return (sample) =>
    fc
      .tuple(
        sample,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), ch, fc.nat(12)), { minLength: 1, maxLength: 5 }),
      )
      .map(([text, edits]) => {
        let t = text;
        for (const [pos, op, c, len] of edits) {
          const i = t.length === 0 ? 0 : pos % (t.length + 1);
          if (op === 0) t = t.slice(0, i) + c + t.slice(i + 1);
          else if (op === 1) t = t.slice(0, i) + c + t.slice(i);
          else if (op === 2) t = t.slice(0, i) + t.slice(i + 1 + len);
          else t = t.slice(0, i) + t.slice(i, i + len) + t.slice(i);
        }
        return t;
      });
}

/** Byte mutations: overwrite, truncate, insert, append garbage. */
export function mutateBytes(sample: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      sample,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([bytes, edits]) => {
      let b = Array.from(bytes);
      for (const [pos, op, v] of edits) {
        const i = b.length === 0 ? 0 : pos % b.length;
        if (op === 0 && b.length > 0) b[i] = v;
        else if (op === 1) b = b.slice(0, pos % (b.length + 1));
        else if (op === 2) b.splice(i, 0, v);
        else b.push(v);
      }
      return Uint8Array.from(b);
    });
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
