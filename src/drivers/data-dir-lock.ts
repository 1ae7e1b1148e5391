/**
 * An exclusive lock on an embedded database directory. PGlite is not a server: two processes that
 * open the same data directory write the same files and corrupt it. vecpg takes `<dataDir>.lock`
 * (created with O_EXCL, holding the owner's pid, host, command and start time) before opening a
 * persistent PGlite, and removes it when the database is closed or the process exits. A lock whose
 * owner no longer runs (killed, crashed) is stale and is taken over.
 */
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { VecpgError } from '../errors.ts';

/** What the lock file says about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** A held lock; `release()` is idempotent. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** The lock file of an embedded database directory. */
export function lockPathOf(dataDir: string): string {
  return `${dataDir.replace(/[/\\]+$/, '')}.lock`;
}

/**
 * Take the lock of `dataDir` or throw `DATABASE_BUSY` naming the process that holds it.
 *
 * @example
 * const lock = acquireDataDirLock('/home/me/.cache/vecpg/default');
 * try { … } finally { lock.release(); }
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = lockPathOf(dataDir);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, me)) return held(path);
    const holder = readHolder(path);
    if (holder === undefined) continue; // vanished or half-written: try again
    if (!isStale(holder)) throw busy(dataDir, path, holder);
    removeStale(path, holder);
  }
  const holder = readHolder(path);
  throw busy(dataDir, path, holder ?? { pid: 0, host: '?', command: '?', since: '?' });
}

function tryCreate(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return {
        pid: parsed.pid,
        host: parsed.host,
        command: String(parsed.command ?? ''),
        since: String(parsed.since ?? ''),
      };
    }
  } catch {
    // fall through: an unreadable lock is treated as held by an unknown process
  }
  // Written by something else, or cut short by a crash between create and write: a lock we can't
  // attribute is stale only if it has no content at all.
  return text.trim() === ''
    ? { pid: -1, host: hostname(), command: '', since: '' }
    : { pid: 0, host: '?', command: text.slice(0, 80), since: '' };
}

/** A holder on this host whose pid no longer runs (or an empty lock file) is stale. */
function isStale(holder: LockHolder): boolean {
  if (holder.pid === -1) return true;
  if (holder.host !== hostname() || holder.pid <= 0) return false; // can't check another host's process
  if (holder.pid === process.pid) return false; // this very process holds it (a second open)
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Move a stale lock aside, then check it was the one we judged stale: if another process took the lock
 * over in between, put its lock back (rename is atomic, so at most one process removes a given file).
 */
function removeStale(path: string, holder: LockHolder): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readHolder(aside);
  if (moved !== undefined && (moved.pid !== holder.pid || moved.since !== holder.since)) {
    try {
      renameSync(aside, path);
    } catch {
      // nothing sensible left to do; the next attempt re-reads the lock
    }
    return;
  }
  try {
    unlinkSync(aside);
  } catch {
    // already gone
  }
}

function held(path: string): DataDirLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    try {
      const holder = readHolder(path);
      if (holder?.pid === process.pid) unlinkSync(path);
    } catch {
      // already removed
    }
  };
  process.once('exit', release);
  return { path, release };
}

function busy(dataDir: string, path: string, holder: LockHolder): VecpgError {
  const who =
    holder.pid > 0
      ? `process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}${holder.command ? ` (${holder.command})` : ''}${holder.since ? ` since ${holder.since}` : ''}`
      : `an unknown process (lock file content: ${JSON.stringify(holder.command)})`;
  const fix =
    holder.pid === process.pid
      ? 'this process already has it open: reuse that instance, or close it first'
      : `wait for it to finish or stop it; if no such process runs, delete ${path}; or use another database (VECPG_HOME=… or DATABASE_URL=…)`;
  return new VecpgError('DATABASE_BUSY', `the embedded database ${dataDir} is in use by ${who}: ${fix}`, {
    details: { dataDir, lockFile: path, holder },
  });
}
