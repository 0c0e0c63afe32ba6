// net.cidr_merge (OPA's conformance cases opa-v1/netcidrmerge cover the merges; these add the
// edges) and the deprecated net.cidr_overlap.
import t from 'tap';
import { SetV } from '../../src/rego/value.js';
import { call, err, show } from '../helpers/builtin-harness.js';

t.test('net.cidr_merge', async (t) => {
  t.equal(show(call('net.cidr_merge', ['192.0.128.0/24', '192.0.129.0/24'])), '["192.0.128.0/23"]');
  t.equal(show(call('net.cidr_merge', ['192.0.2.112/31', '192.0.2.116/31', '192.0.2.118/31'])), '["192.0.2.112/31","192.0.2.116/30"]');
  t.equal(show(call('net.cidr_merge', new SetV(['10.0.0.0/9', '10.128.0.0/9']))), '["10.0.0.0/8"]', 'a set operand');
  t.equal(show(call('net.cidr_merge', ['fe80::/120', '192.0.2.0/24'])), '["192.0.2.0/24","fe80::/120"]', 'families kept apart');
  t.equal(show(call('net.cidr_merge', ['10.1.2.3'])), '["10.0.0.0/8"]', 'a bare IPv4 address stands for its classful network (Go DefaultMask)');
  t.equal(show(call('net.cidr_merge', ['172.16.5.4', '192.168.1.1'])), '["172.16.0.0/16","192.168.1.0/24"]');
  t.equal(show(call('net.cidr_merge', ['192.0.2.1/32', '192.0.2.0/32'])), '["192.0.2.0/31"]');
  t.equal(show(call('net.cidr_merge', [])), '[]');
  t.equal(err('net.cidr_merge', ['fe80::1']).detail, 'net.cidr_merge: IPv6 invalid: needs prefix length');
  t.equal(err('net.cidr_merge', ['foo']).detail, 'net.cidr_merge: invalid CIDR address: foo');
  t.equal(err('net.cidr_merge', [1]).detail, 'net.cidr_merge: invalid type');
  t.equal(err('net.cidr_merge', 'x').detail, 'net.cidr_merge: operand 1 must be one of {array, set} but got string');
});

t.test('net.cidr_overlap (deprecated net.cidr_contains for one address)', async (t) => {
  t.equal(call('net.cidr_overlap', '192.168.0.0/16', '192.168.1.1'), true);
  t.equal(call('net.cidr_overlap', '192.168.0.0/16', '10.0.0.1'), false);
  t.equal(call('net.cidr_overlap', 'fd00::/8', 'fd00::1'), true);
  t.equal(err('net.cidr_overlap', 'x', '1.2.3.4').detail, 'net.cidr_overlap: invalid CIDR address: x');
  t.equal(err('net.cidr_overlap', '10.0.0.0/8', 'y').detail, 'net.cidr_overlap: not a valid textual representation of an IP address: y');
});
