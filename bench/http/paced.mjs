// Open-loop, constant-rate load for latency at a given rate (what wrk2 or k6's
// constant-arrival-rate do): requests are sent on a fixed schedule — every millisecond, the ones
// due by then — whatever the earlier ones are doing, over as many keep-alive connections as that
// takes. A slow answer therefore cannot hold back the requests behind it (no coordinated
// omission): a server stall shows in the latency of every request sent during it. Latency runs
// from the moment a request is due to go out (written, or queued for a free connection when all
// maxSockets are busy); how late the client itself was against its schedule is
// reported separately (`lag_p99`), so a client that could not keep up is visible, not hidden.
//
// Why not autocannon's `overallRate` for this: it gives each connection a per-second budget that
// it spends back-to-back at the start of every second and then idles, so "half the max rate" is
// really full load for half of each second, and its latency histogram then adds synthetic
// samples for the expected interval. Throughput is still measured with autocannon (run.mjs).
import net from 'node:net';

/**
 * @param {string} url  base URL, e.g. http://127.0.0.1:8181
 * @param {{ path: string, bodies: { body: string }[], rate: number, durationS: number, warmupS?: number, onMeasure?: () => void, maxSockets?: number, onAnswer?: (localPort: number, sentAt: number, latencyMs: number, measured: boolean) => void }} opts
 *   onAnswer: each answer as it arrives, warm-up included (sentAt: performance.now() when it was
 *   due to go out; bench/http/tail-attribution.mjs matches them with a packet capture)
 * @returns {Promise<{ rps: number, p50: number, p99: number, max: number, lag_p99: number, sent: number, non2xx: number, errors: number }>}
 */
export async function paced(url, { path, bodies, rate, durationS, warmupS = 0, onMeasure, maxSockets = 64, onAnswer }) {
  // Raw keep-alive sockets and prebuilt request bytes, not node's http client: on one core that
  // client could not keep more than ~4,000 requests a second on schedule (its own lag p99 reached
  // 20–25 ms), so the latency of the cheaper scenarios at half their maximum rate was the
  // client's. One request at a time per connection (no pipelining); a request that finds every
  // connection busy waits for one, and that wait is part of its latency.
  const target = new URL(path, url);
  const requests = bodies.map((b) => {
    const body = Buffer.from(b.body);
    const head = `POST ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  });
  // Requests due before this are the warm-up: sent on the same schedule and the same connections
  // (so the measured window does not open with a pool of fresh connections), not recorded.
  let measureFrom = Infinity;
  const latencies = [];
  const lags = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let issued = 0;
  let inFlight = 0;
  const idle = [];
  const waiting = [];
  const all = new Set();

  const dispatch = (c, request, sentAt, measured) => {
    c.busy = true;
    c.sentAt = sentAt;
    c.measured = measured;
    c.socket.write(request);
  };
  const release = (c) => {
    c.busy = false;
    const next = waiting.shift();
    if (next) dispatch(c, next.request, next.sentAt, next.measured);
    else idle.push(c);
  };
  // A response: status line, headers with content-length (fastify always sends one), body.
  const onData = (c, chunk) => {
    c.buf = c.buf ? Buffer.concat([c.buf, chunk]) : chunk;
    const headEnd = c.buf.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = c.buf.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      errors++;
      c.socket.destroy();
      return;
    }
    const total = headEnd + 4 + Number(length[1]);
    if (c.buf.length < total) return;
    c.buf = null;
    onAnswer?.(c.socket.localPort, c.sentAt, performance.now() - c.sentAt, c.measured);
    if (c.measured) {
      latencies.push(performance.now() - c.sentAt);
      const status = Number(head.slice(9, 12));
      if (status < 200 || status >= 300) non2xx++;
    }
    inFlight--;
    release(c);
  };
  const connect = () => {
    const socket = net.connect({ host: target.hostname, port: Number(target.port || 80) });
    socket.setNoDelay(true);
    const c = { socket, busy: false, sentAt: 0, measured: false, buf: null };
    all.add(c);
    socket.on('data', (chunk) => onData(c, chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      all.delete(c);
      const i = idle.indexOf(c);
      if (i >= 0) idle.splice(i, 1);
      if (c.busy) {
        inFlight--;
        if (c.measured) errors++;
      }
    });
    return c;
  };

  const send = (dueAt) => {
    const sentAt = performance.now();
    const measured = dueAt >= measureFrom;
    if (measured) {
      lags.push(sentAt - dueAt);
      sent++;
    }
    const request = requests[issued++ % requests.length];
    inFlight++;
    const c = idle.pop() ?? (all.size < maxSockets ? connect() : null);
    if (c) dispatch(c, request, sentAt, measured);
    else waiting.push({ request, sentAt, measured });
  };

  const begin = performance.now();
  measureFrom = begin + warmupS * 1000;
  const start = measureFrom;
  const end = measureFrom + durationS * 1000;
  const intervalMs = 1000 / rate;
  let next = begin;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Everything due by now, each with its own due time (a late tick does not hide lateness).
      while (next <= now && next < end) {
        // The first measured request: tell the caller (e.g. to start counting GC events).
        if (onMeasure && next >= measureFrom) {
          onMeasure();
          onMeasure = undefined;
        }
        send(next);
        next += intervalMs;
      }
      if (next >= end) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
  });
  // Let the last requests finish (bounded).
  const deadline = performance.now() + 10_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  for (const c of all) c.socket.destroy();

  const pct = (xs, p) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);
  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  const elapsedS = (performance.now() - start) / 1000;
  return {
    rps: latencies.length / Math.max(elapsedS, durationS),
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    lag_p99: pct(lags, 99),
    sent,
    non2xx,
    errors: errors + [...all].filter((c) => c.busy && c.measured).length + waiting.filter((w) => w.measured).length,
  };
}

// Run as a program (run.mjs does, so the load generator is a fresh process whose own garbage
// collection and timers are not those of the process that ran autocannon): one JSON argument
// {url, path, bodies, rate, durationS}, one JSON line of results on stdout.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const args = JSON.parse(process.argv[2]);
  const { url, ...opts } = args;
  // One second at the same rate first, not recorded: the client's own JIT warm-up, and its
  // connections opened before the measured window.
  process.stdout.write(`${JSON.stringify(await paced(url, { warmupS: 1, ...opts }))}\n`);
}
