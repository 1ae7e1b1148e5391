import { createReadStream } from 'node:fs';

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
  chunks(): AsyncIterable<Uint8Array>;
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
    chunks: () => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
  };
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
