// Query paths are split once per path (src/engines/path.ts): the same segments as splitting anew,
// shared and frozen, and the memo bounded against caller-chosen Data API paths.
import t from 'tap';
import { splitQueryPath } from '../../src/engines/path.js';

t.test('slash and dot paths, blanks and empty segments', async (t) => {
  const cases: [string, string[]][] = [
    ['ai/tools/decision', ['ai', 'tools', 'decision']],
    ['ai.tools.decision', ['ai', 'tools', 'decision']],
    ['/ai//tools/', ['ai', 'tools']],
    ['  ai/tools  ', ['ai', 'tools']],
    ['', []],
    ['a.b/c', ['a.b', 'c']],
  ];
  for (const [path, want] of cases) {
    t.same(splitQueryPath(path), want, JSON.stringify(path));
    t.equal(splitQueryPath(path), splitQueryPath(path), `${JSON.stringify(path)}: split once, shared`);
    t.ok(Object.isFrozen(splitQueryPath(path)), `${JSON.stringify(path)}: frozen, so no caller can change another's`);
  }
});

t.test('many distinct caller-chosen paths: each still split right, the memo bounded', async (t) => {
  const first = splitQueryPath('kept/a');
  for (let i = 0; i < 5000; i++) {
    const segs = splitQueryPath(`caller/${i}/x`);
    if (segs.length !== 3 || segs[1] !== String(i)) t.fail(`caller/${i}/x split as ${JSON.stringify(segs)}`);
  }
  t.same(splitQueryPath('kept/a'), ['kept', 'a'], 'an early path is split again after the memo started over');
  t.same(first, ['kept', 'a'], 'and what an earlier caller holds is unchanged');
});
