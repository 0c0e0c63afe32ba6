// Test support: a real OCI registry (the CNCF distribution registry, Debian's `docker-registry`
// package) on 127.0.0.1 with an ephemeral port, and a push done with plain HTTP calls as the
// distribution spec describes (blob upload, then the image manifest).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** The registry binary, or null when it is not installed (`apt-get install docker-registry`). */
export function registryBinary(): string | null {
  for (const name of ['docker-registry', 'registry']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

export interface Registry {
  url: string;
  stop(): Promise<void>;
}

export async function startRegistry(binary: string): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'pdp-oci-'));
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:0\n  secret: test-only\n`,
  );
  const child = spawn(binary, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`registry did not start:\n${log}`)), 15_000);
    const onData = (b: Buffer): void => {
      log += b.toString();
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`registry exited (${code}):\n${log}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function pushBlob(registry: string, repo: string, bytes: Uint8Array): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const start = await fetch(`${registry}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await start.body?.cancel();
  if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', registry);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream' } });
  await put.body?.cancel();
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
  return { digest, size: bytes.byteLength };
}

/** Pushes an image whose layers are the given blobs; returns the manifest digest. */
export async function pushImage(registry: string, repo: string, tag: string, layers: { mediaType: string; bytes: Uint8Array }[]): Promise<string> {
  const config = await pushBlob(registry, repo, new TextEncoder().encode('{}'));
  const pushed = [];
  for (const l of layers) pushed.push({ mediaType: l.mediaType, ...(await pushBlob(registry, repo, l.bytes)) });
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...config }, layers: pushed });
  const res = await fetch(`${registry}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'content-type': OCI_MANIFEST } });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`manifest push: HTTP ${res.status} ${text}`);
  return sha256(new TextEncoder().encode(manifest));
}
