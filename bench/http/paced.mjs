// Open-loop, constant-rate load for latency at a given rate (what wrk2 or k6's
// constant-arrival-rate do): requests are sent on a fixed schedule — every millisecond, the ones
// due by then — whatever the earlier ones are doing, over as many keep-alive connections as that
// takes. A slow answer therefore cannot hold back the requests behind it (no coordinated
// omission): a server stall shows in the latency of every request sent during it. Latency runs
// from the moment a request is written; how late the client itself was against its schedule is
// reported separately (`lag_p99`), so a client that could not keep up is visible, not hidden.
//
// Why not autocannon's `overallRate` for this: it gives each connection a per-second budget that
// it spends back-to-back at the start of every second and then idles, so "half the max rate" is
// really full load for half of each second, and its latency histogram then adds synthetic
// samples for the expected interval. Throughput is still measured with autocannon (run.mjs).
import http from 'node:http';

/**
 * @param {string} url  base URL, e.g. http://127.0.0.1:8181
 * @param {{ path: string, bodies: { body: string }[], rate: number, durationS: number, maxSockets?: number }} opts
 * @returns {Promise<{ rps: number, p50: number, p99: number, max: number, lag_p99: number, sent: number, non2xx: number, errors: number }>}
 */
export async function paced(url, { path, bodies, rate, durationS, maxSockets = 64 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const target = new URL(path, url);
  const payloads = bodies.map((b) => Buffer.from(b.body));
  const latencies = [];
  const lags = [];
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let inFlight = 0;

  const send = (dueAt) => {
    const sentAt = performance.now();
    lags.push(sentAt - dueAt);
    const payload = payloads[sent % payloads.length];
    sent++;
    inFlight++;
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
      res.resume();
      res.on('end', () => {
        inFlight--;
        if (res.statusCode < 200 || res.statusCode >= 300) non2xx++;
        latencies.push(performance.now() - sentAt);
      });
    });
    req.on('error', () => {
      inFlight--;
      errors++;
    });
    req.end(payload);
  };

  const start = performance.now();
  const end = start + durationS * 1000;
  const intervalMs = 1000 / rate;
  let next = start;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Everything due by now, each with its own due time (a late tick does not hide lateness).
      while (next <= now && next < end) {
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
  agent.destroy();

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
    errors: errors + (inFlight > 0 ? inFlight : 0),
  };
}

// Run as a program (run.mjs does, so the load generator is a fresh process whose own garbage
// collection and timers are not those of the process that ran autocannon): one JSON argument
// {url, path, bodies, rate, durationS}, one JSON line of results on stdout.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const args = JSON.parse(process.argv[2]);
  const { url, ...opts } = args;
  // One second at the same rate first, not recorded: the client's own JIT warm-up.
  await paced(url, { ...opts, durationS: 1 });
  process.stdout.write(`${JSON.stringify(await paced(url, opts))}\n`);
}
