// Hundreds of random bodies (structured and raw bytes) against every POST route of the real
// service (repo policies/, BundleManager, Rego engine): every answer is a 2xx/4xx in one of the
// documented shapes — never a 5xx.
import t from 'tap';
import { send } from '../helpers/http.js';
import { startReal } from '../helpers/real-server.js';
import { rng } from '../helpers/rng.js';

const KEYS = [
  'agent',
  'tool',
  'model',
  'deployment',
  'id',
  'name',
  'version',
  'environment',
  'input',
  'arguments',
  'signals',
  'prompt_injection_score',
  'risk_tier',
  'metrics',
  'safety',
  'roles',
  'approvals',
  '__proto__',
  'constructor',
  '',
  '\u0000',
  'é',
];

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 5 ? 6 : 9));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 3][Math.floor(r() * 7)];
    case 3:
      return ['', 'x', 'prod', '\u2028', '"', '\\', 'a'.repeat(Math.floor(r() * 300))][Math.floor(r() * 7)];
    case 4:
      return Math.floor(r() * 1e6);
    case 5:
      return 'tool';
    case 6:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 5);
      for (let i = 0; i < n; i++)
        Object.defineProperty(o, KEYS[Math.floor(r() * KEYS.length)] ?? 'k', {
          value: randomValue(r, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      return o;
    }
  }
}

/** Near-valid bodies reach the policy; mutations of them probe the schema edges. */
function nearValid(r: () => number): unknown {
  const base: Record<string, unknown> =
    r() < 0.5
      ? { agent: { id: 'a', trust_level: 'low' }, tool: { name: 'send_email' }, arguments: randomValue(r, 2), signals: { prompt_injection_score: r() } }
      : { model: { name: 'm', version: '1', risk_tier: 1, evaluation: { metrics: { safety: r() } } }, deployment: { environment: 'prod' } };
  const target = Object.keys(base)[Math.floor(r() * Object.keys(base).length)] ?? 'agent';
  const inner = base[target];
  if (r() < 0.7 && typeof inner === 'object' && inner !== null)
    (inner as Record<string, unknown>)[KEYS[Math.floor(r() * KEYS.length)] ?? 'k'] = randomValue(r, 3);
  return base;
}

function rawBytes(r: () => number): string {
  const pieces = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '1e9999', '-', '\\u', '\\', ' ', '\n', 'agent', '\u0000', '\uFFFF', '\uD800'];
  return Array.from({ length: Math.floor(r() * 60) }, () => pieces[Math.floor(r() * pieces.length)]).join('');
}

const s = await startReal({ env: { PDP_BODY_LIMIT_BYTES: String(64 * 1024), PDP_MAX_JSON_DEPTH: '16', PDP_BUNDLE_WATCH: 'false' } });
t.teardown(() => s.close());

const ROUTES = ['/v1/decisions/tool-call', '/v1/decisions/model-deployment', '/v1/data/ai/tools/decision', '/v1/data/ai/deployment/decision'];
const CONTENT_TYPES = [{ 'content-type': 'application/json' }, {}, { 'content-type': 'application/json; charset=utf-8' }, { 'content-type': 'text/plain' }];

t.test('no random body produces a 5xx or an undocumented shape', async (t) => {
  const seed = Number(process.env.FUZZ_SEED ?? 20261126);
  const r = rng(seed);
  const counts: Record<number, number> = {};
  const N = 400;
  for (let i = 0; i < N; i++) {
    const route = ROUTES[i % ROUTES.length] ?? ROUTES[0];
    const kind = r();
    const body = kind < 0.4 ? JSON.stringify(nearValid(r)) : kind < 0.75 ? (JSON.stringify(randomValue(r, 0)) ?? '') : rawBytes(r);
    const headers = CONTENT_TYPES[Math.floor(r() * CONTENT_TYPES.length)] ?? {};
    const res = await send(`${s.url}${route}`, { method: 'POST', body, headers: headers as Record<string, string> });
    counts[res.status] = (counts[res.status] ?? 0) + 1;
    const json = res.json as Record<string, unknown> | undefined;
    const where = `seed ${seed} #${i} ${route} ${JSON.stringify(body).slice(0, 200)}`;
    if (res.status >= 500) {
      t.fail(`5xx: ${res.status} ${res.text.slice(0, 200)} for ${where}`);
      continue;
    }
    // The OPA routes (/v1/data) answer OPA's error shape {"code", "message"}; the others their own.
    const isError = route.startsWith('/v1/data')
      ? typeof json?.code === 'string' && typeof json.message === 'string' && json.error === undefined
      : typeof json?.error === 'object' && json.error !== null && typeof (json.error as { code?: unknown }).code === 'string';
    const isDecision = typeof json?.allow === 'boolean' && typeof json.decision_id === 'string';
    const isData = typeof json?.decision_id === 'string' && route.startsWith('/v1/data');
    if (res.status >= 400 && !isError) t.fail(`${res.status} without the error shape for ${where}`);
    if (res.status < 400 && !(isDecision || isData)) t.fail(`${res.status} without a decision/data shape for ${where}`);
  }
  t.comment(`status counts: ${JSON.stringify(counts)}`);
  // The fuzz must exercise both sides, or it proves nothing.
  t.ok((counts[200] ?? 0) > 20, 'some bodies reached the policy');
  t.ok((counts[400] ?? 0) > 20, 'some bodies were refused');
  t.notOk(
    Object.keys(counts).some((c) => Number(c) >= 500),
    'no 5xx at all',
  );
});
