// Writes files into a gzipped tar (an OPA bundle). Entries are named like OPA names them
// (`/.manifest`, `/a/b/policy.rego`); the mtime is fixed so equal inputs give equal bytes.
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export async function writeTarGz(files: { name: string; body: Uint8Array }[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const drained = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  const mtime = new Date(0);
  for (const f of files) {
    await new Promise<void>((resolve, reject) => {
      p.entry({ name: f.name, size: f.body.byteLength, mode: 0o644, mtime, type: 'file' }, Buffer.from(f.body), (err) => (err ? reject(err) : resolve()));
    });
  }
  p.finalize();
  await drained;
  return gzipSync(Buffer.concat(chunks));
}
