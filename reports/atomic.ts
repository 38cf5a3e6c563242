import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

let counter = 0;
/** Temporary files being written right now (removed by `removePendingTemps` when a signal stops the process). */
const pending = new Set<string>();

/** Removes the temporary files of writes still in progress (a signal handler calls it before exiting). */
export function removePendingTemps(): void {
  for (const temp of pending) rmSync(temp, { force: true });
  pending.clear();
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync loops forever on a path it can never
 * create, such as one under /proc (ENOENT from a parent that exists). A folder another process (a
 * parallel shard) made meanwhile is fine.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  while (!pathExists(d)) {
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(m).isDirectory()) throw e;
    }
  }
}

/** Whether something (a file, a folder, the target of a symbolic link) is at p. */
export function pathExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `data` to `file` atomically: the bytes go to a temporary file in the same folder (so the
 * rename cannot cross file systems), are flushed to disk, and the temporary file is renamed over
 * `file`. Readers see the old file or the new one, never a partly written one. On any failure the
 * temporary file is removed and the error rethrown. The folder is created when missing.
 */
export function writeFileAtomic(file: string, data: string): void {
  const dir = path.dirname(file);
  makeFolders(dir);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  let fd: number | undefined;
  pending.add(temp);
  try {
    fd = openSync(temp, 'wx', 0o644);
    const bytes = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error matters
      }
    }
    rmSync(temp, { force: true });
    throw e;
  } finally {
    pending.delete(temp);
  }
}
