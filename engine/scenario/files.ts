import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * Reading the files a scenario names, as untrusted input (issue 10): a scenario file from a pull
 * request must not make kubesim read the process environment, block on a FIFO or fill memory from
 * /dev/zero.
 *
 * - Files named by a scenario (`spec.manifests`, `replay.file`) resolve inside the folder of the
 *   scenario file (after following symbolic links); leaving it needs `--allow-outside`. Files named on
 *   the command line are the user's own choice and may be anywhere.
 * - Only regular files are read (no devices, FIFOs or sockets): the file is opened without blocking and
 *   checked on the open descriptor, so a FIFO never blocks.
 * - At most `maxFileSize` bytes are read (default DEFAULT_MAX_FILE_SIZE, `--max-file-size`): a larger
 *   file is an error, whatever its size claims to be (files in /proc claim 0).
 * - `-` on the command line is standard input, read once by the CLI (`readStream`, bounded the same
 *   way) and handed to the loader as `FileOptions.stdin`. Its diagnostics name it `<stdin>`; the files
 *   a Scenario document read from it names resolve against the current folder, which is then "its
 *   folder" for the rule above.
 */

/** The command-line argument for standard input, as kubectl's `-f -`. */
export const STDIN_ARG = '-';
/** How standard input is named in diagnostics and reports. */
export const STDIN_NAME = '<stdin>';

/** Default most bytes of one input file: 4 MiB (`--max-file-size` raises it). */
export const DEFAULT_MAX_FILE_SIZE = 4 * 1024 * 1024;

export interface FileOptions {
  /** Files named by a scenario may lie outside its folder (`--allow-outside`). */
  allowOutside?: boolean | undefined;
  /** Most bytes of one input file (`--max-file-size`). */
  maxFileSize?: number | undefined;
  /** The text of standard input, when `-` is one of the inputs (read once, by the caller). */
  stdin?: string | undefined;
}

export class InputFileError extends Error {
  override name = 'InputFileError';
}

/** `1024`, `512k`, `8M`, `8Mi`, `1G`: a byte size for --max-file-size (binary multiples). */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([kKmMgG]i?[bB]?|[bB])?\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = (m[2] ?? '').toLowerCase().replace(/i?b$/, '').replace(/i$/, '');
  const mult = unit === '' ? 1 : unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : NaN;
  const n = Number(m[1]) * mult;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export function formatByteSize(n: number): string {
  if (n % 1024 ** 3 === 0) return `${n / 1024 ** 3}Gi`;
  if (n % 1024 ** 2 === 0) return `${n / 1024 ** 2}Mi`;
  if (n % 1024 === 0) return `${n / 1024}Ki`;
  return `${n} bytes`;
}

/**
 * The text of a regular file of at most `maxFileSize` bytes (UTF-8). Throws InputFileError with a
 * message that names the reason, never the contents.
 */
export function readInputFile(file: string, options: FileOptions = {}): string {
  const max = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new InputFileError(`cannot read file: ${errnoReason(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError('cannot read file: is a directory');
    if (!st.isFile()) throw new InputFileError(`cannot read file: not a regular file (${kindOf(st)}); only regular files are read`);
    if (st.size > max) throw new InputFileError(`file is ${st.size} bytes, larger than the limit of ${formatByteSize(max)} (raise it with --max-file-size)`);
    // Read at most max + 1 bytes whatever the size claims (files in /proc report 0).
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(64 * 1024, max + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw new InputFileError(`cannot read file: ${errnoReason(e)}`);
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > max) throw new InputFileError(`file is larger than the limit of ${formatByteSize(max)} (raise it with --max-file-size)`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * All of a stream (standard input) as UTF-8 text, at most `maxFileSize` bytes: a longer stream is an
 * InputFileError as soon as the limit is passed (the rest is not read).
 */
export async function readStream(stream: AsyncIterable<unknown>, options: FileOptions = {}): Promise<string> {
  const max = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
      chunks.push(buf);
      total += buf.length;
      if (total > max) throw new InputFileError(`standard input is larger than the limit of ${formatByteSize(max)} (raise it with --max-file-size)`);
    }
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(`cannot read standard input: ${errnoReason(e)}`);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function kindOf(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  return st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a file';
}

function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file or directory'
    : code === 'EISDIR'
      ? 'is a directory'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ELOOP'
          ? 'too many symbolic links'
          : code === 'ENXIO'
            ? 'not a regular file (no such device or address)'
            : 'cannot read the file';
}

/**
 * Why `target` (named by the scenario file `from`) may not be read, or undefined when it may: it
 * must resolve (symbolic links followed) inside the folder of `from`, unless allowOutside.
 */
export function outsideReason(from: string, target: string, options: FileOptions): string | undefined {
  if (options.allowOutside === true) return undefined;
  let root: string;
  let real: string;
  try {
    root = realpathSync(path.dirname(from));
  } catch {
    root = path.resolve(path.dirname(from));
  }
  try {
    real = realpathSync(target);
  } catch {
    real = path.resolve(target); // missing: the caller reports it
  }
  const rel = path.relative(root, real);
  if (rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))) return undefined;
  if (from === STDIN_NAME) {
    return 'is outside the current folder; a scenario read from standard input may read only files in the current folder (pass --allow-outside to permit it)';
  }
  return `is outside the folder of the scenario file (${path.relative(process.cwd(), root) || '.'}); a scenario may read only files in its own folder (pass --allow-outside to permit it)`;
}
