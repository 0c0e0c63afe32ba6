// One instance id per service (src/shared/instance.ts): a cluster worker adopts its primary's id
// from its argument, and nothing else.
import t from 'tap';

t.test("a worker takes its primary's instance id only when it is a UUID", async (t) => {
  const { adoptInstanceId, instanceId, instanceLabels } = await import('../../src/shared/instance.js');
  const own = instanceId();
  for (const hostile of [undefined, '', 'x', '../../etc', `${own}\n`, 'A'.repeat(10_000), '00000000-0000-0000-0000-00000000000G']) {
    adoptInstanceId(hostile);
    t.equal(instanceId(), own, `ignored: ${JSON.stringify(hostile?.slice(0, 20))}`);
  }
  const primary = '0f8b7c9e-1d2a-4b3c-8d4e-5f6a7b8c9d0e';
  adoptInstanceId(primary);
  t.equal(instanceId(), primary);
  t.match(instanceLabels({ id: 'forged', version: 'forged', region: 'eu' }), { id: primary, region: 'eu' }, 'configured labels cannot replace the id');
  t.not(instanceLabels({ version: 'forged' }).version, 'forged', 'nor the version');
  adoptInstanceId(own);
});
