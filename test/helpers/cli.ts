// Runs the `pdp` command in-process (src/cli/main.ts) with captured output.
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

export async function runCli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (s) => void (out += s), err: (s) => void (err += s), cwd };
  const code = await main(argv, io);
  return { code, out, err };
}
