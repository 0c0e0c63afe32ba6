// `pdp capabilities`: what the built-in Rego engine supports, in OPA's capabilities JSON format
// (as `opa capabilities` prints it), or the status of every builtin on OPA's list as a table.
import { parseArgs } from 'node:util';
import { builtinStatus, builtinStatusMarkdown, capabilities } from '../../rego/capabilities.js';
import { CliError, type CliIO } from '../io.js';

export async function capabilitiesCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { format: { type: 'string', short: 'f', default: 'json' } }, strict: true });
  switch (values.format) {
    case 'json':
      io.out(`${JSON.stringify(capabilities(), null, 2)}\n`);
      return 0;
    case 'markdown':
      io.out(builtinStatusMarkdown());
      return 0;
    case 'status':
      for (const r of builtinStatus()) io.out(`${r.name}\t${r.status}${r.reason ? `\t${r.reason}` : ''}\n`);
      return 0;
    default:
      throw new CliError('usage', `--format must be json, status or markdown (got ${JSON.stringify(values.format)})`);
  }
}
