// Writes a path → bytes map as a gzipped tar bundle (used to persist directory bundles).
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export async function packTarball(files: ReadonlyMap<string, Uint8Array>): Promise<Uint8Array> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  // Fixed mtime so the same files always give the same bytes.
  const mtime = new Date(0);
  for (const [name, body] of [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    await new Promise<void>((resolve, reject) => {
      p.entry({ name, size: body.byteLength, mode: 0o644, mtime, type: 'file' }, body, (err) => (err ? reject(err) : resolve()));
    });
  }
  p.finalize();
  await collected;
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}
