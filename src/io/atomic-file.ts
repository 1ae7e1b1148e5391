/**
 * Write a file so that readers only ever see the old content or the whole new one: the data goes to a
 * temporary file in the same directory, which is synced and renamed over the target on success and
 * removed on failure (also when the process exits half-way). An existing target is replaced only
 * when `overwrite` is set. While it is written, what has been written so far is synced in the background
 * every few megabytes, so that the sync before the rename waits only for the last of it.
 */
import { createWriteStream, fdatasync, unlinkSync } from 'node:fs';
import { once } from 'node:events';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VecpgError } from '../errors.ts';

/** Written bytes not yet synced that start a background sync. */
const BACKGROUND_SYNC_BYTES = 8 << 20;

export interface AtomicFile {
  /** Where the bytes go until `commit()`. */
  readonly stream: NodeJS.WritableStream;
  /** Flush, write `patch` over the bytes at its position (if given), sync and move the file into place. */
  commit(patch?: { readonly position: number; readonly bytes: Uint8Array }): Promise<void>;
  /** Remove the temporary file (after a failure). Idempotent. */
  abort(): Promise<void>;
}

/** `FILE_EXISTS` unless `overwrite`: checked before any work is done, and again at the rename. */
export async function refuseExisting(path: string, overwrite: boolean): Promise<void> {
  if (overwrite) return;
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists) throw fileExists(path);
}

function fileExists(path: string): VecpgError {
  return new VecpgError('FILE_EXISTS', `${path} already exists: pass overwrite: true to replace it (vecpg: --force)`, {
    details: { path },
  });
}

/**
 * Open a temporary file beside `path`.
 *
 * @example
 * const file = await openAtomicFile('out.jsonl', { overwrite: false });
 * try { file.stream.write('…'); await file.commit(); } catch (e) { await file.abort(); throw e; }
 */
export async function openAtomicFile(path: string, options: { overwrite: boolean }): Promise<AtomicFile> {
  await refuseExisting(path, options.overwrite);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const stream = createWriteStream(tmp, { flags: 'wx' });
  await once(stream, 'open');
  let done = false;
  const onExit = (): void => {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  // The disk writes the data while more is being produced, instead of all of it at the end (~0.1 s per
  // 130 MB here). A sync failing now fails the commit; the final sync is the one that counts.
  let synced = 0;
  let syncing: Promise<void> | undefined;
  let syncError: Error | undefined;
  const fd = (stream as unknown as { fd: number }).fd;
  const background = setInterval(() => {
    const written = stream.bytesWritten;
    if (syncing !== undefined || written - synced < BACKGROUND_SYNC_BYTES) return;
    syncing = new Promise<void>((resolve) =>
      fdatasync(fd, (error) => {
        if (error) syncError ??= error;
        synced = written;
        syncing = undefined;
        resolve();
      }),
    );
  }, 20);
  background.unref();
  const closeStream = async (patch?: { readonly position: number; readonly bytes: Uint8Array }): Promise<void> => {
    clearInterval(background);
    // The descriptor is closed below: no sync may still be using it.
    await syncing;
    if (syncError !== undefined) throw syncError;
    const closed = once(stream, 'close');
    stream.end();
    await closed;
    // The bytes reach the disk before the name does (a crash then leaves the old file, not an empty one).
    const handle = await open(tmp, 'r+');
    try {
      if (patch !== undefined) await handle.write(patch.bytes, 0, patch.bytes.length, patch.position);
      await handle.sync();
    } finally {
      await handle.close();
    }
  };
  const finish = (): void => {
    done = true;
    process.removeListener('exit', onExit);
  };
  const abort = async (): Promise<void> => {
    if (done) return;
    finish();
    clearInterval(background);
    await syncing;
    if (!stream.closed) {
      const closed = once(stream, 'close').catch(() => undefined);
      stream.destroy();
      await closed;
    }
    await unlink(tmp).catch(() => undefined);
  };
  return {
    stream,
    async commit(patch) {
      if (done) return;
      try {
        await closeStream(patch);
        if (options.overwrite) {
          await rename(tmp, path);
        } else {
          // link() fails with EEXIST if the target appeared while we worked: never clobber it.
          try {
            await link(tmp, path);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw fileExists(path);
            throw error;
          }
          await unlink(tmp);
        }
      } catch (error) {
        await abort();
        throw error;
      }
      finish();
    },
    abort,
  };
}
