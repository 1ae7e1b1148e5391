import { VecpgError, describeValue } from '../errors.ts';
import { asBytes, expectLength, viewOf } from './binary.ts';
import { INSPECT_CUSTOM, inspectBit } from './inspect.ts';

const BRAND = Symbol.for('vecpg.bit');

/**
 * A fixed-length bit string: PostgreSQL's `bit(n)`, used by pgvector's Hamming and Jaccard
 * distances and by `binary_quantize`. Bits are most-significant first, as PostgreSQL prints them.
 *
 * @example
 * new Bit('101').toString(); // '101'
 * Bit.fromBytes(new Uint8Array([0xfe, 0x07, 0x00]), 24).toString(); // '111111100000011100000000'
 */
export class Bit {
  readonly #bytes: Uint8Array;
  readonly #length: number;

  constructor(bits: string) {
    if (typeof bits !== 'string') {
      throw new VecpgError('INVALID_BIT', `Bit expects a string of 0s and 1s, got ${describeValue(bits)}`);
    }
    const bytes = new Uint8Array((bits.length + 7) >> 3);
    for (let i = 0; i < bits.length; i++) {
      const c = bits.charCodeAt(i);
      if (c === 49) bytes[i >> 3]! |= 0x80 >> (i & 7);
      else if (c !== 48) {
        throw new VecpgError(
          'INVALID_BIT',
          `"${bits[i]}" is not a valid binary digit (position ${i} of ${describeValue(bits)})`,
          {
            details: { position: i },
          },
        );
      }
    }
    this.#bytes = bytes;
    this.#length = bits.length;
  }

  /** From packed bytes, most-significant bit first; `length` defaults to 8 × bytes. */
  static fromBytes(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, length?: number): Bit {
    const b = asBytes(bytes, 'bit');
    const len = length ?? b.byteLength * 8;
    if (!Number.isInteger(len) || len < 0 || len > b.byteLength * 8) {
      throw new VecpgError(
        'INVALID_DIMENSIONS',
        `bit length ${describeValue(len)} does not fit in ${b.byteLength} bytes`,
      );
    }
    let s = '';
    for (let i = 0; i < len; i++) s += (b[i >> 3]! >> (7 - (i & 7))) & 1 ? '1' : '0';
    return new Bit(s);
  }

  /** From booleans (or 0/1 numbers). */
  static fromBooleans(values: ArrayLike<boolean | number>): Bit {
    let s = '';
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== true && v !== false && v !== 0 && v !== 1) {
        throw new VecpgError('INVALID_BIT', `bit ${i} must be a boolean or 0/1, got ${describeValue(v)}`);
      }
      s += v === true || v === 1 ? '1' : '0';
    }
    return new Bit(s);
  }

  /** Number of bits. */
  get length(): number {
    return this.#length;
  }

  /** Packed bytes, MSB first, pad bits zero (a copy). */
  toBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** The bits as booleans. */
  toBooleans(): boolean[] {
    return Array.from({ length: this.#length }, (_, i) => ((this.#bytes[i >> 3]! >> (7 - (i & 7))) & 1) === 1);
  }

  /** Number of set bits. */
  popcount(): number {
    let n = 0;
    for (const byte of this.#bytes) {
      let x = byte;
      while (x) {
        x &= x - 1;
        n++;
      }
    }
    return n;
  }

  toString(): string {
    let s = '';
    for (let i = 0; i < this.#length; i++) s += (this.#bytes[i >> 3]! >> (7 - (i & 7))) & 1 ? '1' : '0';
    return s;
  }

  /** PostgreSQL's bit text: `'101'`. */
  toSql(): string {
    return this.toString();
  }

  toJSON(): string {
    return this.toString();
  }

  toPostgres(): string {
    return this.toString();
  }

  /** PostgreSQL's varbit send format: `int32 length | ceil(length/8) bytes`. */
  toBinary(): Uint8Array {
    const out = new Uint8Array(4 + this.#bytes.length);
    viewOf(out).setInt32(0, this.#length);
    out.set(this.#bytes, 4);
    return out;
  }

  equals(other: unknown): boolean {
    return isBit(other) && other.length === this.#length && other.toString() === this.toString();
  }

  /** Parse `'101'` (also accepts PostgreSQL's `B'101'` literal form). */
  static fromSql(text: string): Bit {
    if (typeof text !== 'string')
      throw new VecpgError('INVALID_BIT', `bit text must be a string, got ${describeValue(text)}`);
    const m = /^[bB]'([^']*)'$/.exec(text.trim());
    return new Bit(m ? m[1]! : text.trim());
  }

  static fromBinary(input: Uint8Array | ArrayBuffer | ArrayBufferView): Bit {
    const bytes = asBytes(input, 'bit');
    if (bytes.byteLength < 4) expectLength(bytes, 4, 'bit', 'the header');
    const len = viewOf(bytes).getInt32(0);
    if (len < 0) throw new VecpgError('INVALID_BINARY', `invalid bit binary: length ${len}`);
    expectLength(bytes, 4 + ((len + 7) >> 3), 'bit', `${len} bits`);
    const data = bytes.subarray(4);
    const padBits = data.length * 8 - len;
    if (padBits > 0 && (data[data.length - 1]! & ((1 << padBits) - 1)) !== 0) {
      throw new VecpgError('INVALID_BINARY', 'invalid bit binary: pad bits after the last bit must be zero');
    }
    return Bit.fromBytes(data, len);
  }

  /** What `console.log` / `util.inspect` print: `Bit(3) 101` (the first 64 bits when long). */
  [INSPECT_CUSTOM](): string {
    return inspectBit(this.toString());
  }

  get [Symbol.toStringTag](): string {
    return 'Bit';
  }

  static {
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }
}

export function isBit(value: unknown): value is Bit {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
