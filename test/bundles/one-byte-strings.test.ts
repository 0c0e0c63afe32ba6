// The repo's own bundle, loaded as the service loads it, answers with strings V8 stores one byte
// per character: its Rego sources hold em dashes and other wide characters in comments, and
// strings sliced from such text would be stored two bytes per character — every reason code,
// message and key, and then every answer and decision record made of them (twice the memory,
// V8's slower paths for JSON, UTF-8 encoding and hashing; the engine alone ~10 % slower on these
// policies). See narrow() in src/rego/lexer.ts; test/rego/narrow-strings.test.ts tests the lexer.
// How V8 stores a string shows in its serializer's tag: '"' one-byte, 'c' two-byte.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activate, prepareBundle } from '../../src/bundles/activate.js';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/bundles/limits.js';
import { readDirectory } from '../../src/bundles/read-dir.js';
import { ONE_BYTE, storage, strings } from '../helpers/string-storage.js';

const ROOT = join(import.meta.dirname, '..', '..');
const twoByte = (s: string): boolean => storage(s) !== ONE_BYTE;

t.test("the default policies' answers to every example are one-byte strings", async (t) => {
  const { files } = await readDirectory(join(ROOT, 'policies'), DEFAULT_BUNDLE_LIMITS);
  const wide = [...files].filter(([name, bytes]) => name.endsWith('.rego') && /[\u0100-\uffff]/.test(Buffer.from(bytes).toString('utf8')));
  t.ok(wide.length > 0, `the sources hold wide characters (${wide.length} files): the case this guards`);
  const set = (await activate(null, await prepareBundle('ai-governance', files, null))).set;
  for (const [kind, path] of [
    ['tool-call', 'ai/tools/decision'],
    ['model-deployment', 'ai/deployment/decision'],
  ] as const) {
    const dir = join(ROOT, 'examples', kind);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
      const outcome = set.evaluate(path, JSON.parse(readFileSync(join(dir, f), 'utf8')));
      if (!outcome.ok || !outcome.defined) {
        t.fail(`${kind}/${f}: no decision`);
        continue;
      }
      const all = strings(outcome.result);
      const bad = all.filter((s) => twoByte(s) && !/[\u0100-\uffff]/.test(s));
      t.same(bad, [], `${kind}/${f}: ${all.length} strings, none two-byte without needing it`);
      t.notOk(twoByte(JSON.stringify(outcome.result)), `${kind}/${f}: the answer's JSON is one-byte`);
    }
  }
});
