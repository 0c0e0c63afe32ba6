// The AuthZEN Todo interop suite: every vector of ../shared/authzen/interop/todo-decisions-1_0-02.json
// (40 evaluation + 3 evaluations cases, the file seventeen PDPs published full passes of) against a
// real listening server with examples/authzen-todo/. Skips, saying why, only when ../shared is absent.
import t from 'tap';
import { EVALUATION, EVALUATIONS, TODO_BUNDLE, TODO_VECTORS, readJson, sharedMissing, startAuthzen, type Decision } from '../helpers/authzen.js';

interface Vectors {
  evaluation: { request: unknown; expected: boolean }[];
  evaluations: { request: unknown; expected: Decision[] }[];
}

const missing = sharedMissing(TODO_VECTORS);

t.test('Todo interop vectors: 43/43', { skip: missing ?? false }, async (t) => {
  const vectors = readJson<Vectors>(TODO_VECTORS);
  t.equal(vectors.evaluation.length, 40, '40 evaluation vectors');
  t.equal(vectors.evaluations.length, 3, '3 evaluations vectors');
  const pdp = await startAuthzen({ bundleDir: TODO_BUNDLE });
  t.teardown(() => pdp.close());

  let passed = 0;
  for (const [i, v] of vectors.evaluation.entries()) {
    const r = await pdp.post(EVALUATION, v.request);
    const ok = r.status === 200 && (r.json as Decision).decision === v.expected;
    if (ok) passed++;
    t.ok(ok, `evaluation #${i + 1}: expected ${v.expected}`, { request: v.request, status: r.status, answer: r.json });
  }
  for (const [i, v] of vectors.evaluations.entries()) {
    const r = await pdp.post(EVALUATIONS, v.request);
    const got = (r.json as { evaluations?: Decision[] }).evaluations?.map((d) => d.decision);
    const ok = r.status === 200 && JSON.stringify(got) === JSON.stringify(v.expected.map((d) => d.decision));
    if (ok) passed++;
    t.ok(ok, `evaluations #${i + 1}: expected ${JSON.stringify(v.expected)}`, { request: v.request, answer: r.json });
  }
  t.equal(passed, 43, `${passed}/43 vectors pass`);
});
