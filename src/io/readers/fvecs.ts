/**
 * TEXMEX vector files (the SIFT/GIST benchmark sets): each record is a little-endian `int32`
 * dimension count followed by that many `float32` (`.fvecs`) or `uint8` (`.bvecs`) values.
 * One dense record per vector; `line` is the 1-based record number. Constant memory: the records one
 * input chunk holds at a time.
 */
import { VecpgError } from '../../errors.ts';
import { MAX_DIMENSIONS } from '../../types/limits.ts';
import { ByteReader } from '../byte-reader.ts';
import { importError } from '../errors.ts';
import type { ReadItem, ReaderOptions } from '../record.ts';
import { type DenseBlock, blockRecords } from './dense-block.ts';

/** Element type of a TEXMEX file. */
export type TexmexElement = 'float32' | 'uint8';

/** Records per block at most. */
const BLOCK_ROWS = 4096;

/**
 * Read `.fvecs` / `.bvecs` as blocks of consecutive records of one dimension count, zero-copy where a
 * chunk holds them (see dense-block.ts).
 *
 * @example
 * for await (const b of readVecsBlocks(fileSource('sift_base.fvecs').chunks(), { name: 'sift' }, 'float32')) …
 */
export async function* readVecsBlocks(
  chunks: AsyncIterable<Uint8Array>,
  options: ReaderOptions,
  element: TexmexElement,
): AsyncGenerator<DenseBlock> {
  const reader = new ByteReader(chunks);
  try {
    yield* vecsBlocks(reader, options, element);
  } finally {
    // Also when the consumer stops early or this throws: the input is told to stop (a file is closed).
    await reader.close();
  }
}

async function* vecsBlocks(
  reader: ByteReader,
  options: ReaderOptions,
  element: TexmexElement,
): AsyncGenerator<DenseBlock> {
  const size = element === 'float32' ? 4 : 1;
  for (let n = 1; ;) {
    const head = await reader.read(4);
    if (head.length === 0) return;
    const fail = (message: string, value?: unknown): never => {
      throw importError({ file: options.name, line: n, value }, new VecpgError('INVALID_BINARY', message));
    };
    if (head.length < 4) fail(`record ${n} is truncated (no dimension count)`);
    const dim = new DataView(head.buffer, head.byteOffset, 4).getInt32(0, true);
    if (dim < 1 || dim > MAX_DIMENSIONS)
      fail(
        `record ${n} has an invalid dimension count ${dim} (is this really a ${element === 'float32' ? '.fvecs' : '.bvecs'} file?)`,
        dim,
      );
    const stride = 4 + dim * size;
    const shape = { first: n, dims: dim, element: size === 4 ? 'f4' : 'u1', littleEndian: true, stride } as const;
    // The record whose count was just read, then as many following records of the same count as are buffered.
    const values = reader.tryRead(dim * size) ?? (await reader.read(dim * size));
    if (values.length < dim * size) fail(`record ${n} is truncated: ${dim} values announced`);
    yield { ...shape, rows: 1, bytes: values, skip: 0 };
    n++;
    let rows = 0;
    const most = Math.min(BLOCK_ROWS, Math.floor(reader.buffered / stride));
    // Peek at the counts without consuming: a run ends at the first record of another dimension count.
    const run = reader.peek(most * stride);
    if (run !== undefined) {
      const view = new DataView(run.buffer, run.byteOffset, run.byteLength);
      while (rows < most && view.getInt32(rows * stride, true) === dim) rows++;
    }
    if (rows > 0) {
      yield { ...shape, first: n, rows, bytes: reader.tryRead(rows * stride)!, skip: 4 };
      n += rows;
    }
  }
}

/**
 * Read `.fvecs` (`element: 'float32'`) or `.bvecs` (`'uint8'`).
 *
 * @example
 * for await (const r of readVecs(fileSource('sift_base.fvecs').chunks(), { name: 'sift' }, 'float32')) …
 */
export function readVecs(
  chunks: AsyncIterable<Uint8Array>,
  options: ReaderOptions,
  element: TexmexElement,
): AsyncGenerator<ReadItem> {
  return blockRecords(readVecsBlocks(chunks, options, element));
}
