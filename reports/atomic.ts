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
  writeFileAtomicPieces(file, (write) => write(data));
}

/** Bytes gathered before they go to the temporary file (a longer piece goes at once). */
const CHUNK_BYTES = 1 << 16;

/**
 * `writeFileAtomic` for text made in pieces: `produce` calls `write(piece)` in order, and each piece is
 * encoded straight into a 64 KB buffer that goes to the temporary file when full, so the whole text is
 * never one string in memory (a long run's report would be, with the strings of every nesting level
 * of it) and pieces leave no joined strings behind. Same rules: the file appears only when `produce`
 * returned and everything is on disk; if `produce` throws, the temporary file is removed and the
 * error rethrown.
 */
export function writeFileAtomicPieces(file: string, produce: (write: (piece: string) => void) => void): void {
  const dir = path.dirname(file);
  makeFolders(dir);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  let fd: number | undefined;
  pending.add(temp);
  try {
    const out = (fd = openSync(temp, 'wx', 0o644));
    const writeAll = (bytes: Uint8Array, end: number): void => {
      let off = 0;
      while (off < end) off += writeSync(out, bytes, off, end - off);
    };
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    produce((piece) => {
      // UTF-8 takes at most 3 bytes per UTF-16 unit
      if (3 * piece.length > CHUNK_BYTES - used) {
        writeAll(chunk, used);
        used = 0;
        if (3 * piece.length > CHUNK_BYTES) {
          const bytes = Buffer.from(piece, 'utf8');
          writeAll(bytes, bytes.length);
          return;
        }
      }
      used += chunk.write(piece, used, 'utf8');
    });
    writeAll(chunk, used);
    fsyncSync(out);
    closeSync(out);
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
