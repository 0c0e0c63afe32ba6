// Options of the benchmarks that compare built checkouts (bench/http/ab.mjs, instructions.mjs):
// positional arguments are checkout directories; each `--name=value` takes the type of its
// default (a number, a string, or a JSON object such as --env); a boolean default `true` is
// turned off with `--no-<name>`. Parsed by node's util.parseArgs (unknown options throw).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const kebab = (s) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** @param {string[]} argv @param {Record<string, number | string | boolean | object>} defaults */
export function checkoutArgs(argv, defaults) {
  const options = {};
  for (const [key, d] of Object.entries(defaults)) {
    if (typeof d === 'boolean') options[`no-${kebab(key)}`] = { type: 'boolean' };
    else options[kebab(key)] = { type: 'string' };
  }
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const opts = { ...defaults, dirs: positionals.map((p) => resolve(p)) };
  for (const [name, v] of Object.entries(values)) {
    if (name.startsWith('no-')) opts[camel(name.slice(3))] = false;
    else {
      const key = camel(name);
      const d = defaults[key];
      opts[key] = typeof d === 'number' ? Number(v) : typeof d === 'string' ? v : JSON.parse(v);
    }
  }
  return opts;
}
