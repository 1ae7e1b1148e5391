/**
 * Differential property test of the text parsers against the server's own input functions: for
 * random and hostile pgvector text (decimals at float32 rounding ties, exotic number syntaxes,
 * whitespace, mutations), whatever `fromSql` accepts, the server accepts too and stores the very
 * same value (its `::text` equals our `toSql()`). The client may be stricter than the server (it
 * refuses hexadecimal floats, for instance), never looser, and refuses only with a VecpgError.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector, isVecpgError } from 'vecpg';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { F32, propertyParams } from './arbitraries.ts';

/** The exact decimal expansion of a finite double (every double is a finite decimal). */
export function exactDecimal(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const mantissa = (bits & ((1n << 52n) - 1n)) | (biased === 0 ? 0n : 1n << 52n);
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  let digits: string;
  if (e2 >= 0) digits = (mantissa << BigInt(e2)).toString();
  else {
    const scaled = (mantissa * 5n ** BigInt(-e2)).toString().padStart(-e2 + 1, '0');
    digits = `${scaled.slice(0, scaled.length + e2)}.${scaled.slice(scaled.length + e2)}`.replace(/\.?0+$/, '');
  }
  return (x < 0 ? '-' : '') + digits;
}

/** The float32 after `f` (in magnitude), computed on the bits. */
function nextFloat32(f: number): number {
  const a = new Float32Array([f]);
  const u = new Uint32Array(a.buffer);
  u[0] = u[0]! + 1;
  return a[0]!;
}

/** Decimal strings exactly at, or within a hair of, the midpoint between two adjacent float32s. */
const midpointText = fc
  .tuple(
    fc.float({ min: F32.minSubnormal, max: Math.fround(3e38), noNaN: true }),
    fc.constantFrom('exact', 'above', 'below', 'p17', 'p18', 'p20'),
    fc.boolean(),
  )
  .map(([f, form, negative]) => {
    const mid = (f + nextFloat32(f)) / 2; // exact in double arithmetic
    const exact = exactDecimal(mid);
    const withDot = exact.includes('.') ? exact : `${exact}.`;
    let text: string;
    if (form === 'exact') text = exact;
    else if (form === 'above') text = `${withDot}00000000000000000001`;
    else if (form === 'below') text = exactDecimal(mid - mid * 2 ** -60 > 0 ? mid * (1 - 2 ** -52) : mid);
    else text = mid.toPrecision(Number(form.slice(1)));
    return negative ? `-${text}` : text;
  });

const oddNumber = fc.constantFrom(
  '.5',
  '5.',
  '+1',
  '-.5e-3',
  '1E+2',
  '1e',
  'e1',
  '0x10',
  '-0x10',
  '0X1p3',
  '0b101',
  '0B1',
  '0o7',
  '0O7',
  '1_000',
  '١',
  ' 1',
  '1 ',
  '\t1\n',
  '\u00a01',
  '1\u00a0',
  '\ufeff1',
  '1\u2003',
  'nan',
  '-NaN',
  'inf',
  '-Infinity',
  'infinity',
  '1e39',
  '-3.4028236e38',
  '3.40282356e38',
  '3.4028235677973366e38',
  '1e-46',
  '-7.1e-46',
  '7.1e-46',
  '0',
  '-0',
  '+0',
  '00012',
  '1e-400',
  '1' + '0'.repeat(60),
  '0.' + '0'.repeat(50) + '1',
  '',
);

const element = fc.oneof(
  { arbitrary: fc.double({ noNaN: true, min: -4e38, max: 4e38 }).map(String), weight: 3 },
  {
    arbitrary: fc
      .tuple(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -4e38, max: 4e38 }),
        fc.integer({ min: 1, max: 25 }),
      )
      .map(([x, p]) => x.toPrecision(p)),
    weight: 2,
  },
  { arbitrary: midpointText, weight: 3 },
  { arbitrary: oddNumber, weight: 2 },
);

const space = fc.constantFrom('', '', '', '', '', '', ' ', '\t', '\n', '\u00a0');
const spaced = (s: fc.Arbitrary<string>) => fc.tuple(space, s, space).map(([a, b, c]) => a + b + c);

const denseText = fc
  .tuple(space, fc.array(spaced(element), { minLength: 0, maxLength: 5 }), space, fc.constantFrom('', '', ',', ']'))
  .map(([pre, xs, post, extra]) => `${pre}[${xs.join(',')}${extra}]${post}`);

const sparseText = fc
  .tuple(
    fc.array(
      fc.tuple(
        spaced(
          fc.oneof(fc.integer({ min: -1, max: 12 }).map(String), fc.constantFrom('+2', '01', '1.0', '0x1', '1e0', '')),
        ),
        spaced(element),
      ),
      { maxLength: 5 },
    ),
    spaced(
      fc.oneof(
        fc.integer({ min: 0, max: 12 }).map(String),
        fc.constantFrom('1000000000', '1000000001', '+5', '05', '5e0', '0x5'),
      ),
    ),
  )
  .map(([pairs, dims]) => `{${pairs.map(([i, v]) => `${i}:${v}`).join(',')}}/${dims}`);

const bitText = fc
  .tuple(space, fc.array(fc.constantFrom('0', '1', '1', '0', '2', ' ', 'x'), { minLength: 0, maxLength: 12 }), space)
  .map(([a, bits, c]) => a + bits.join('') + c);

/** The server's text for `text` as `sqlType`, or null when it refuses it. */
async function serverText(db: TestDb, text: string, sqlType: string): Promise<string | null> {
  try {
    const rows = await db.query<{ t: string }>(`SELECT $1::${sqlType}::text AS t`, [text]);
    return rows[0]!.t;
  } catch (error) {
    if (isVecpgError(error) && error.code === 'QUERY_FAILED') return null;
    throw error;
  }
}

/** JSON with every non-printable-ASCII character escaped, so a U+00A0 is visible in a failure. */
function shown(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Client accepts ⇒ server accepts with the same text; a client refusal is a VecpgError.
 * `serverForm` rewrites a form only the client documents (bit's `B'101'`) into the server's.
 */
async function agrees(
  db: TestDb,
  text: string,
  sqlType: string,
  parse: (t: string) => { toSql(): string },
  serverForm: (t: string) => string = (t) => t,
): Promise<void> {
  let ours: string | null;
  try {
    ours = parse(text).toSql();
  } catch (error) {
    expect(isVecpgError(error), `${shown(text)} threw ${String(error)}`).toBe(true);
    ours = null;
  }
  if (ours === null) return;
  const theirs = await serverText(db, serverForm(text), sqlType);
  expect(
    theirs,
    `${sqlType} ${shown(text)}: client read ${ours}, server ${theirs === null ? 'refused it' : `read ${theirs}`}`,
  ).toBe(ours);
}

const runs = { ...propertyParams, numRuns: propertyParams.numRuns * 25 };

describeEachTarget('property: client text parsing agrees with the server', (db) => {
  it('vector: whatever Vector.fromSql accepts, the server reads as the same float32 values', async () => {
    await fc.assert(
      fc.asyncProperty(denseText, (t) => agrees(db(), t, 'vector', (x) => Vector.fromSql(x))),
      {
        ...runs,
        examples: [['[1.0000000596046448]'], ['[0b101]'], ['[\u00a01]'], ['\u00a0[1]'], ['[3.4028235677973366e38]']],
      },
    );
  });

  it('halfvec: whatever HalfVector.fromSql accepts, the server reads as the same float16 values', async () => {
    await fc.assert(
      fc.asyncProperty(denseText, (t) => agrees(db(), t, 'halfvec', (x) => HalfVector.fromSql(x))),
      runs,
    );
  });

  it('sparsevec: whatever SparseVector.fromSql accepts, the server reads with the same indices and values', async () => {
    await fc.assert(
      fc.asyncProperty(sparseText, (t) => agrees(db(), t, 'sparsevec', (x) => SparseVector.fromSql(x))),
      {
        ...runs,
        examples: [['{1:1.0000000596046448}/3'], ['{1:0o7}/3'], ['{1:2}/\u00a03']],
      },
    );
  });

  it('bit: whatever Bit.fromSql accepts, the server reads as the same bits', async () => {
    // Bit.fromSql documents two conveniences the server lacks: surrounding whitespace and the B'…' literal.
    const serverForm = (t: string) => t.trim().replace(/^[bB]'([^']*)'$/, '$1');
    await fc.assert(
      fc.asyncProperty(bitText, (t) => agrees(db(), t, 'varbit', (x) => Bit.fromSql(x), serverForm)),
      {
        ...runs,
        examples: [["B'101'"], [' 1 ']],
      },
    );
  });
});
