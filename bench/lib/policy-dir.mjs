// The repo's policies/ read for the engine benchmarks as the bundle loader reads a directory.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Modules and base data as the bundle loader builds them: data.json mounted at its directory. */
export function loadBundle(dir) {
  const modules = [];
  const data = {};
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.rego')) modules.push({ file: `policies/${relative(dir, p)}`, source: readFileSync(p, 'utf8'), regoVersion: 1 });
      else if (name === 'data.json') {
        const segs = relative(dir, d).split('/');
        let node = data;
        for (const s of segs.slice(0, -1)) node = node[s] ??= {};
        node[segs[segs.length - 1]] = JSON.parse(readFileSync(p, 'utf8'));
      }
    }
  };
  walk(dir);
  return { modules, data };
}
