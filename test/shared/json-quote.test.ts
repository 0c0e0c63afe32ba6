// quoted() writes a string as JSON.stringify does, taking a shortcut only for printable ASCII
// without quotes or backslashes: every UTF-16 code unit alone and inside ids must agree.
import t from 'tap';
import { quoted } from '../../src/shared/json-quote.js';

t.test('every code unit, alone and between ASCII, is written as JSON.stringify writes it', async (t) => {
  let differ = 0;
  let first = '';
  for (let c = 0; c <= 0xffff; c++) {
    for (const s of [String.fromCharCode(c), `id-${String.fromCharCode(c)}-0af7651916cd43dd`]) {
      if (quoted(s) !== JSON.stringify(s)) {
        differ++;
        first ||= `U+${c.toString(16).padStart(4, '0')}`;
      }
    }
  }
  t.equal(differ, 0, first || 'all 65,536 agree');
});

t.test('ids, timestamps, surrogate pairs and the empty string', async (t) => {
  for (const s of ['', '2f1c3e0a-6b0e-4c43-9a57-1f0e6e1c2d3b', '2026-12-06T21:00:00.000Z', '127.0.0.1', 'pair 😀', 'a"b', 'a\\b', 'tab\t', '\u2028']) {
    // ASCII only in the name: a raw U+2028 ends tap's line.
    t.equal(
      quoted(s),
      JSON.stringify(s),
      JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    );
  }
});
