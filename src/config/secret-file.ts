// Reading a secret, key or certificate file named by a setting: bounded, so a path to a device
// (/dev/zero), a directory or a huge file is a clear start-up error, never a hang or an exhausted
// heap. Used by the loader (PDP_*_FILE, key files) and by what reads key material at start (TLS).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { describeThrown } from '../shared/errors.js';

/** Largest secret/key file accepted. Certificates, CA bundles and key lists fit easily. */
export const MAX_SECRET_FILE_BYTES = 1024 * 1024;

/** The file's text, or why it cannot be had (an errno code such as ENOENT, or a sentence). */
export function readSecretFile(path: string): string | { problem: string } {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (!st.isFile()) return { problem: 'not a regular file' };
    if (st.size > MAX_SECRET_FILE_BYTES) return { problem: `larger than ${MAX_SECRET_FILE_BYTES} bytes` };
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    return buf.toString('utf8', 0, n);
  } catch (err) {
    return { problem: (err as NodeJS.ErrnoException).code ?? describeThrown(err) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
