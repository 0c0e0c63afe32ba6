// `pdp fmt <path>...`: format Rego files in OPA's canonical layout, as `opa fmt` does (src/rego/format.ts).
// Without flags the formatted text is printed; -w rewrites the files, -l lists the files that
// would change, -d prints a unified diff, --fail exits 1 when any file would change.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { formatSource } from '../../rego/format.js';
import { isRegoError } from '../../rego/index.js';
import { describeThrown } from '../../shared/errors.js';
import { CliError, type CliIO } from '../io.js';

async function regoFiles(p: string, out: string[]): Promise<void> {
  const s = await stat(p).catch(() => {
    throw new CliError('load_error', `${p}: no such file or directory`);
  });
  if (s.isFile()) {
    out.push(p);
    return;
  }
  const entries = await readdir(p, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const child = path.join(p, e.name);
    if (e.isDirectory()) await regoFiles(child, out);
    else if (e.isFile() && e.name.endsWith('.rego')) out.push(child);
  }
}

export async function fmtCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      write: { type: 'boolean', short: 'w', default: false },
      list: { type: 'boolean', short: 'l', default: false },
      diff: { type: 'boolean', short: 'd', default: false },
      fail: { type: 'boolean', default: false },
      'v0-compatible': { type: 'boolean', default: false },
      'v0-v1': { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new CliError('usage', 'give at least one .rego file or directory');
  // How files are read, and written: as read (--v0-compatible keeps v0), or v0 → v1 with --v0-v1.
  const readVersion: 0 | 1 = values['v0-compatible'] || values['v0-v1'] ? 0 : 1;
  const outputVersion: 0 | 1 | undefined = values['v0-v1'] ? 1 : undefined;

  const files: string[] = [];
  for (const p of positionals) await regoFiles(path.resolve(io.cwd, p), files);
  let changed = 0;
  let errors = 0;
  for (const file of files) {
    const shown = path.relative(io.cwd, file) || file;
    const source = await readFile(file, 'utf8');
    let formatted: string;
    try {
      formatted = formatSource(shown, source, { regoVersion: readVersion, outputVersion });
    } catch (e) {
      if (!isRegoError(e)) throw e;
      io.err(`${describeThrown(e)}\n`);
      errors++;
      continue;
    }
    const differs = formatted !== source;
    if (differs) changed++;
    if (values.list) {
      if (differs) io.out(`${shown}\n`);
    } else if (values.diff) {
      if (differs) io.out(createTwoFilesPatch(`a/${shown}`, `b/${shown}`, source, formatted, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''));
    } else if (!values.write) {
      io.out(formatted);
    }
    if (values.write && differs) {
      try {
        await writeFile(file, formatted);
      } catch (e) {
        throw new CliError('io_error', `${shown}: ${describeThrown(e)}`);
      }
    }
  }
  if (errors > 0) return 2;
  return values.fail && changed > 0 ? 1 : 0;
}
