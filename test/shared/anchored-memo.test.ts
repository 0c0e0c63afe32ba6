// AnchoredMemo (src/shared/anchored-memo.ts): a memo kept on its anchor, invisible to JSON,
// spreads and keys; not on frozen anchors. And why it is not a WeakMap: checked in child processes
// with V8's own GC trace, the same workload (anchors that outlive one young collection, as a
// decision's result does while its record waits for a sink) promotes a multiple of the bytes
// through a WeakMap that it promotes through the memo.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { AnchoredMemo } from '../../src/shared/anchored-memo.js';
import { packageRoot } from '../../src/shared/package-root.js';

t.test('get and set; each memo its own; later values replace earlier ones', async (t) => {
  const a = new AnchoredMemo<string>('a');
  const b = new AnchoredMemo<number>('b');
  const anchor = { allow: true };
  t.equal(a.get(anchor), undefined);
  a.set(anchor, 'one');
  b.set(anchor, 1);
  t.equal(a.get(anchor), 'one');
  t.equal(b.get(anchor), 1);
  a.set(anchor, 'two');
  t.equal(a.get(anchor), 'two');
  t.equal(a.get({ allow: true }), undefined, 'an equal object is another anchor');
  const arr: unknown[] = [1, 2];
  a.set(arr, 'array');
  t.equal(a.get(arr), 'array', 'arrays are anchors too');
});

t.test('invisible: JSON, keys, spreads, structuredClone and deep equality see the anchor unchanged', async (t) => {
  const memo = new AnchoredMemo<object>('m');
  const anchor = { allow: false, reasons: [{ code: 'X' }] };
  memo.set(anchor, { big: 'x'.repeat(100) });
  t.equal(JSON.stringify(anchor), '{"allow":false,"reasons":[{"code":"X"}]}');
  t.same(Object.keys(anchor), ['allow', 'reasons']);
  t.same(Object.getOwnPropertySymbols({ ...anchor }), [], 'a spread does not copy it');
  t.same(Object.getOwnPropertySymbols(Object.assign({}, anchor)), [], 'nor Object.assign');
  t.equal(memo.get(structuredClone(anchor)), undefined, 'nor structuredClone');
  t.strictSame({ ...anchor }, { allow: false, reasons: [{ code: 'X' }] });
});

t.test('frozen, sealed and non-extensible anchors are left alone', async (t) => {
  const memo = new AnchoredMemo<string>('m');
  for (const [name, anchor] of [
    ['frozen', Object.freeze({ a: 1 })],
    ['sealed', Object.seal({ a: 1 })],
    ['non-extensible', Object.preventExtensions({ a: 1 })],
  ] as const) {
    t.doesNotThrow(() => memo.set(anchor, 'v'), name);
    t.equal(memo.get(anchor), undefined, `${name}: not memoized`);
  }
});

// 400,000 anchors, each kept for a while in a ring of the 300 latest, each with a memo value.
function promotedBytes(kind: 'weakmap' | 'anchored'): { promoted: number; scavenges: number; stderr: string; status: number | null } {
  const memo = kind === 'weakmap' ? 'new WeakMap()' : "new (await import('./src/shared/anchored-memo.ts')).AnchoredMemo('t')";
  const script = `const memo = ${memo}; const ring = new Array(300); console.log('WORKLOAD');
    for (let i = 0; i < 400000; i++) { const a = { i, r: [i] }; memo.set(a, { v: 'x'.repeat(200) + i, o: { a: [1, 2, 3] } }); ring[i % 300] = a; }`;
  const r = spawnSync(process.execPath, ['--trace-gc-nvp', '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const after = r.stdout.slice(Math.max(0, r.stdout.indexOf('WORKLOAD\n')));
  let promoted = 0;
  let scavenges = 0;
  for (const line of after.split('\n')) {
    if (!/\bgc=s\b/.test(line)) continue;
    scavenges++;
    promoted += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return { promoted, scavenges, stderr: r.stderr + (r.stdout.includes('WORKLOAD') ? '' : ' (no marker)'), status: r.status };
}

t.test('young collections free a memo with its anchor; through a WeakMap its value is promoted', async (t) => {
  const weak = promotedBytes('weakmap');
  const anchored = promotedBytes('anchored');
  t.equal(weak.status, 0, weak.stderr);
  t.equal(anchored.status, 0, anchored.stderr);
  t.ok(weak.scavenges > 0 && anchored.scavenges > 0, `scavenges traced (${weak.scavenges}, ${anchored.scavenges})`);
  t.ok(
    anchored.promoted * 5 < weak.promoted,
    `promoted: ${(anchored.promoted / 1e6).toFixed(1)} MB through the memo, ${(weak.promoted / 1e6).toFixed(1)} MB through a WeakMap`,
  );
});
