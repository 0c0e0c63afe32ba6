// `?instrument=true` on the Data API (src/rego/trace/instrumentation.ts): OPA's metrics plus its
// evaluation instrumentation under OPA's names, from a real listening server; and the histogram
// statistics computed as OPA's (go-metrics) computes them.
import t from 'tap';
import { Instrumentation } from '../../src/rego/index.js';
import { startReal, writeBundle } from '../helpers/real-server.js';

const POLICY = `package inst

# (input-dependent: evaluated per request, not kept as a constant across requests)
names := ["al", "bo", input.third]

upper_names contains u if {
	some n in names
	u := upper(n)
}

allow if {
	count(upper_names) == 3
	"AL" in upper_names
	startswith(input.user, "al")
}
`;

const server = await startReal({ bundleDir: writeBundle({ 'inst.rego': POLICY }), env: { PDP_LOG_LEVEL: 'silent' } });
t.teardown(() => server.close());

type Metrics = Record<string, number | Record<string, number>>;
async function ask(query: string, input: unknown = { user: 'alice', third: 'cy' }): Promise<{ status: number; json: { result?: unknown; metrics?: Metrics } }> {
  const r = await fetch(`${server.url}/v1/data/inst/allow${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  return { status: r.status, json: (await r.json()) as { result?: unknown; metrics?: Metrics } };
}

const HISTOGRAM_KEYS = ['75%', '90%', '95%', '99%', '99.9%', '99.99%', 'count', 'max', 'mean', 'median', 'min', 'stddev'];

t.test('?instrument=true: metrics plus the instrumentation the engine measures, under OPA names', async (t) => {
  const r = await ask('?instrument=true');
  t.equal(r.status, 200);
  t.equal(r.json.result, true);
  const m = r.json.metrics!;
  t.type(m.timer_rego_query_eval_ns, 'number', 'instrument implies metrics');
  t.type(m.timer_server_handler_ns, 'number');
  const timer = m.timer_eval_op_builtin_call_ns as number;
  t.ok(timer > 0, 'timer_eval_op_builtin_call_ns: time spent in builtin calls');
  const h = m.histogram_eval_op_builtin_call as Record<string, number>;
  t.same(Object.keys(h).sort(), HISTOGRAM_KEYS, "histogram_eval_op_builtin_call: OPA's statistics");
  // upper() three times, count(), == (OPA's builtin equal), startswith(): six builtin calls
  t.equal(h.count, 6, 'one histogram entry per builtin call');
  t.ok(h.min <= h.median && h.median <= h.max && h.max <= timer, 'ordered statistics');
  t.ok(Math.abs(h.mean * h.count - timer) < 1, 'the timer is the sum of the calls');
  // allow, upper_names and names are evaluated once each; the second read of upper_names is a hit
  t.equal(m.counter_eval_op_virtual_cache_miss, 3, 'counter_eval_op_virtual_cache_miss');
  t.equal(m.counter_eval_op_virtual_cache_hit, 1, 'counter_eval_op_virtual_cache_hit');
  t.notOk('timer_eval_op_plug_ns' in m || 'timer_eval_op_rule_index_ns' in m, 'operations this engine does not perform are not reported');
});

t.test("the decision log's record carries the same metrics, histograms included", async (t) => {
  const r = await ask('?instrument');
  const id = (r.json as { decision_id?: string }).decision_id!;
  let rec: { metrics?: Metrics } | undefined;
  for (let i = 0; i < 50 && rec === undefined; i++) {
    const g = await fetch(`${server.url}/v1/decisions/${id}`);
    if (g.status === 200) rec = (await g.json()) as { metrics?: Metrics };
    else await new Promise((res) => setTimeout(res, 20));
  }
  t.ok(rec, 'logged');
  t.same(Object.keys(rec!.metrics!.histogram_eval_op_builtin_call as object).sort(), HISTOGRAM_KEYS, 'served through the record schema intact');
  t.equal(rec!.metrics!.counter_eval_op_virtual_cache_miss, 3);
});

t.test('every instrumented request evaluates (no decision-cache answer without instrumentation)', async (t) => {
  for (let i = 0; i < 2; i++) {
    const m = (await ask('?instrument')).json.metrics!;
    t.equal((m.histogram_eval_op_builtin_call as Record<string, number>).count, 6, `request ${i + 1}`);
  }
});

t.test('without instrument: no instrumentation keys; instrument=false is off', async (t) => {
  const metricsOnly = (await ask('?metrics=true')).json.metrics!;
  t.type(metricsOnly.timer_rego_query_eval_ns, 'number');
  t.notOk(
    Object.keys(metricsOnly).some((k) => k.includes('eval_op')),
    'no eval_op keys',
  );
  t.notOk('metrics' in (await ask('?instrument=false')).json);
  t.notOk('metrics' in (await ask('')).json);
});

t.test('hostile instrument values: a flag, never a crash', async (t) => {
  for (const q of ['?instrument=%00', `?instrument=${'x'.repeat(4000)}`, '?instrument=false&instrument=true', '?instrument[]=1', '?instrument=0']) {
    const r = await ask(q);
    t.equal(r.status, 200, q.slice(0, 40));
    t.equal(r.json.result, true);
  }
  const r = await ask('?instrument', { user: 'bob', third: 'cy' });
  t.equal(r.json.result, undefined, 'an undefined answer');
  t.type((r.json.metrics!.histogram_eval_op_builtin_call as Record<string, number>).count, 'number', 'is instrumented too');
});

t.test("histogram statistics as OPA's go-metrics computes them", async (t) => {
  const ins = new Instrumentation();
  for (let v = 1; v <= 10; v++) ins.time('op', v);
  ins.count('c');
  ins.count('c');
  const j = ins.toJSON();
  t.equal(j.timer_op_ns, 55);
  t.equal(j.counter_c, 2);
  const h = j.histogram_op as Record<string, number>;
  t.match(h, { count: 10, min: 1, max: 10, mean: 5.5, median: 5.5, '75%': 8.25, '90%': 9.9, '95%': 10, '99%': 10, '99.9%': 10, '99.99%': 10 });
  t.ok(Math.abs(h.stddev - Math.sqrt(8.25)) < 1e-9, 'population standard deviation');
  t.same(new Instrumentation().toJSON(), {}, 'nothing measured, no keys');
});
