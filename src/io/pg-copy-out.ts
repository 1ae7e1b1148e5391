/**
 * `COPY … TO STDOUT` on node-postgres, read straight off the socket. A submittable (what `client.query()`
 * accepts besides SQL text) that takes the socket's data from node-postgres's protocol parser while the COPY
 * runs and parses the message framing itself: each CopyData message ('d', int32 length, payload) is handed to
 * the sink as a range of the socket's chunk, with no buffer per message and no copy. At the first message
 * that is not COPY data (CopyDone 'c', or an ErrorResponse 'E') the rest of the chunk and the socket go back
 * to node-postgres, which reads CommandComplete, the error and ReadyForQuery as for any query.
 *
 * Protocol facts (PostgreSQL's frontend/backend protocol, "COPY Operations"): the server answers a COPY TO
 * with CopyOutResponse ('H'), then CopyData messages, then CopyDone; NoticeResponse ('N'), ParameterStatus
 * ('S') and NotificationResponse ('A') may come in between; an error ends it with ErrorResponse.
 */
import { VecpgError } from '../errors.ts';

/** Receives the COPY data. */
export interface CopyOutSink {
  /**
   * The next bytes of COPY data, `bytes[start, end)` with `view` over the same memory: valid only during the
   * call (it is the socket's buffer). A message's payload may come in several calls, never out of order.
   * A throw stops the deliveries: the rest of the COPY is read and dropped, then the export fails with it.
   */
  data(bytes: Uint8Array, view: DataView, start: number, end: number): void;
  /**
   * Asked after each chunk read from the socket: a promise holds the next chunk back until it settles
   * (backpressure; the server then waits on a full socket). A rejection counts as a throw of `data`.
   */
  drain(): Promise<void> | undefined;
}

/** The part of a node-postgres `Connection` this uses. */
interface PgConnection {
  stream: NodeJS.ReadableStream & { destroy(error?: Error): void };
  query(text: string): void;
  sendCopyFail?(message: string): void;
}

type DataListener = (chunk: Buffer) => void;

const COPY_DATA = 0x64; // 'd'
const COPY_OUT_RESPONSE = 0x48; // 'H'
const NOTICE = 0x4e; // 'N'
const PARAMETER_STATUS = 0x53; // 'S'
const NOTIFICATION = 0x41; // 'A'

function interrupted(reason: unknown): Error {
  return reason instanceof Error ? reason : new VecpgError('CANCELLED', 'the export was aborted');
}

/**
 * The submittable. `done` settles once node-postgres has read the server's ReadyForQuery (the connection
 * is usable again), or at once when the connection is lost or the copy aborted (then it is destroyed).
 *
 * @example
 * const copy = new PgCopyOut('COPY (SELECT embedding FROM t) TO STDOUT (FORMAT binary)', sink, signal);
 * void client.query(copy);
 * await copy.done;
 */
export class PgCopyOut {
  readonly done: Promise<void>;
  /** Rows the server reported in CommandComplete. */
  rowCount = 0;
  /** Set by node-postgres when it watches the query with a timeout (`query_timeout`). */
  callback: ((error?: Error) => void) | undefined;
  readonly #text: string;
  readonly #sink: CopyOutSink;
  readonly #signal: AbortSignal | undefined;
  #connection: PgConnection | undefined;
  #pgListener: DataListener | undefined;
  #resolve!: () => void;
  #reject!: (error: Error) => void;
  /** The sink's failure: deliveries stop, the COPY is read to its end and then this is thrown. */
  #failure: Error | undefined;
  #serverError: Error | undefined;
  #settled = false;
  /** Framing state: bytes of the current message's payload still to come (0 between messages). */
  #remaining = 0;
  /** Whether the current message is CopyData (else its payload is skipped). */
  #isData = false;
  /** A message header cut by a chunk boundary: its bytes so far (code + up to 4 length bytes). */
  readonly #header = new Uint8Array(5);
  #headerLength = 0;
  readonly #onData: DataListener = (chunk) => this.#read(chunk);
  readonly #onAbort = (): void => this.#abort();

  constructor(text: string, sink: CopyOutSink, signal?: AbortSignal) {
    this.#text = text;
    this.#sink = sink;
    this.#signal = signal;
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Called by node-postgres when the query's turn comes; an error returned is reported through `handleError`. */
  submit(connection: PgConnection): Error | undefined {
    // Not sent: node-postgres hands these to handleError and goes on with its queue.
    if (this.#signal?.aborted === true) return interrupted(this.#signal.reason);
    const stream = connection?.stream;
    if (typeof stream?.listeners !== 'function')
      return new VecpgError('UNSUPPORTED', 'cannot read COPY data: this client has no socket of its own (pg-native?)');
    const listeners = stream.listeners('data') as DataListener[];
    if (listeners.length !== 1)
      return new VecpgError(
        'QUERY_FAILED',
        `cannot read COPY data: the connection has ${listeners.length} data readers`,
      );
    this.#connection = connection;
    this.#pgListener = listeners[0];
    stream.removeListener('data', this.#pgListener!);
    stream.on('data', this.#onData);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    connection.query(this.#text);
    return undefined;
  }

  #read(chunk: Buffer): void {
    const n = chunk.length;
    let view: DataView | undefined;
    // A plain Uint8Array over the chunk for the sink: its subarray costs less than a Buffer's.
    let bytes: Uint8Array | undefined;
    let p = 0;
    while (p < n) {
      if (this.#remaining > 0) {
        const end = Math.min(n, p + this.#remaining);
        if (this.#isData && this.#failure === undefined) {
          view ??= new DataView(chunk.buffer, chunk.byteOffset, n);
          bytes ??= new Uint8Array(chunk.buffer, chunk.byteOffset, n);
          try {
            this.#sink.data(bytes, view, p, end);
          } catch (error) {
            this.#fail(error);
          }
        }
        this.#remaining -= end - p;
        p = end;
        continue;
      }
      if (this.#headerLength === 0) {
        const code = chunk[p]!;
        if (code !== COPY_DATA && code !== COPY_OUT_RESPONSE && code !== NOTICE) {
          if (code !== PARAMETER_STATUS && code !== NOTIFICATION) {
            // CopyDone, ErrorResponse or anything else: node-postgres reads it from here on.
            this.#detach(chunk.subarray(p));
            return;
          }
        }
        if (n - p >= 5) {
          // The common case: the whole header in this chunk.
          this.#isData = code === COPY_DATA;
          this.#remaining = chunk.readUInt32BE(p + 1) - 4;
          p += 5;
          continue;
        }
      }
      // A header cut by the chunk's end: gather its 5 bytes.
      const take = Math.min(5 - this.#headerLength, n - p);
      this.#header.set(chunk.subarray(p, p + take), this.#headerLength);
      this.#headerLength += take;
      p += take;
      if (this.#headerLength === 5) {
        const h = this.#header;
        this.#isData = h[0] === COPY_DATA;
        this.#remaining = ((h[1]! << 24) | (h[2]! << 16) | (h[3]! << 8) | h[4]!) - 4;
        this.#headerLength = 0;
      }
    }
    if (this.#failure !== undefined) return;
    let wait: Promise<void> | undefined;
    try {
      wait = this.#sink.drain();
    } catch (error) {
      this.#fail(error);
    }
    if (wait === undefined) return;
    const stream = this.#connection!.stream;
    stream.pause();
    wait.then(
      () => this.#resume(),
      (error: unknown) => {
        this.#fail(error);
        this.#resume();
      },
    );
  }

  #resume(): void {
    // Only while the socket is still ours: after an abort or a detach it is not.
    if (this.#connection !== undefined && this.#pgListener !== undefined && !this.#settled)
      this.#connection.stream.resume();
  }

  #fail(error: unknown): void {
    this.#failure ??= error instanceof Error ? error : new Error(String(error));
  }

  /** Give the socket back to node-postgres, with the bytes it must parse next. */
  #detach(rest: Buffer): void {
    const connection = this.#connection!;
    const listener = this.#pgListener!;
    this.#pgListener = undefined;
    connection.stream.removeListener('data', this.#onData);
    connection.stream.on('data', listener);
    // Resumed in case a drain paused it; node-postgres never pauses it itself.
    connection.stream.resume();
    listener(rest);
  }

  /** Abort: the server cannot be stopped mid-COPY from this connection, so it is closed. */
  #abort(): void {
    if (this.#settled || this.#connection === undefined) return;
    const reason = interrupted(this.#signal?.reason);
    this.#fail(reason);
    // Closing the socket makes node-postgres fail this query (handleError) and emit 'error' on the client.
    this.#connection.stream.destroy();
    this.#finish(reason);
  }

  #finish(error?: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    // node-postgres wraps this in its query_timeout handling: calling it clears that timer.
    this.callback?.(error);
    if (error === undefined) this.#resolve();
    else this.#reject(error);
  }

  // node-postgres's calls, after the detach (or on a lost connection).

  handleCommandComplete(message: { text?: string }): void {
    const match = /COPY (\d+)/.exec(message.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleError(error: Error): void {
    // A lost connection while the socket is still ours: stop reading it.
    if (this.#pgListener !== undefined) this.#connection?.stream.removeListener('data', this.#onData);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#serverError = error;
    // The server's error ends the query: ReadyForQuery follows but node-postgres no longer reports it here.
    this.#finish(this.#failure ?? error);
  }

  handleReadyForQuery(): void {
    this.#finish(this.#failure ?? this.#serverError);
  }

  // Messages a COPY TO never produces; should the statement not be one, it fails rather than hangs.
  handleRowDescription(): void {
    this.#fail(new VecpgError('QUERY_FAILED', `not a COPY … TO STDOUT statement: ${this.#text}`));
  }
  handleDataRow(): void {}
  handleEmptyQuery(): void {
    this.handleRowDescription();
  }
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {
    this.handleRowDescription();
    // A COPY FROM would wait for data forever.
    this.#connection?.sendCopyFail?.('vecpg expected COPY … TO STDOUT');
  }
  handleCopyData(): void {}
}
