/**
 * Writing values through the server's *binary input* (each type's receive function: `vector_recv`,
 * `halfvec_recv`, `sparsevec_recv`, `varbit_recv`), independently of src/io:
 * - on the server, a Buffer parameter, which node-postgres binds in binary format (format code 1);
 * - on PGlite, which binds every parameter as text, a binary `COPY … FROM '/dev/blob'` whose framing
 *   (PGCOPY signature, per-tuple field count, per-field length) is written out here by hand.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { TestDb } from '../support/db.ts';

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

/** A binary COPY stream of `(id int4, value <bytes>)` tuples. */
export function copyBinary(rows: ReadonlyArray<readonly [number, Uint8Array]>): Uint8Array {
  let size = SIGNATURE.length + 8 + 2;
  for (const [, bytes] of rows) size += 2 + 4 + 4 + 4 + bytes.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(SIGNATURE, 0);
  let at = SIGNATURE.length + 8; // flags and header extension length: zero
  for (const [id, bytes] of rows) {
    view.setInt16(at, 2);
    view.setInt32(at + 2, 4);
    view.setInt32(at + 6, id);
    view.setInt32(at + 10, bytes.length);
    out.set(bytes, at + 14);
    at += 14 + bytes.length;
  }
  view.setInt16(at, -1);
  return out;
}

/**
 * Insert `(id, value)` rows into `table (id, v)` through the binary input of `sqlType`
 * (`vector`, `halfvec`, `sparsevec`, `varbit`).
 */
export async function insertBinary(
  db: TestDb,
  table: string,
  sqlType: string,
  rows: ReadonlyArray<readonly [number, Uint8Array]>,
): Promise<void> {
  if (db.target === 'server') {
    for (const [id, bytes] of rows) {
      await db.query(`INSERT INTO ${table} (id, v) VALUES ($1, $2::${sqlType})`, [id, Buffer.from(bytes)]);
    }
    return;
  }
  const pglite = db.raw as PGlite;
  await pglite.query(`COPY ${table} (id, v) FROM '/dev/blob' WITH (FORMAT binary)`, [], {
    blob: new Blob([copyBinary(rows)]),
  });
}
