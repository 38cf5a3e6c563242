import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIO } from '../../../engine/cli/cli.js';

/** `-` in the CLI: standard input (CliIO.stdin) read once, in chunks, bounded by --max-file-size. */
const text = (name: string) => readFileSync(path.join('test/fixtures/stdin', name), 'utf8');

describe('the CLI reads standard input once, bounded, only when - is given', () => {
  const io = (stdin?: AsyncIterable<unknown>) => {
    const out = { stdout: '', stderr: '' };
    const cli: CliIO = { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, env: {}, cwd: process.cwd(), stdin };
    return { cli, out };
  };
  let reads = 0;
  async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
    reads++;
    for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size));
  }

  it('validate - reads the stream in chunks, once', async () => {
    reads = 0;
    const { cli, out } = io(chunks(text('helm-template.yaml'), 100));
    expect(await runCli(['node', 'kubesim', 'validate', '-', '-'], cli)).toBe(0);
    expect(out.stdout).toBe('1 scenario valid\n');
    expect(reads).toBe(1);
  });

  it('past --max-file-size across chunks: exit 2 at once, naming the limit', async () => {
    const { cli, out } = io(chunks(text('helm-template.yaml'), 100));
    expect(await runCli(['node', 'kubesim', 'validate', '-', '--max-file-size', '2Ki'], cli)).toBe(2);
    expect(out.stderr).toBe('kubesim: <stdin>: standard input is larger than the limit of 2Ki (raise it with --max-file-size)\n');
  });

  it('files only: standard input is not touched', async () => {
    const untouched = { [Symbol.asyncIterator]: () => { throw new Error('read'); } };
    const { cli } = io(untouched);
    expect(await runCli(['node', 'kubesim', 'validate', 'test/fixtures/scenario/web.yaml'], cli)).toBe(0);
  });

  it('- without a standard input is a usage error', async () => {
    const { cli, out } = io(undefined);
    expect(await runCli(['node', 'kubesim', 'validate', '-'], cli)).toBe(2);
    expect(out.stderr).toBe('kubesim: - names standard input, which this process does not have\n');
  });
});
