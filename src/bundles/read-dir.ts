// Reads a bundle laid out as a directory into a path → bytes map, under the same limits as a tarball.
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { BundleError } from './errors.js';
import { describeThrown } from '../shared/errors.js';
import type { BundleLimits } from './limits.js';

/**
 * `atomic`: the directory is a ConfigMap-style volume read through one resolution of its `..data`
 * link, so the files are one consistent version.
 *
 * Symbolic links are followed only when they resolve inside the bundle directory: a Kubernetes
 * ConfigMap volume is made of such links, while a link to /etc is a way out of the bundle.
 * Names starting with ".." (the ConfigMap writer's `..data` and timestamped directories) are
 * skipped, because the visible links already point into them and reading both would load every
 * module twice.
 */
export async function readDirectory(dir: string, limits: BundleLimits): Promise<{ files: Map<string, Uint8Array>; atomic: boolean }> {
  let root: string;
  let atomic = false;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
    // A ConfigMap/Secret volume: the visible names link into `..data`, itself a link swapped
    // atomically to a new timestamped directory on each update. Reading through one resolution
    // of `..data` sees one version, never a mix of two.
    const data = join(root, '..data');
    if (
      await lstat(data).then(
        (s) => s.isSymbolicLink(),
        () => false,
      )
    ) {
      const target = await realpath(data);
      if (!isInside(root, target)) throw new Error('..data points outside the directory');
      root = target;
      atomic = true;
    }
  } catch (e) {
    throw new BundleError('BUNDLE_FETCH_FAILED', `cannot read bundle directory ${dir}: ${describeThrown(e)}`, { cause: e });
  }
  const files = new Map<string, Uint8Array>();
  const budget = { entries: 0, bytes: 0 };
  const visited = new Set<string>([root]);

  const walk = async (abs: string, rel: string): Promise<void> => {
    const names = (await readdir(abs)).sort();
    for (const name of names) {
      if (name.startsWith('..')) continue;
      budget.entries++;
      if (budget.entries > limits.maxFiles) {
        throw new BundleError('BUNDLE_TOO_MANY_FILES', `bundle directory has more than ${limits.maxFiles} entries`);
      }
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      let real = childAbs;
      if ((await lstat(childAbs)).isSymbolicLink()) {
        real = await realpath(childAbs).catch(() => {
          throw new BundleError('BUNDLE_PATH_TRAVERSAL', `dangling symbolic link ${childRel}`);
        });
        if (!isInside(root, real)) {
          throw new BundleError('BUNDLE_PATH_TRAVERSAL', `symbolic link ${childRel} points outside the bundle`);
        }
      }
      const st = await stat(real);
      if (st.isDirectory()) {
        if (visited.has(real)) continue; // a link cycle, or a second way into the same directory
        visited.add(real);
        await walk(real, childRel);
      } else if (st.isFile()) {
        budget.bytes += st.size;
        if (budget.bytes > limits.maxUncompressedBytes) {
          throw new BundleError('BUNDLE_TOO_LARGE', `bundle directory holds more than ${limits.maxUncompressedBytes} bytes`);
        }
        files.set(childRel, new Uint8Array(await readFile(real)));
      } else {
        throw new BundleError('BUNDLE_UNSUPPORTED_ENTRY', `${childRel} is neither a file nor a directory`);
      }
    }
  };
  try {
    await walk(root, '');
  } catch (e) {
    if (e instanceof BundleError) throw e;
    // A file vanishing mid-walk (an editor saving) is an ordinary read failure; the watcher retries.
    throw new BundleError('BUNDLE_FETCH_FAILED', `cannot read bundle directory ${dir}: ${describeThrown(e)}`, { cause: e });
  }
  return { files, atomic };
}

function isInside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !r.startsWith(sep));
}
