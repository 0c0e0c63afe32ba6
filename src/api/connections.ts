// Connection-level limits of the listener: how long a client may take to send a request, how
// long an idle keep-alive connection lives, and how many connections may be open at once. Slow
// clients (slowloris, slow bodies) hold a file descriptor each; without these bounds a few hundred
// of them make the service unreachable.
import { readFileSync } from 'node:fs';
import type { ServerConfig } from '../config/types.js';

/** Descriptors kept for what is not a client connection: bundle files, Redis, log sinks, TLS files. */
const FD_RESERVE = 128;
/** Where the file limit cannot be read (not Linux). */
const FALLBACK_MAX_CONNECTIONS = 1_000;

/** Options for node:http / node:https createServer. Node checks request and header deadlines
 * every `connectionsCheckingInterval` (default 30 s); a shorter interval closes a slow client
 * within about a second of its deadline. */
export function serverTimeoutOptions(server: ServerConfig): { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } {
  const requestTimeout = server.request_timeout_ms;
  const headersTimeout = Math.min(server.headers_timeout_ms, requestTimeout);
  return { requestTimeout, headersTimeout, connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 2))) };
}

/** server.max_connections, or (0) the soft open-file limit less a reserve. */
export function maxConnections(server: ServerConfig, limitsText: () => string | undefined = readLimits): number {
  if (server.max_connections > 0) return server.max_connections;
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limitsText() ?? '')?.[1];
  if (soft === undefined || soft === 'unlimited') return FALLBACK_MAX_CONNECTIONS;
  return Math.max(16, Number(soft) - FD_RESERVE);
}

function readLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}
