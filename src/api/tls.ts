// TLS for the listener (server.tls): the certificate, key and client CA files read at start, and
// re-read while running when they change (cert-manager renews certificates in place; a Secret
// volume swaps the files), so a renewal needs no restart. Reading is bounded (secret-file.ts).
import { statSync } from 'node:fs';
import type { Server as HttpsServer, ServerOptions as HttpsOptions } from 'node:https';
import { readSecretFile } from '../config/secret-file.js';
import type { TlsConfig } from '../config/types.js';

export class TlsFileError extends Error {
  readonly code = 'TLS_FILE_INVALID';
}

interface TlsMaterial {
  cert: string;
  key: string;
  ca?: string;
}

function read(path: string, what: string): string {
  const text = readSecretFile(path);
  if (typeof text !== 'string') throw new TlsFileError(`server.tls.${what}: cannot read ${path}: ${text.problem}`);
  return text;
}

function material(tls: TlsConfig): TlsMaterial {
  return {
    cert: read(tls.cert_file ?? '', 'cert_file'),
    key: read(tls.key_file ?? '', 'key_file'),
    ...(tls.client_ca_file !== undefined ? { ca: read(tls.client_ca_file, 'client_ca_file') } : {}),
  };
}

/** Options for node:https (fastify's `https`). With a client CA, client certificates are
 * requested and verified against it; "require" also refuses the handshake without one. */
export function httpsOptions(tls: TlsConfig): HttpsOptions {
  const m = material(tls);
  const mtls = m.ca !== undefined;
  return {
    ...m,
    requestCert: mtls,
    rejectUnauthorized: mtls && (tls.client_auth ?? 'require') === 'require',
    // No TLS 1.0/1.1.
    minVersion: 'TLSv1.2',
  };
}

/** Checks the files' modification times every interval and swaps in a new secure context when
 * one changed. A file that cannot be read or parsed right now (half-written during a rotation)
 * keeps the current context and is retried at the next tick. Returns the stop function. */
export function watchTlsFiles(
  server: HttpsServer,
  tls: TlsConfig,
  intervalMs: number,
  onEvent: (e: { reloaded: boolean; error?: string }) => void,
): () => void {
  const files = [tls.cert_file, tls.key_file, tls.client_ca_file].filter((f): f is string => f !== undefined);
  const stamp = (): string =>
    files
      .map((f) => {
        try {
          const st = statSync(f);
          return `${st.mtimeMs}:${st.size}:${st.ino}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  let last = stamp();
  const timer = setInterval(() => {
    const now = stamp();
    if (now === last) return;
    try {
      const m = material(tls);
      server.setSecureContext({ cert: m.cert, key: m.key, ...(m.ca !== undefined ? { ca: m.ca } : {}), minVersion: 'TLSv1.2' });
      last = now;
      onEvent({ reloaded: true });
    } catch (err) {
      onEvent({ reloaded: false, error: err instanceof Error ? err.message : String(err) });
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
