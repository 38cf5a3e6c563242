import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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
 * Writes `data` to `file` atomically: the bytes go to a temporary file in the same folder (so the
 * rename cannot cross file systems), are flushed to disk, and the temporary file is renamed over
 * `file`. Readers see the old file or the new one, never a partly written one. On any failure the
 * temporary file is removed and the error rethrown. The folder is created when missing.
 */
export function writeFileAtomic(file: string, data: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
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
