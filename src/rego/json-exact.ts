// JSON text → plain JS values with numbers kept exact, as OPA reads JSON (json.Number):
// integers of any size and exponent become bigints where a double would round them
// (`123456789012345678901234567890e0`), other numbers are doubles. fromJSON (value.ts)
// takes the result as it is. lossless-json does the parsing: it keeps each number's text.
import { parse } from 'lossless-json';
import { RegoError } from './errors.js';
import { parseNumberText } from './value.js';

function exactNumber(text: string): number | bigint {
  const v = parseNumberText(text);
  if (v === null) throw new RegoError('eval_type_error', `number ${text.length > 40 ? text.slice(0, 37) + '...' : text} is too big`);
  return v;
}

/** Parses JSON text like JSON.parse, numbers exact; throws SyntaxError or RegoError. */
export function parseJSONExact(text: string): unknown {
  return parse(text, null, exactNumber);
}
