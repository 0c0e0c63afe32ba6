// Files shipped with the package (schemas/, policies/) are found relative to the package root,
// not the cwd, so `npm start` from any directory and the compiled dist/ both find them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'ai-governance-pdp';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
        if (typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // An unreadable package.json above us is not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${start}`);
    dir = parent;
  }
}

export const packageRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));
export const schemasDir: string = join(packageRoot, 'schemas');
export const defaultPoliciesDir: string = join(packageRoot, 'policies');

export const packageVersion: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
})();
