/**
 * The COPY OUT reader of node-postgres connections (PgCopyOut) with the .npy row writer behind it, fed the
 * server's side of a `COPY … TO STDOUT (FORMAT binary)` written here from the protocol's definition
 * (CopyOutResponse, one CopyData per tuple with the header in the first and the trailer in its own, a
 * NoticeResponse and a ParameterStatus in between, CopyDone, CommandComplete, ReadyForQuery), cut into
 * chunks of every size from 1 byte to the whole: the .npy rows are the stored bits in little-endian order
 * whatever the cuts, and node-postgres gets back exactly the bytes from CopyDone on. The same reader on a
 * real server: test/integration/export-copy-out.test.ts.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NpyRowWriter } from '../../src/io/npy-rows.ts';
import { PgCopyOut } from '../../src/io/pg-copy-out.ts';
import { seededRandom } from '../support/random.ts';

const int16 = (n: number): number[] => [(n >> 8) & 255, n & 255];
const int32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const message = (code: string, body: number[]): number[] => [code.charCodeAt(0), ...int32(body.length + 4), ...body];
const cstring = (s: string): number[] => [...Buffer.from(s, 'latin1'), 0];

/** pgvector's send format of each row (uint16 dim, uint16 0, big-endian elements of `size` bytes). */
function sendFormat(row: number[], size: 2 | 4): number[] {
  return [...int16(row.length), 0, 0, ...row.flatMap((b) => (size === 4 ? int32(b) : int16(b)))];
}

/** The server's messages for a COPY of `rows` (bit patterns) and what follows it. */
function serverBytes(rows: number[][], size: 2 | 4): { all: Uint8Array; tail: Uint8Array } {
  const header = [...Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), ...int32(0), ...int32(0)];
  const out = message('H', [1, ...int16(1), ...int16(1)]);
  rows.forEach((row, i) => {
    const value = sendFormat(row, size);
    out.push(...message('d', [...(i === 0 ? header : []), ...int16(1), ...int32(value.length), ...value]));
    if (i === 1) out.push(...message('N', [0x53, ...cstring('NOTICE'), 0x4d, ...cstring('half-way'), 0]));
    if (i === 2) out.push(...message('S', [...cstring('TimeZone'), ...cstring('UTC')]));
  });
  out.push(...message('d', int16(-1)));
  const tail = [...message('c', []), ...message('C', cstring(`COPY ${rows.length}`)), ...message('Z', [0x49])];
  return { all: Uint8Array.from([...out, ...tail]), tail: Uint8Array.from(tail) };
}

/** The .npy rows from numpy's definition: each element's bits, little-endian, row after row. */
function npyRows(rows: number[][], size: 2 | 4): Buffer {
  const out = Buffer.alloc(rows.length * rows[0]!.length * size);
  rows.flat().forEach((b, i) => (size === 4 ? out.writeUInt32LE(b, 4 * i) : out.writeUInt16LE(b, 2 * i)));
  return out;
}

/** A socket as far as the reader uses it: 'data' events, pause and resume. */
class Socket extends EventEmitter {
  paused = false;
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    this.emit('resumed');
    return this;
  }
  destroy(): void {}
}

async function run(data: Uint8Array, cut: number, size: 2 | 4, dims: number, rows: number) {
  const socket = new Socket();
  const handedBack: number[] = [];
  // node-postgres's protocol parser: the one 'data' listener until the COPY takes the socket.
  socket.on('data', (chunk: Buffer) => handedBack.push(...chunk));
  const sent: string[] = [];
  const written: Buffer[] = [];
  // An output that takes its time, so that the reader's backpressure is exercised too.
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      written.push(Buffer.from(chunk));
      setImmediate(callback);
    },
  });
  const writer = new NpyRowWriter(size === 4 ? 'vector' : 'halfvec', dims, 'embedding', out);
  const copy = new PgCopyOut('COPY (SELECT embedding FROM t) TO STDOUT (FORMAT binary)', writer);
  expect(copy.submit({ stream: socket as never, query: (text) => sent.push(text) })).toBeUndefined();
  expect(sent).toEqual(['COPY (SELECT embedding FROM t) TO STDOUT (FORMAT binary)']);
  for (let p = 0; p < data.length; p += cut) {
    while (socket.paused) await new Promise((resolve) => socket.once('resumed', resolve));
    socket.emit('data', Buffer.from(data.subarray(p, p + cut)));
  }
  // What node-postgres does with the tail: CommandComplete, then ReadyForQuery.
  copy.handleCommandComplete({ text: `COPY ${rows}` });
  copy.handleReadyForQuery();
  await copy.done;
  expect(await writer.finish()).toBe(rows);
  return { npy: Buffer.concat(written), handedBack: Uint8Array.from(handedBack), listeners: socket.listeners('data') };
}

describe('PgCopyOut + NpyRowWriter', () => {
  for (const size of [4, 2] as const) {
    it(`${size === 4 ? 'vector' : 'halfvec'}: the same .npy rows and the same tail for chunks of every size`, async () => {
      const rand = seededRandom(size);
      const dims = 5;
      const rows = Array.from({ length: 4 }, () =>
        Array.from({ length: dims }, () => Math.floor(rand() * (size === 4 ? 2 ** 32 : 2 ** 16))),
      );
      const { all, tail } = serverBytes(rows, size);
      const expected = npyRows(rows, size);
      for (let cut = 1; cut <= all.length; cut++) {
        const result = await run(all, cut, size, dims, rows.length);
        expect(result.npy.equals(expected), `chunks of ${cut} bytes`).toBe(true);
        expect([...result.handedBack], `chunks of ${cut} bytes`).toEqual([...tail]);
        expect(result.listeners).toHaveLength(1);
      }
    });
  }

  it('a NULL vector fails the export with the row named, and the COPY is still read to its end', async () => {
    const { all, tail } = serverBytes([[1, 2, 3]], 4);
    // Make the row's field NULL: its length -1 and no bytes (the message lengths shrink accordingly).
    const rows = [[1, 2, 3]];
    const bytes = [...serverBytes(rows, 4).all];
    const first = bytes.indexOf(0x64); // the first CopyData
    const fieldAt = first + 5 + 19 + 2;
    const withNull = [
      ...bytes.slice(0, first + 1),
      ...int32(4 + 19 + 2 + 4),
      ...bytes.slice(first + 5, fieldAt),
      ...int32(-1),
      ...bytes.slice(fieldAt + 4 + 16),
    ];
    expect(all.length - withNull.length).toBe(16);
    for (const cut of [1, 7, withNull.length]) {
      const socket = new Socket();
      const handedBack: number[] = [];
      socket.on('data', (chunk: Buffer) => handedBack.push(...chunk));
      const out = new Writable({ write: (_c, _e, callback) => callback() });
      const writer = new NpyRowWriter('vector', 3, 'embedding', out);
      const copy = new PgCopyOut('COPY …', writer);
      copy.submit({ stream: socket as never, query: () => undefined });
      for (let p = 0; p < withNull.length; p += cut) socket.emit('data', Buffer.from(withNull.slice(p, p + cut)));
      copy.handleReadyForQuery();
      await expect(copy.done).rejects.toMatchObject({ code: 'UNSUPPORTED', message: /row 1 has a NULL embedding/ });
      expect(handedBack).toEqual([...tail]);
    }
  });
});
