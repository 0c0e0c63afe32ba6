// Test support: a dedicated redis-server on a free port, killable and restartable on the
// same port to simulate an outage (tested by redis-server.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGKILL, like a crash; resolves once the process exited. */
  kill(): Promise<void>;
  /** Start again on the same port; resolves once it answers PING. */
  restart(): Promise<void>;
  /** SIGSTOP: the port stays open but nothing answers — a hung, "slow" Redis. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One raw RESP PING; true on +PONG. */
export function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(() => ping(port), 5000, `redis-server on ${port}`);
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await launch();
  process.once('exit', () => {
    const c: ChildProcess | null = child;
    c?.kill('SIGKILL');
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: launch,
    stop: async () => {
      const c: ChildProcess | null = child;
      c?.kill('SIGCONT');
      await kill();
    },
    pause: () => {
      const c: ChildProcess | null = child;
      c?.kill('SIGSTOP');
    },
    resume: () => {
      const c: ChildProcess | null = child;
      c?.kill('SIGCONT');
    },
  };
}
