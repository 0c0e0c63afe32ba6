// `pdp auth new-key`: make an API key for a caller and the entry that configures it. The key is
// printed once and stored nowhere; the entry holds only its sha256 (see src/auth/api-keys.ts for
// why a plain sha256 suffices). With --add-to the entry is appended to a JSON key file (the one
// PDP_AUTH_API_KEYS_FILE names, e.g. mounted from a Kubernetes Secret).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { newApiKey, sha256Hex } from '../../auth/api-keys.js';
import { invalidScope } from '../../auth/scopes.js';
import type { ApiKeyConfig } from '../../config/types.js';
import { CliError, type CliIO } from '../io.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@:/-]*$/;

export async function authCommand(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'new-key') throw new CliError('usage', `unknown subcommand ${JSON.stringify(sub ?? '')}; use: pdp auth new-key --name NAME --scopes S1,S2`);
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      scopes: { type: 'string', default: '' },
      'add-to': { type: 'string' },
      format: { type: 'string', short: 'f', default: 'text' },
    },
    strict: true,
  });
  const name = values.name ?? '';
  if (!NAME.test(name) || name.length > 128)
    throw new CliError('usage', '--name is required: letters, digits and ._@:/- (at most 128), e.g. --name release-pipeline');
  const scopes = values.scopes
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of scopes) {
    const bad = invalidScope(s);
    if (bad) throw new CliError('usage', `--scopes: ${bad}`);
  }
  if (values.format !== 'text' && values.format !== 'json') throw new CliError('usage', `--format must be text or json (got ${JSON.stringify(values.format)})`);

  const key = newApiKey();
  const entry: ApiKeyConfig = { name, sha256: sha256Hex(key), scopes };
  const file = values['add-to'] !== undefined ? resolve(io.cwd, values['add-to']) : undefined;
  if (file) addTo(file, entry);

  if (values.format === 'json') {
    io.out(`${JSON.stringify({ key, entry })}\n`);
  } else {
    io.out(`${key}\n`);
    io.err(
      `pdp auth new-key: the line above is the API key for ${JSON.stringify(name)}: give it to the caller now (Authorization: Bearer <key>); it is not stored anywhere.\n` +
        (file
          ? `Its entry (the key's sha256 and scopes) was added to ${file}.\n`
          : `Add this entry to auth.api_keys (or the JSON list in PDP_AUTH_API_KEYS_FILE):\n${JSON.stringify(entry)}\n`),
    );
  }
  return 0;
}

/** Appends to the JSON list in `file` (created if missing), written to a temporary file and
 * renamed, owner-only. Refuses a second key of the same name. */
function addTo(file: string, entry: ApiKeyConfig): void {
  let list: unknown = [];
  if (existsSync(file)) {
    try {
      const text = readFileSync(file, 'utf8');
      list = text.trim() === '' ? [] : JSON.parse(text);
    } catch (e) {
      throw new CliError('io_error', `--add-to ${file}: not a JSON list of keys (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (!Array.isArray(list)) throw new CliError('io_error', `--add-to ${file}: not a JSON list of keys`);
  if (list.some((e: unknown) => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === entry.name)) {
    throw new CliError('usage', `--add-to ${file}: a key named ${JSON.stringify(entry.name)} is already there (remove it first to rotate)`);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify([...list, entry], null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
