// Strings a policy produces are stored one byte per character whenever their characters allow
// it, even when the policy's source holds a wider character (an em dash in a comment): V8
// stores a string sliced from such source two bytes per character, and so every answer and
// decision record built from it — twice the memory and V8's slower paths for JSON, UTF-8
// encoding, hashing and comparison, on every decision. How V8 stores a string is visible
// through its serializer: a one-byte string is tagged '"' (0x22), a two-byte one 'c' (0x63).
import t from 'tap';
import { compile, toJSON } from '../../src/rego/index.js';
import { tokenize, type Comment } from '../../src/rego/lexer.js';
import { ONE_BYTE, TWO_BYTE, storage, strings } from '../helpers/string-storage.js';

const SOURCE = `package narrow
# The answer — reasons and all — must not inherit this comment's em dash.
decision := {"allow": false, "reasons": [{"code": "CODE_X", "message": sprintf("%s: %v", ["too many", input.n])}], "note": $"n is {input.n}", "raw": \`raw "text"\`}
wide := "naïve — “quoted”"
`;

t.test('the probe itself: a slice of wide text is two-byte, its one-byte copy is not', async (t) => {
  t.equal(storage('x — abc'.slice(4)), TWO_BYTE);
  t.equal(storage('abc'), ONE_BYTE);
});

t.test("a policy's strings are one-byte when their characters allow, whatever the source holds", async (t) => {
  const policy = compile([{ file: 'narrow.rego', source: SOURCE }], {});
  const answer = toJSON(policy.evaluate('narrow.decision', { input: { n: 3 } }).value!) as Record<string, unknown>;
  t.same(answer, {
    allow: false,
    reasons: [{ code: 'CODE_X', message: 'too many: 3' }],
    note: 'n is 3',
    raw: 'raw "text"',
  });
  const all = strings(answer);
  t.ok(all.length >= 9, 'keys and values checked');
  for (const s of all) t.equal(storage(s), ONE_BYTE, `one-byte: ${JSON.stringify(s)}`);
  t.equal(storage(JSON.stringify(answer)), ONE_BYTE, 'and so is the answer written as JSON');
  // A string that needs two bytes keeps its characters.
  t.equal(toJSON(policy.evaluate('narrow.wide', { input: {} }).value!), 'naïve — “quoted”');
});

t.test('tokens: texts, string values, template parts and comments', async (t) => {
  const comments: Comment[] = [];
  const toks = tokenize('x.rego', 'package p # — \nx := $"a {input.y} b"\ny := "é-ok"\n', comments);
  for (const tok of toks) {
    if (tok.kind === 'eof') continue;
    t.equal(storage(tok.text), ONE_BYTE, `token text ${tok.text}`);
    if (tok.value !== undefined) t.equal(storage(tok.value), ONE_BYTE, `token value ${tok.value}`);
    for (const p of tok.parts ?? []) t.equal(storage('text' in p ? p.text : p.expr), ONE_BYTE, 'template part');
  }
  t.equal(toks.find((x) => x.kind === 'string')?.value, 'é-ok', 'a Latin-1 character is kept');
  t.equal(comments[0]?.text, ' — ', 'a comment with a wide character keeps it');
  t.equal(storage(comments[0]!.text), TWO_BYTE, '(and needs two bytes)');
});

t.test('hostile source text: values kept exactly, whatever their characters or size', async (t) => {
  const big = 'a'.repeat(1 << 20);
  const src = `package p # —\nx := "${big}"\ny := "\\ud800 lone, 😀 astral, \\u00ff\\u0100"\nz := \`raw ÿ ${'\u00e9'.repeat(1000)}\`\n`;
  const values = tokenize('x.rego', src)
    .filter((tok) => tok.kind === 'string')
    .map((tok) => tok.value);
  t.equal(values[0], big, 'a 1 MiB literal');
  t.equal(storage(values[0]!), ONE_BYTE);
  t.equal(values[1], '\ufffd lone, 😀 astral, \u00ff\u0100', 'an astral character and U+0100 kept (a lone surrogate escape is U+FFFD, as Go decodes it)');
  t.equal(storage(values[1]!), TWO_BYTE, '(which need two bytes)');
  t.equal(values[2], `raw ÿ ${'é'.repeat(1000)}`, 'Latin-1 characters kept');
  t.equal(storage(values[2]!), ONE_BYTE);
});
