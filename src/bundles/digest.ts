// The identity of a bundle's content: the same files give the same digest however they were
// packed (tar order, mtimes) or read (a directory, a tarball).
import { createHash } from 'node:crypto';

/** sha256 over every file's path, length and bytes, in path order. */
export function digestFiles(files: ReadonlyMap<string, Uint8Array>): string {
  const h = createHash('sha256');
  for (const path of [...files.keys()].sort()) {
    const bytes = files.get(path) as Uint8Array;
    h.update(`${path}\0${bytes.byteLength}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}
