// Where the CLI writes. Commands take an io so tests can run them in-process and capture output.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Working directory relative paths are resolved against. */
  cwd: string;
  /** Reads all of standard input (`pdp eval -I`); absent when there is none. */
  readStdin?: () => Promise<string>;
}

export function processIO(): CliIO {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

export type CliErrorCode = 'usage' | 'load_error' | 'compile_error' | 'eval_error' | 'unavailable' | 'io_error';

/** A typed CLI failure: printed as `pdp <command>: <message>` and turned into an exit code. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: number;
  constructor(code: CliErrorCode, message: string, exitCode = code === 'usage' ? 2 : 1) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}
