/**
 * NumPy `.npy` (format versions 1–3): a 2-D array of float16 (`f2`), float32 (`f4`) or float64
 * (`f8`), either byte order, C order. Each row is one dense record; `line` is the 1-based row.
 * Read in constant memory: the rows one input chunk holds at a time.
 */
import { VecpgError } from '../../errors.ts';
import { MAX_DIMENSIONS } from '../../types/limits.ts';
import { ByteReader } from '../byte-reader.ts';
import { importError } from '../errors.ts';
import type { ReadItem, ReaderOptions } from '../record.ts';
import { type DenseBlock, ELEMENT_BYTES, blockRecords } from './dense-block.ts';

const MAX_HEADER_BYTES = 1 << 20;

/** What a `.npy` header says. */
export interface NpyHeader {
  readonly dtype: 'f2' | 'f4' | 'f8';
  readonly littleEndian: boolean;
  readonly rows: number;
  readonly cols: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parse the header dictionary of a `.npy` file. */
export function parseNpyHeader(dict: string): NpyHeader {
  const descr = /'descr'\s*:\s*'([<>|=])([a-z])([0-9]+)'/.exec(dict);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict);
  if (!descr || !fortran || !shape)
    throw new VecpgError('INVALID_BINARY', `unreadable .npy header ${JSON.stringify(dict.trim())}`);
  const dtype = `${descr[2]}${descr[3]}`;
  if (dtype !== 'f2' && dtype !== 'f4' && dtype !== 'f8') {
    throw new VecpgError(
      'UNSUPPORTED',
      `.npy dtype ${JSON.stringify(descr[0])} is not supported (float16, float32 or float64)`,
      { details: { value: dtype } },
    );
  }
  if (fortran[1] === 'True')
    throw new VecpgError('UNSUPPORTED', '.npy array is in Fortran order; save it in C order (np.ascontiguousarray)');
  // A Python tuple of non-negative ints: `(2, 3)`, `(3,)`, `()`; numpy under Python 2 wrote longs, `(2L, 3L)`.
  // Only a trailing comma may leave an empty part: `(2, ,3)` is not a tuple and must not read as (2, 3).
  const parts = shape[1]!.split(',').map((s) => s.trim());
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '') parts.pop();
  if (!parts.every((p) => /^[0-9]+L?$/.test(p))) {
    throw new VecpgError('INVALID_BINARY', `unreadable .npy shape (${shape[1]})`, { details: { value: shape[1] } });
  }
  const dims = parts.map((p) => Number(p.replace('L', '')));
  if (dims.length !== 2) {
    throw new VecpgError(
      'UNSUPPORTED',
      `.npy array has shape (${shape[1]}); a 2-D array (rows, dimensions) is needed`,
      { details: { value: shape[1] } },
    );
  }
  const [rows, cols] = dims as [number, number];
  // Check the header's claims before they size any allocation: a corrupt shape must not allocate gigabytes.
  if (!Number.isSafeInteger(rows))
    throw new VecpgError('INVALID_BINARY', `.npy header claims ${shape[1]} rows`, { details: { value: shape[1] } });
  if (cols < 1 || cols > MAX_DIMENSIONS) {
    throw new VecpgError(
      cols < 1 ? 'EMPTY_VECTOR' : 'TOO_MANY_DIMENSIONS',
      `.npy rows have ${cols} dimensions; pgvector takes 1 to ${MAX_DIMENSIONS}`,
      {
        details: { value: cols },
      },
    );
  }
  return { dtype, littleEndian: descr[1] !== '>', rows, cols };
}

/** Read the magic, version and header of a `.npy` stream. */
export async function readNpyHeader(reader: ByteReader): Promise<NpyHeader> {
  const pre = await reader.read(10);
  if (pre.length < 10 || !MAGIC.every((b, i) => pre[i] === b))
    throw new VecpgError('INVALID_BINARY', 'not a .npy file (no \\x93NUMPY magic)');
  const major = pre[6]!;
  let length: number;
  if (major === 1) length = pre[8]! | (pre[9]! << 8);
  else if (major === 2 || major === 3) {
    const more = await reader.read(2);
    length = (pre[8]! | (pre[9]! << 8) | (more[0]! << 16) | (more[1]! << 24)) >>> 0;
  } else throw new VecpgError('UNSUPPORTED', `.npy format version ${major} is not supported`);
  // numpy writes headers of a few hundred bytes; refuse a claimed length that would allocate a huge buffer.
  if (length > MAX_HEADER_BYTES)
    throw new VecpgError(
      'INVALID_BINARY',
      `.npy header length ${length} is implausible (over ${MAX_HEADER_BYTES} bytes)`,
    );
  const dict = await reader.read(length);
  return parseNpyHeader(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(dict));
}

/** Rows per block at most (a block is what one input chunk holds, this caps it for small rows). */
const BLOCK_ROWS = 4096;

/**
 * Read a `.npy` file as blocks of whole rows, zero-copy where a chunk holds them (see dense-block.ts).
 *
 * @example
 * for await (const b of readNpyBlocks(fileSource('emb.npy').chunks(), { name: 'emb.npy' })) console.log(b.rows);
 */
export async function* readNpyBlocks(
  chunks: AsyncIterable<Uint8Array>,
  options: ReaderOptions,
): AsyncGenerator<DenseBlock> {
  const reader = new ByteReader(chunks);
  try {
    yield* npyBlocks(reader, options);
  } finally {
    // Also when the consumer stops early or this throws: the input is told to stop (a file is closed).
    await reader.close();
  }
}

async function* npyBlocks(reader: ByteReader, options: ReaderOptions): AsyncGenerator<DenseBlock> {
  let header: NpyHeader;
  try {
    header = await readNpyHeader(reader);
  } catch (error) {
    throw importError({ file: options.name, line: 0 }, error);
  }
  const element = header.dtype;
  const rowBytes = header.cols * ELEMENT_BYTES[element];
  const shape = { dims: header.cols, element, littleEndian: header.littleEndian, stride: rowBytes, skip: 0 };
  for (let r = 0; r < header.rows;) {
    const whole = Math.min(header.rows - r, BLOCK_ROWS, Math.floor(reader.buffered / rowBytes));
    const rows = Math.max(whole, 1);
    const bytes = reader.tryRead(rows * rowBytes) ?? (await reader.read(rowBytes));
    if (bytes.length < rows * rowBytes) {
      throw importError(
        { file: options.name, line: r + 1 },
        new VecpgError('INVALID_BINARY', `.npy file is truncated: row ${r + 1} of ${header.rows} is incomplete`),
      );
    }
    yield { first: r + 1, rows, bytes, ...shape };
    r += rows;
  }
  const extra = await reader.read(1);
  if (extra.length > 0) {
    throw importError(
      { file: options.name, line: header.rows },
      new VecpgError('INVALID_BINARY', `.npy file has data after the ${header.rows} rows its header announces`),
    );
  }
}

/**
 * Read a `.npy` file, one dense record per row.
 *
 * @example
 * for await (const r of readNpy(fileSource('emb.npy').chunks(), { name: 'emb.npy' })) …
 */
export function readNpy(chunks: AsyncIterable<Uint8Array>, options: ReaderOptions): AsyncGenerator<ReadItem> {
  return blockRecords(readNpyBlocks(chunks, options));
}
