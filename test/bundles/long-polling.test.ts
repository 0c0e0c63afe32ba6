// HTTP long polling against a real local bundle server that holds requests as OPA's bundle
// service contract describes: the client sends Prefer: wait=N and If-None-Match; the server
// answers when a new bundle exists (Content-Type application/vnd.openpolicyagent.bundles), or
// 304 when the wait ends, and the client asks again at once. Before this change there was no
// long polling: a new bundle waited for the next poll interval.
import type { IncomingMessage, ServerResponse } from 'node:http';
import t, { type Test } from 'tap';
import { BundleManager } from '../../src/bundles/manager.js';
import { LONG_POLL_CONTENT_TYPE } from '../../src/bundles/source-http.js';
import { startBundleServer, tarball, waitFor, type BundleServer, type FileSpec } from '../helpers/bundle-files.js';

const bundle = (revision: string): FileSpec => ({
  '.manifest': JSON.stringify({ revision, roots: ['authz'] }),
  'authz/policy.rego': `package authz\n\nrev := "${revision}"\n`,
  'authz/data.json': JSON.stringify({ n: 0 }),
});

interface LongPollServer {
  srv: BundleServer;
  publish(files: FileSpec, etag: string): Promise<void>;
  held: () => number;
}

/** Holds a conditional request whose ETag is current until publish() or the requested wait ends. */
async function longPollServer(t: Test, contentType = LONG_POLL_CONTENT_TYPE): Promise<LongPollServer> {
  const srv = await startBundleServer();
  t.teardown(() => srv.close());
  let current = { bytes: await tarball(bundle('v1')), etag: '"v1"' };
  const waiting = new Set<() => void>();
  const send = (res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': contentType, etag: current.etag, 'content-length': current.bytes.byteLength });
    res.end(current.bytes);
  };
  srv.handler = (req: IncomingMessage, res: ServerResponse) => {
    const wait = /(?:^|;)\s*wait=(\d+)/.exec(String(req.headers.prefer ?? ''));
    if (req.headers['if-none-match'] !== current.etag) return send(res);
    if (!wait) {
      res.statusCode = 304;
      res.end();
      return;
    }
    const release = (): void => {
      clearTimeout(timer);
      waiting.delete(release);
      if (req.headers['if-none-match'] === current.etag) {
        res.writeHead(304, { 'content-type': contentType });
        res.end();
      } else {
        send(res);
      }
    };
    const timer = setTimeout(release, Number(wait[1]) * 1000);
    waiting.add(release);
    res.on('close', () => {
      clearTimeout(timer);
      waiting.delete(release);
    });
  };
  return {
    srv,
    async publish(files, etag) {
      current = { bytes: await tarball(files), etag };
      for (const r of [...waiting]) r();
    },
    held: () => waiting.size,
  };
}

function manager(t: Test, url: string, longPollingTimeoutSeconds?: number): BundleManager {
  const m = new BundleManager({
    // A poll interval far beyond the test: only long polling can deliver a new bundle in time.
    sources: [{ name: 'authz', kind: 'http', location: url, pollIntervalMs: 60_000, ...(longPollingTimeoutSeconds ? { longPollingTimeoutSeconds } : {}) }],
  });
  t.teardown(() => m.stop());
  return m;
}

t.test('a held request delivers a new bundle as soon as it is published', async (t) => {
  const lp = await longPollServer(t);
  const m = manager(t, `${lp.srv.url}/bundles/authz`, 5);
  await m.start();
  t.equal(m.current()?.revisions.authz, 'v1');
  await waitFor('a held request', () => lp.held() === 1);
  const first = lp.srv.requests[0].headers;
  t.equal(first.prefer, 'modes=snapshot,delta;wait=5', "OPA's Prefer header");
  t.equal(first['if-none-match'], undefined, 'the first request is unconditional');
  t.match(String(first.accept), /application\/vnd\.openpolicyagent\.bundles/);

  const published = Date.now();
  await lp.publish(bundle('v2'), '"v2"');
  await waitFor('v2', () => m.current()?.revisions.authz === 'v2', 3000);
  const latency = Date.now() - published;
  t.comment(`published → active: ${latency} ms (poll interval 60000 ms)`);
  t.ok(latency < 2000, 'delivered while the request was held, not at the next poll');
  await waitFor('held again', () => lp.held() === 1);
  t.equal(lp.srv.requests.at(-1)?.status, 200);

  // A delta rides the same held request.
  await lp.publish(
    {
      '.manifest': JSON.stringify({ revision: 'v3', roots: ['authz'] }),
      'patch.json': JSON.stringify({ data: [{ op: 'replace', path: '/authz/n', value: 3 }] }),
    },
    '"v3"',
  );
  await waitFor('v3', () => m.current()?.revisions.authz === 'v3', 3000);
  t.match(m.current()?.evaluate('authz/n', {}), { ok: true, defined: true, result: 3 });
  t.equal(m.status()[0].last_error, null);
});

t.test('when the wait ends the server answers 304 and the client asks again at once, with If-None-Match', async (t) => {
  const lp = await longPollServer(t);
  const m = manager(t, `${lp.srv.url}/b`, 1);
  await m.start();
  await waitFor('three 304s', () => lp.srv.requests.filter((r) => r.status === 304).length >= 3, 8000);
  const held = lp.srv.requests.filter((r) => r.status === 304);
  t.ok(
    held.every((r) => r.headers['if-none-match'] === '"v1"' && r.headers.prefer === 'modes=snapshot,delta;wait=1'),
    'every re-poll is conditional and asks to wait',
  );
  const gaps = held.slice(1).map((r, i) => r.at - held[i].at);
  t.comment(`gaps between 304s: ${gaps.join(', ')} ms`);
  t.ok(
    gaps.every((g) => g >= 900),
    'each request was held for the wait (no request loop)',
  );
  t.ok(
    gaps.every((g) => g < 5000),
    'and the next one followed at once, not after the 60 s poll interval',
  );
  t.equal(m.status()[0].last_error, null, 'a 304 is healthy');
});

t.test('a server that does not speak long polling: the client falls back to its poll interval', async (t) => {
  const lp = await longPollServer(t, 'application/gzip');
  const m = manager(t, `${lp.srv.url}/b`, 1);
  await m.start();
  t.equal(m.current()?.revisions.authz, 'v1');
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(lp.srv.requests.length, 1, 'no immediate re-poll after a 200 without the long-poll content type');
});

t.test('without the setting no wait is asked for; Prefer still says which bundle modes are understood', async (t) => {
  const lp = await longPollServer(t);
  const m = manager(t, `${lp.srv.url}/b`);
  await m.start();
  t.equal(lp.srv.requests[0].headers.prefer, 'modes=snapshot,delta');
  await new Promise((r) => setTimeout(r, 500));
  t.equal(lp.srv.requests.length, 1, 'plain polling waits for the interval');
});

t.test('a rejected bundle on a long-polling server is not fetched again in a loop', async (t) => {
  const lp = await longPollServer(t);
  const m = manager(t, `${lp.srv.url}/b`, 1);
  await m.start();
  await waitFor('held', () => lp.held() === 1);
  await lp.publish({ '.manifest': '{not json' }, '"bad"');
  await waitFor('refused', () => m.status()[0].last_error !== null, 3000);
  t.match(m.status()[0].last_error, { code: 'BUNDLE_INVALID_MANIFEST' });
  const n = lp.srv.requests.length;
  await new Promise((r) => setTimeout(r, 1000));
  t.equal(lp.srv.requests.length, n, 'the next request waits for the poll interval');
  t.equal(m.current()?.revisions.authz, 'v1');
});
