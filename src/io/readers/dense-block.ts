/**
 * Consecutive fixed-width dense rows of a binary file (.npy, .fvecs, .bvecs) as they lie in its bytes.
 * The readers of those formats produce blocks; `blockRecord` decodes one row into the record every
 * other reader yields, and the loader encodes whole float32 blocks into binary COPY without a record
 * per row (`CopyEncoder.addFloat32Rows`). One parser, so both paths read the same rows.
 */
import { halfBitsToNumber } from '../../types/float.ts';
import type { ReadItem, SourceRecord } from '../record.ts';

/** Element type of a block: IEEE float16/32/64 or unsigned bytes (.bvecs). */
export type BlockElement = 'f2' | 'f4' | 'f8' | 'u1';

export const ELEMENT_BYTES: Readonly<Record<BlockElement, number>> = { f2: 2, f4: 4, f8: 8, u1: 1 };

/**
 * `rows` rows of `dims` values each: row r's values start at byte `r * stride + skip` of `bytes`.
 * `bytes` is only valid until the reader is asked for the next block.
 */
export interface DenseBlock {
  /** Record number (1-based) of the first row: the `line` of its record. */
  readonly first: number;
  readonly rows: number;
  readonly dims: number;
  readonly element: BlockElement;
  readonly littleEndian: boolean;
  readonly bytes: Uint8Array;
  /** Bytes from one row to the next. */
  readonly stride: number;
  /** Bytes before the values within a row (.fvecs: the int32 dimension count). */
  readonly skip: number;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Row `r` of a block as a dense record owning its values (float32 rows as a Float32Array, float64 and
 * float16 as a Float64Array, bytes as a Uint8Array).
 */
export function blockRecord(block: DenseBlock, r: number): SourceRecord {
  const { dims, element, littleEndian: le } = block;
  const start = r * block.stride + block.skip;
  const bytes = block.bytes.subarray(start, start + dims * ELEMENT_BYTES[element]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let values: Float32Array | Float64Array | Uint8Array;
  if (element === 'f4') {
    values = new Float32Array(dims);
    if (le === HOST_LITTLE_ENDIAN) new Uint8Array(values.buffer).set(bytes);
    else for (let i = 0; i < dims; i++) values[i] = view.getFloat32(4 * i, le);
  } else if (element === 'f8') {
    values = new Float64Array(dims);
    if (le === HOST_LITTLE_ENDIAN) new Uint8Array(values.buffer).set(bytes);
    else for (let i = 0; i < dims; i++) values[i] = view.getFloat64(8 * i, le);
  } else if (element === 'f2') {
    values = new Float64Array(dims);
    for (let i = 0; i < dims; i++) values[i] = halfBitsToNumber(view.getUint16(2 * i, le));
  } else values = bytes.slice();
  return { ok: true, line: block.first + r, text: undefined, vector: { kind: 'dense', values }, fields: {} };
}

/** The records of a stream of blocks, one per row. */
export async function* blockRecords(blocks: AsyncIterable<DenseBlock>): AsyncGenerator<ReadItem> {
  for await (const block of blocks) for (let r = 0; r < block.rows; r++) yield blockRecord(block, r);
}
