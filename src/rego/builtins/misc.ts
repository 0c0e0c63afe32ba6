// print, trace, internal.test_case, opa.runtime, rand.intn.

import { randomInt } from 'node:crypto';
import { ObjectV, type Value } from '../value.js';
import { evalMemo } from './cache.js';
import type { Builtin } from './types.js';
import { def, intOp, regoString, str } from './util.js';

/** OPA's print formatting: strings as they are, other values in Rego syntax, undefined as <undefined>. */
export function printText(args: (Value | undefined)[]): string {
  return args.map((a) => (a === undefined ? '<undefined>' : typeof a === 'string' ? a : regoString(a))).join(' ');
}

function randomBelow(n: number): number {
  if (n <= 0x0000ffffffffffff) return randomInt(n);
  // randomInt is limited to 2^48; larger bounds use two draws (uniform enough for policy use).
  return Math.floor(((randomInt(0x1000000) * 2 ** 24 + randomInt(0x1000000)) / 2 ** 48) * n);
}

export const misc: Builtin[] = [
  def(
    'print',
    [],
    (args, ctx) => {
      ctx.print(printText(args as (Value | undefined)[]));
      return true;
    },
    { arity: -1 },
  ),

  def('trace', ['string'], ([note], ctx) => {
    const msg = str(note, 1);
    ctx.trace?.(msg);
    return true;
  }),

  // OPA's builtinTestCase (v1/topdown/test.go) is true and hands its argument to the query
  // tracers as a TestCase event, which opa test reads to name the cases of a parameterized
  // test. The value is OPA's; the event has no reader here (pdp test reports rules, not cases).
  def('internal.test_case', ['array'], () => true),

  def('opa.runtime', [], () => new ObjectV()),

  def(
    'rand.intn',
    ['string', 'number'],
    ([s, n], ctx) => {
      const seed = str(s, 1);
      let bound = intOp(n, 2);
      if (bound === 0) return 0;
      if (bound < 0) bound = -bound;
      ctx.markRandom();
      return evalMemo(ctx, `rand.intn\u0000${seed}\u0000${bound}`, () => randomBelow(Math.min(bound, Number.MAX_SAFE_INTEGER)));
    },
    { nondeterministic: true },
  ),
];
