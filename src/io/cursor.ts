/**
 * The records of an input for the loader: one at a time from any reader, or, for the fixed-width binary
 * formats, also the rest of the current block of rows at once (the bulk path of `load`).
 */
import { type DenseBlock, blockRecord } from './readers/dense-block.ts';
import { type ImportFormat, type RecordsOptions, readBlocks, readRecords } from './readers/formats.ts';
import type { ReadItem } from './record.ts';

export class RecordCursor {
  readonly #items: AsyncIterator<ReadItem> | undefined;
  readonly #blocks: AsyncIterator<DenseBlock> | undefined;
  #block: DenseBlock | undefined;
  #row = 0;

  constructor(format: ImportFormat, chunks: AsyncIterable<Uint8Array>, options: RecordsOptions) {
    this.#blocks = readBlocks(format, chunks, options);
    this.#items = this.#blocks === undefined ? readRecords(format, chunks, options) : undefined;
  }

  /**
   * Stop reading: the readers' and the source's `finally` blocks run (a file is closed). Not awaited: a
   * reader still waiting for input (a stalled pipe) stops only when that input comes or ends.
   */
  close(): void {
    for (const it of [this.#items, this.#blocks]) void it?.return?.(undefined).catch(() => undefined);
  }

  /** True when {@link nextBlock} can be used. */
  get blockwise(): boolean {
    return this.#blocks !== undefined;
  }

  /** The next record, or undefined at the end. */
  async next(): Promise<ReadItem | undefined> {
    if (this.#items !== undefined) {
      const next = await this.#items.next();
      return next.done === true ? undefined : next.value;
    }
    const run = await this.nextBlock();
    if (run === undefined) return undefined;
    this.#row = run.from + 1;
    return blockRecord(run.block, run.from);
  }

  /**
   * The unread rows of the current block (`from` is the first unread row), or the next block; undefined at
   * the end. The rows count as read: the next call moves on. Only for a {@link blockwise} cursor.
   */
  async nextBlock(): Promise<{ block: DenseBlock; from: number } | undefined> {
    while (this.#block === undefined || this.#row >= this.#block.rows) {
      const next = await this.#blocks!.next();
      if (next.done === true) {
        this.#block = undefined;
        return undefined;
      }
      this.#block = next.value;
      this.#row = 0;
    }
    const from = this.#row;
    this.#row = this.#block.rows;
    return { block: this.#block, from };
  }
}
