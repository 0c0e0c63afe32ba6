// bench:peer's pieces that decide what is measured and what is reported: the shadow checkout
// (every tool-call example but the ones the harness's Cerbos translation cannot express) and the
// targets computed from a harness result (missing data is "n/a", never "met").
import t from 'tap';
import { existsSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Target {
  target: string;
  value: number | null;
  limit: number;
  met: boolean | null;
  note: string | null;
}
// The bench scripts are plain JavaScript (bench/ runs without a build): typed here by their use.
const shadow = (await import(new URL('../../bench/peer/shadow.mjs', import.meta.url).href)) as {
  UNTRANSLATABLE: { file: string; reason: string }[];
  shadowCheckout(root: string): { dir: string; copied: number };
};
const { targets } = (await import(new URL('../../bench/peer/targets.mjs', import.meta.url).href)) as { targets(r: unknown): Target[] };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

t.test('the shadow checkout', async (t) => {
  const examples = readdirSync(join(ROOT, 'examples', 'tool-call')).filter((f) => f.endsWith('.json'));
  for (const u of shadow.UNTRANSLATABLE) {
    t.ok(examples.includes(u.file), `${u.file} exists (a renamed example must be renamed here too)`);
    t.ok(u.reason.length > 20, 'with its reason');
  }
  const s = shadow.shadowCheckout(ROOT);
  t.teardown(() => rmSync(s.dir, { recursive: true, force: true }));
  const left = readdirSync(join(s.dir, 'examples', 'tool-call')).filter((f) => f.endsWith('.json'));
  t.same(left.sort(), examples.filter((f) => !shadow.UNTRANSLATABLE.some((u) => u.file === f)).sort(), 'every example but the untranslatable ones');
  t.equal(s.copied, left.length);
  t.equal(readlinkSync(join(s.dir, 'dist')), join(ROOT, 'dist'), "dist/ is the checkout's own");
  t.equal(readlinkSync(join(s.dir, 'policies')), join(ROOT, 'policies'), 'and so are the policies');
  t.notOk(existsSync(join(s.dir, '.git')), 'no .git: git would report the shadow as changed');
});

const scenario = (rps: number, cpu: number) => ({ median: { rps, server_cpu_us_per_req: cpu, p99_ms: 3 } });

t.test('targets from a harness result', async (t) => {
  const r = {
    engine: { median_us: { project_rego: 3, opa_wasm: 10 } },
    http: {
      scenarios: {
        a_bare: scenario(10_000, 100),
        b_pdp_small: scenario(5_000, 250),
        d_pdp_full_cache: scenario(5_000, 200),
        b_pdp_full: scenario(3_000, 300),
        c_cerbos_full: scenario(1_000, 1_500),
      },
    },
  };
  const got = Object.fromEntries(targets(r).map((x) => [x.target, [x.value === null ? null : +x.value.toFixed(3), x.met]]));
  t.same(got, {
    'small policy, cache off: req/s ≥ 0.5 × bare': [0.5, true],
    'small policy, cache off: CPU/req ≤ 2 × bare': [2.5, false],
    'default policies, cache hit: req/s ≥ 0.6 × bare': [0.5, false],
    'default policies, cache off: req/s ≥ 2.5 × Cerbos': [3, true],
    'default policies, cache off: CPU/req ≤ 0.25 × Cerbos': [0.2, true],
    'engine (RBAC allow): µs/eval ≤ 0.4 × opa-wasm': [0.3, true],
    'p99 ≤ 5 ms at half max rate': [null, null],
  });

  const empty = targets({ http: { scenarios: { a_bare: scenario(0, 0) } } });
  t.ok(
    empty.every((x) => x.value === null && x.met === null),
    'missing scenarios, a zero baseline or no engine run: n/a, never met',
  );
});
