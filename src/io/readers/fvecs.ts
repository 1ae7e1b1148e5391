/**
 * TEXMEX vector files (the SIFT/GIST benchmark sets): each record is a little-endian `int32`
 * dimension count followed by that many `float32` (`.fvecs`) or `uint8` (`.bvecs`) values.
 * One dense record per vector; `line` is the 1-based record number. Constant memory.
 */
import { VecpgError } from '../../errors.ts';
import { MAX_DIMENSIONS } from '../../types/limits.ts';
import { ByteReader } from '../byte-reader.ts';
import { importError } from '../errors.ts';
import type { ReadItem, ReaderOptions } from '../record.ts';

/** Element type of a TEXMEX file. */
export type TexmexElement = 'float32' | 'uint8';

/**
 * Read `.fvecs` (`element: 'float32'`) or `.bvecs` (`'uint8'`).
 *
 * @example
 * for await (const r of readVecs(fileSource('sift_base.fvecs').chunks(), { name: 'sift' }, 'float32')) …
 */
export async function* readVecs(
  chunks: AsyncIterable<Uint8Array>,
  options: ReaderOptions,
  element: TexmexElement,
): AsyncGenerator<ReadItem> {
  const reader = new ByteReader(chunks);
  const size = element === 'float32' ? 4 : 1;
  for (let n = 1; ; n++) {
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
    const bytes = await reader.read(dim * size);
    if (bytes.length < dim * size) fail(`record ${n} is truncated: ${dim} values announced`);
    let values: Float32Array | Uint8Array;
    if (element === 'float32') {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      values = new Float32Array(dim);
      for (let i = 0; i < dim; i++) values[i] = view.getFloat32(4 * i, true);
    } else values = bytes.slice();
    yield { ok: true, line: n, text: undefined, vector: { kind: 'dense', values }, fields: {} };
  }
}
