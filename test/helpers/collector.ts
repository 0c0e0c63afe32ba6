// Test support: a real OPA-style decision log receiver (node:http) that can go down and come
// back on the same port (tested by collector.test.ts). Any JSON body is accepted (it also
// serves as an OTLP/HTTP JSON receiver: spans arrive on /v1/traces) and kept as received text.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { gunzipSync } from 'node:zlib';

export interface Upload {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body when it is a JSON array (a decision-log upload), else []. */
  events: Record<string, unknown>[];
  /** The body as received (gunzipped), for searching raw bytes. */
  text: string;
}

export interface Collector {
  readonly port: number;
  readonly url: string;
  readonly uploads: Upload[];
  events(): Record<string, unknown>[];
  /** Status to answer with (default 200). */
  respondWith(status: number): void;
  /** Accept requests but never answer. */
  hang(on: boolean): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startCollector(port = 0): Promise<Collector> {
  const uploads: Upload[] = [];
  let status = 200;
  let hanging = false;
  let server: Server | null = null;
  let boundPort = port;
  const start = async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (hanging) return;
        if (status >= 200 && status < 300) {
          const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
          const text = raw.toString('utf8');
          const body = JSON.parse(text) as unknown;
          uploads.push({ path: req.url ?? '', headers: req.headers, events: Array.isArray(body) ? (body as Record<string, unknown>[]) : [], text });
        }
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.listen(boundPort, '127.0.0.1');
    await once(server, 'listening');
    const a = server.address();
    boundPort = typeof a === 'object' && a ? a.port : boundPort;
  };
  await start();
  return {
    get port() {
      return boundPort;
    },
    get url() {
      return `http://127.0.0.1:${boundPort}/logs`;
    },
    uploads,
    events: () => uploads.flatMap((u) => u.events),
    respondWith: (s) => {
      status = s;
    },
    hang: (on) => {
      hanging = on;
    },
    start,
    stop: async () => {
      const s: Server | null = server;
      server = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
}
