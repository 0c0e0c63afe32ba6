// How this service's outgoing HTTP requests (bundle downloads, decision-log uploads) present
// themselves: TLS towards the server (a CA to trust instead of the system's, a client certificate
// for mTLS) and a token read from a file for every request, so a rotated token is used without a
// restart (OPA's credentials.bearer.token_path). Files are read once here (TLS) or per request
// (the token), bounded like every key file.
import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher } from 'undici';
import { readSecretFile } from '../config/secret-file.js';

export interface HttpClientSettings {
  tls?: { ca_file?: string; cert_file?: string; key_file?: string };
  /** Token file, read for every request. */
  token_file?: string;
  /** Default "Bearer". */
  token_scheme?: string;
}

export interface HttpClientOptions {
  /** For fetch's `dispatcher`: connections with the configured TLS. */
  dispatcher?: Dispatcher;
  /** Headers computed for each request (the token from its file). Throws when it cannot be read. */
  requestHeaders?: () => Record<string, string>;
  /** Closes the dispatcher's connections. */
  close(): Promise<void>;
}

export class HttpClientError extends Error {
  readonly code = 'HTTP_CLIENT_CREDENTIALS';
  constructor(message: string) {
    super(message);
    this.name = 'HttpClientError';
  }
}

/** undefined when nothing is configured (plain fetch). */
export function httpClientOptions(s: HttpClientSettings): HttpClientOptions | undefined {
  const tls = s.tls;
  const hasTls = tls !== undefined && (tls.ca_file !== undefined || tls.cert_file !== undefined);
  if (!hasTls && s.token_file === undefined) return undefined;
  const dispatcher = hasTls
    ? new Agent({
        connect: {
          ...(tls.ca_file !== undefined ? { ca: readFileSync(tls.ca_file, 'utf8') } : {}),
          ...(tls.cert_file !== undefined ? { cert: readFileSync(tls.cert_file, 'utf8') } : {}),
          ...(tls.key_file !== undefined ? { key: readFileSync(tls.key_file, 'utf8') } : {}),
        },
      })
    : undefined;
  const tokenFile = s.token_file;
  const scheme = s.token_scheme ?? 'Bearer';
  return {
    ...(dispatcher ? { dispatcher } : {}),
    ...(tokenFile !== undefined
      ? {
          requestHeaders: () => {
            const read = readSecretFile(tokenFile);
            if (typeof read !== 'string') throw new HttpClientError(`cannot read the token file ${tokenFile}: ${read.problem}`);
            const token = read.trim();
            if (token === '') throw new HttpClientError(`the token file ${tokenFile} is empty`);
            // A token is one header value: a newline in it would be a header injection.
            if (/[\r\n]/.test(token)) throw new HttpClientError(`the token file ${tokenFile} holds more than one line`);
            return { authorization: `${scheme} ${token}` };
          },
        }
      : {}),
    close: async () => {
      await dispatcher?.close();
    },
  };
}
