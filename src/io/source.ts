import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/** Read size for input files: large enough that per-chunk overhead vanishes, small enough to stay flat. */
export const READ_CHUNK_BYTES = 1 << 20;

/**
 * The bytes of an input: a file (which can be read twice, e.g. to find the dimensions before
 * creating a table) or a one-shot stream.
 */
export interface ByteSource {
  /** Name for messages: the path, or `<stream>`. */
  readonly name: string;
  /** True when `chunks()` can be called more than once. */
  readonly rereadable: boolean;
  /** Size in bytes when known (for progress / ETA). */
  readonly size: number | undefined;
  /**
   * The bytes, chunk by chunk. With `reuse`, a chunk is only valid until the next one is asked for (a
   * file is then read into a few buffers in turn, so a large file allocates nothing per chunk); the
   * binary readers, whose blocks carry the same promise, take them so.
   */
  chunks(options?: { reuse?: boolean }): AsyncIterable<Uint8Array>;
}

/**
 * A file as a byte source.
 *
 * @example
 * for await (const chunk of fileSource('data.svm').chunks()) console.log(chunk.length);
 */
export function fileSource(path: string, size?: number): ByteSource {
  return {
    name: path,
    rereadable: true,
    size,
    chunks: (options) =>
      options?.reuse === true ? readReusing(path) : createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
  };
}

/**
 * A file's bytes read into three buffers in turn: the chunk handed out last, the one its consumer may still
 * be copying a record across from, and the one being read.
 */
async function* readReusing(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const ring = [0, 1, 2].map(() => Buffer.allocUnsafeSlow(READ_CHUNK_BYTES));
    for (let k = 0; ; k++) {
      const buffer = ring[k % ring.length]!;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * A stream (Node Readable, web ReadableStream consumed as async iterable, or any async iterable of bytes).
 *
 * @example
 * streamSource(process.stdin, '<stdin>');
 */
export function streamSource(stream: AsyncIterable<Uint8Array | string>, name = '<stream>'): ByteSource {
  let used = false;
  return {
    name,
    rereadable: false,
    size: undefined,
    chunks: () => {
      if (used) throw new Error(`${name} can only be read once`);
      used = true;
      return asBytes(stream);
    },
  };
}

const encoder = new TextEncoder();

async function* asBytes(stream: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}
