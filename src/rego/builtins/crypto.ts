// crypto.md5 crypto.sha1 crypto.sha256 crypto.hmac.md5/sha1/sha256/sha512
// crypto.hmac.equal — hex digests of the UTF-8 bytes of the input, via node:crypto.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Builtin, BuiltinContext } from './types.js';
import { def, str, strCost, utf8 } from './util.js';

function charge(ctx: BuiltinContext, s: string): void {
  ctx.checkBudget(strCost(s));
}

function hash(name: string, alg: string): Builtin {
  return def(name, ['string'], ([a], ctx) => {
    const s = str(a, 1);
    charge(ctx, s);
    return createHash(alg).update(utf8(s)).digest('hex');
  });
}

function hmac(name: string, alg: string): Builtin {
  return def(name, ['string', 'string'], ([a, k], ctx) => {
    const s = str(a, 1);
    const key = str(k, 2);
    charge(ctx, s);
    return createHmac(alg, utf8(key)).update(utf8(s)).digest('hex');
  });
}

export const crypto: Builtin[] = [
  hash('crypto.md5', 'md5'),
  hash('crypto.sha1', 'sha1'),
  hash('crypto.sha256', 'sha256'),
  hmac('crypto.hmac.md5', 'md5'),
  hmac('crypto.hmac.sha1', 'sha1'),
  hmac('crypto.hmac.sha256', 'sha256'),
  hmac('crypto.hmac.sha512', 'sha512'),
  def('crypto.hmac.equal', ['string', 'string'], ([a, b]) => {
    const x = utf8(str(a, 1));
    const y = utf8(str(b, 2));
    return x.length === y.length && timingSafeEqual(x, y);
  }),
];
