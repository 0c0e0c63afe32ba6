// Keeps a copy of each bundle's last good version on disk, so a restart while the bundle server
// is down still serves the last policy instead of nothing. The copy is verified again on load.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface PersistedMeta {
  revision: string;
  digest: string;
  etag?: string;
  saved_at: string;
}

function dirFor(root: string, name: string): string {
  // Bundle names may contain "/" (OPA allows it); one flat, reversible directory name per bundle.
  return join(root, encodeURIComponent(name));
}

export async function persistBundle(root: string, name: string, tarball: Uint8Array, meta: PersistedMeta): Promise<void> {
  const dir = dirFor(root, name);
  await mkdir(dir, { recursive: true });
  // Write-then-rename: a crash mid-write leaves the previous copy intact, never half a bundle.
  const tmp = join(dir, `.bundle.tar.gz.${process.pid}.tmp`);
  await writeFile(tmp, tarball);
  await rename(tmp, join(dir, 'bundle.tar.gz'));
  const metaTmp = join(dir, `.meta.json.${process.pid}.tmp`);
  await writeFile(metaTmp, JSON.stringify(meta, null, 2));
  await rename(metaTmp, join(dir, 'meta.json'));
}

/** null when nothing was persisted for this bundle. */
export async function loadPersisted(root: string, name: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(join(dirFor(root, name), 'bundle.tar.gz')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
