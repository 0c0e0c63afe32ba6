// The decision log asks the active policy set once per set whether it has a mask or drop document
// (src/decisionlog/policy-document.ts): the answer is kept per set and path, and a newly
// activated set is asked again.
import t from 'tap';
import { hasPolicyDocument } from '../../src/decisionlog/policy-document.js';
import type { ActivePolicySet } from '../../src/bundles/types.js';

/** A set that owns `paths` (each defined) and counts how often it is asked. */
function set(paths: string[]): ActivePolicySet & { asked: number } {
  const s = {
    asked: 0,
    engineFor(path: string) {
      s.asked++;
      return paths.includes(path) ? 'rego' : null;
    },
    mayDefine(path: string) {
      return paths.includes(path);
    },
  };
  return s as unknown as ActivePolicySet & { asked: number };
}

t.test('worked out once per set and path; a new set is asked again', async (t) => {
  const none = set([]);
  t.equal(hasPolicyDocument(none, 'system/log/mask'), false);
  t.equal(hasPolicyDocument(none, 'system/log/mask'), false);
  t.equal(none.asked, 1, 'the second record did not ask the set');
  const withMask = set(['system/log/mask']);
  t.equal(hasPolicyDocument(withMask, 'system/log/mask'), true, 'the next activation has a mask');
  t.equal(hasPolicyDocument(withMask, 'system/log/drop'), false, 'per path');
  t.equal(withMask.asked, 2);
});
