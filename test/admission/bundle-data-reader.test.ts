// The bundle-data reader the webhook uses for namespace labels and registry records
// (src/admission/bundle-data.ts), on policy snapshots made to answer each way: every outcome is a
// value (defined, undefined, no policy, error), never a throw; a path segment that would split
// the path is refused before any engine is asked; wasm snapshots are read off the main thread.
import t from 'tap';
import type { ActivePolicySet } from '../../src/bundles/types.js';
import { noBundleData, snapshotData } from '../../src/admission/bundle-data.js';
import type { EvaluationOutcome } from '../../src/engines/types.js';

const deps = { time: false, random: false, external: false };
const limits = { timeoutMs: 100, maxOutputSize: 10 };

function snapshot(over: Partial<ActivePolicySet> & { calls?: string[] }): ActivePolicySet {
  const calls = over.calls ?? [];
  return {
    revisions: {},
    engineFor: () => 'rego',
    evaluate: (path: string): EvaluationOutcome => {
      calls.push(`sync ${path}`);
      return { ok: true, defined: true, result: { path }, dependsOn: deps, engine: 'rego' };
    },
    ...over,
  };
}

t.test('each outcome is a value', async (t) => {
  t.same(await snapshotData({ current: () => null }, limits).read(['a']), { kind: 'no_policy' }, 'no active policy');
  t.same(
    await snapshotData({ current: () => snapshot({}) }, limits).read(['a', 'b.c']),
    { kind: 'defined', value: { path: 'a/b.c' } },
    'a dot is part of a key',
  );
  t.same(await snapshotData({ current: () => snapshot({ mayDefine: () => false }) }, limits).read(['a']), { kind: 'undefined' }, 'nothing can be there');
  const undef = snapshot({ evaluate: () => ({ ok: true, defined: false, dependsOn: deps, engine: 'rego' }) });
  t.same(await snapshotData({ current: () => undef }, limits).read(['a']), { kind: 'undefined' });
  const failing = snapshot({ evaluate: () => ({ ok: false, code: 'eval_output_too_large', message: 'too big', engine: 'rego' }) });
  const f = await snapshotData({ current: () => failing }, limits).read(['x', 'y']);
  t.same(f, { kind: 'error', message: 'data.x.y: eval_output_too_large: too big' }, 'an engine error names the path');
  const throwing = snapshot({
    evaluate: () => {
      throw new Error('bug');
    },
  });
  const th = await snapshotData({ current: () => throwing }, limits).read(['x']);
  t.equal(th.kind, 'error', 'a throw becomes an error value');
  t.match(th, { message: /data\.x: .*bug/ });
});

t.test('segments that would change the path are refused before an engine is asked', async (t) => {
  const calls: string[] = [];
  const data = snapshotData({ current: () => snapshot({ calls }) }, limits);
  for (const segs of [['a/b'], ['a', ''], ['registry', 'models', '../x/y']]) {
    const r = await data.read(segs);
    t.equal(r.kind, 'error', `${JSON.stringify(segs)}: refused`);
  }
  t.same(calls, [], 'no engine was asked');
});

t.test('the limits are handed to the engine; wasm snapshots are read with evaluateAsync', async (t) => {
  const seen: unknown[] = [];
  const calls: string[] = [];
  const wasm = snapshot({
    calls,
    offThread: true,
    engineFor: () => 'wasm',
    evaluateAsync: async (path, _input, opts) => {
      seen.push(opts);
      calls.push(`async ${path}`);
      return { ok: true, defined: true, result: 1, dependsOn: deps, engine: 'wasm' };
    },
  });
  t.same(await snapshotData({ current: () => wasm }, limits).read(['k']), { kind: 'defined', value: 1 });
  t.same(calls, ['async k']);
  t.same(seen, [{ timeoutMs: 100, maxOutputSize: 10, strict: false }]);
  t.same(await noBundleData.read(['anything']), { kind: 'undefined' }, 'no bundle data: nothing is there');
});

t.test('a path is evaluated once per snapshot; a new snapshot is read afresh; errors are not remembered', async (t) => {
  const calls: string[] = [];
  let active = snapshot({ calls });
  const data = snapshotData({ current: () => active }, limits);
  const first = await data.read(['kubernetes', 'namespaces', 'prod']);
  t.same(await data.read(['kubernetes', 'namespaces', 'prod']), first, 'the same answer');
  await data.read(['registry', 'models', 'm1']);
  t.same(calls, ['sync kubernetes/namespaces/prod', 'sync registry/models/m1'], 'each path asked once');

  active = snapshot({ calls });
  await data.read(['kubernetes', 'namespaces', 'prod']);
  t.equal(calls.length, 3, 'a bundle change (new snapshot) is read again');

  let fails = 0;
  active = snapshot({
    evaluate: () => {
      fails++;
      return { ok: false, code: 'eval_budget_exceeded', message: 'deadline', engine: 'rego' };
    },
  });
  await data.read(['x']);
  await data.read(['x']);
  t.equal(fails, 2, 'an error is asked again next time');
});
