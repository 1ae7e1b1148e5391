/**
 * What a file reader yields: one record per row of the target table, with its vector still in the
 * file's own shape (dense numbers, sparse pairs already shifted to 0-based, or pgvector text) and
 * the other fields by name. Converting to the column's type and dimensions happens in `convert.ts`.
 */
import type { VecpgError } from '../errors.ts';
import type { IndexBase } from '../types/index-base.ts';

/** A vector as read from a file, before it meets the target column. */
export type RawVector =
  | { readonly kind: 'dense'; readonly values: ArrayLike<number> }
  | {
      readonly kind: 'sparse';
      /** 0-based (the reader converted them from `base` through `fromBase`). */
      readonly indices: ArrayLike<number>;
      readonly values: ArrayLike<number>;
      /** Dimensions stated by the record itself, if any. */
      readonly dimensions: number | undefined;
      /** The base the file was read with, for error hints. */
      readonly base: IndexBase;
    }
  | { readonly kind: 'text'; readonly text: string };

/** One good record. `line` is the file's line (text formats) or the 1-based record number (binary formats). */
export interface SourceRecord {
  readonly ok: true;
  readonly line: number;
  /** The record as written (text formats), for rejects files and previews. */
  readonly text: string | undefined;
  readonly vector: RawVector;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** A record the reader could not parse: in skip mode it goes to the rejects, otherwise it aborts the load. */
export interface RecordFailure {
  readonly ok: false;
  readonly line: number;
  readonly text: string | undefined;
  /** An `IMPORT_FAILED` error naming the file, the line and the value. */
  readonly error: VecpgError;
}

export type ReadItem = SourceRecord | RecordFailure;

/** Options every reader understands. */
export interface ReaderOptions {
  /** Name used in error messages (the file path, or `<stdin>`). */
  readonly name: string;
  /** Overrides the format's documented index base for sparse indices. */
  readonly indexBase?: IndexBase | undefined;
  /** Dimensions of sparse records that do not state their own (JSON dictionaries, libsvm). */
  readonly dimensions?: number | undefined;
  /** The field holding the vector in formats with named fields (JSON Lines, CSV). Default `embedding`. */
  readonly vectorField?: string | undefined;
}

/** A format reader: bytes in, records out, one at a time (constant memory unless documented). */
export type RecordReader = (chunks: AsyncIterable<Uint8Array>, options: ReaderOptions) => AsyncGenerator<ReadItem>;
