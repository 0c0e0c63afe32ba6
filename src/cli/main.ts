// The `pdp` command: parse the subcommand and hand over. bin/pdp.js calls main().
import { authCommand } from './commands/auth.js';
import { benchCommand } from './commands/bench.js';
import { bundleCommand } from './commands/bundle.js';
import { capabilitiesCommand } from './commands/capabilities.js';
import { checkCommand } from './commands/check.js';
import { configCommand } from './commands/config.js';
import { conformanceCommand } from './commands/conformance.js';
import { evalCommand } from './commands/eval.js';
import { fmtCommand } from './commands/fmt.js';
import { inspectCommand } from './commands/inspect.js';
import { gateCommand } from './commands/gate.js';
import { serveCommand } from './commands/serve.js';
import { testCommand } from './commands/test.js';
import { HELP } from './help.js';
import { CliError, processIO, type CliIO } from './io.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  config: configCommand,
  test: testCommand,
  check: checkCommand,
  eval: evalCommand,
  fmt: fmtCommand,
  bench: benchCommand,
  inspect: inspectCommand,
  bundle: bundleCommand,
  conformance: conformanceCommand,
  capabilities: capabilitiesCommand,
  auth: authCommand,
  gate: gateCommand,
};

const wantsHelp = (argv: string[]): boolean => argv.includes('--help') || argv.includes('-h');

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.out(HELP['']);
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    io.out(HELP[rest[0] ?? ''] ?? HELP['']);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`pdp: unknown command ${JSON.stringify(name)}\n\n${HELP['']}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    io.out(HELP[name]);
    return 0;
  }
  try {
    return await cmd(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`pdp ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    // parseArgs reports unknown/malformed options as TypeErrors with an ERR_PARSE_ARGS_* code.
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`pdp ${name}: ${(e as Error).message}\n(see pdp ${name} --help)\n`);
      return 2;
    }
    throw e;
  }
}
