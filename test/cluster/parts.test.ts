// The cluster's small parts on their own: the restart budget (doubling delay, bounded within a
// window), the node flags a worker inherits (never the primary's -e script), the message guards
// (foreign and hostile messages ignored), the primary's log lines.
import t from 'tap';
import { workerExecArgv } from '../../src/cluster/exec-argv.js';
import { isFromPrimary, isFromWorker } from '../../src/cluster/messages.js';
import { primaryLog } from '../../src/cluster/primary-log.js';
import { RestartBudget } from '../../src/cluster/restart-budget.js';

t.test('restart budget: delays double up to the cap; more than max in the window → give up', async (t) => {
  let now = 0;
  const b = new RestartBudget({ maxRestarts: 3, windowMs: 60_000, initialDelayMs: 100, maxDelayMs: 250, now: () => now });
  t.equal(b.next(), 100);
  t.equal(b.next(), 200);
  t.equal(b.next(), 250, 'capped');
  t.equal(b.next(), undefined, 'the fourth within a minute: spent');
  now = 60_001;
  t.equal(b.next(), 100, 'old crashes leave the window');
});

t.test('worker node flags: the primary flags minus any script of its own', async (t) => {
  t.same(workerExecArgv(['--import', 'tsx', '--input-type=module', '-e', 'start()']), ['--import', 'tsx']);
  t.same(workerExecArgv(['--max-old-space-size=512', '--eval', 'x', '-p', 'y', '--input-type', 'module', '--print=z']), ['--max-old-space-size=512']);
  t.same(workerExecArgv([]), []);
});

t.test('message guards: only tagged messages of the right direction', async (t) => {
  t.ok(isFromWorker({ pdp: 'out', text: 'x\n' }));
  t.ok(isFromPrimary({ pdp: 'lookup-local', rid: 1, id: 'a' }));
  t.notOk(isFromWorker({ pdp: 'lookup-local', rid: 1, id: 'a' }), 'a primary message is not a worker one');
  for (const m of [null, undefined, 'out', 42, {}, { type: 'prom-client:getMetricsReq' }, { pdp: 1 }, { pdp: 'constructor' }, { pdp: '__proto__' }]) {
    t.notOk(isFromWorker(m) || isFromPrimary(m), `ignored: ${JSON.stringify(m)}`);
  }
});

t.test('primary log: pino-shaped JSON lines, the level honoured', async (t) => {
  const out: string[] = [];
  const log = primaryLog('warn', (l) => out.push(l));
  log.info({ a: 1 }, 'quiet');
  log.error({ worker: 2 }, 'loud');
  t.equal(out.length, 1);
  t.match(JSON.parse(out[0]!), { level: 50, pid: process.pid, role: 'primary', worker: 2, msg: 'loud' });
  t.ok(out[0]!.endsWith('\n'));
  const silent: string[] = [];
  primaryLog('silent', (l) => silent.push(l)).fatal({}, 'x');
  t.same(silent, []);
});
