// to_number.

import { normNum } from '../value.js';
import { parseNumberText } from './encoding.js';
import type { Builtin } from './types.js';
import { def, fail, typeErr } from './util.js';

/** Go's strconv.ParseFloat syntax (decimal, hex floats, inf/nan spelled out; underscores only with a base prefix). */
const GO_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)$/;

export const conversions: Builtin[] = [
  def('to_number', ['null|boolean|number|string'], ([a]) => {
    if (a === null) return 0;
    if (typeof a === 'boolean') return a ? 1 : 0;
    if (typeof a === 'number' || typeof a === 'bigint') return a;
    if (typeof a === 'string') {
      const lower = a.replace(/^[+-]+/, '').toLowerCase();
      if (lower === 'inf' || lower === 'infinity' || lower === 'nan') throw typeErr(1, a, 'valid number string');
      if (!GO_FLOAT.test(a)) throw fail(`strconv.ParseFloat: parsing ${JSON.stringify(a)}: invalid syntax`);
      if (/^[+-]?0[xX]/.test(a)) {
        // hex float: value via Number for the mantissa and exponent
        const neg = a.startsWith('-');
        const body = a.replace(/^[+-]?0[xX]/, '');
        const [mant, exp = '0'] = body.split(/[pP]/);
        const [ip, fp = ''] = mant.split('.');
        const v = (parseInt(ip || '0', 16) + (fp === '' ? 0 : parseInt(fp, 16) / 16 ** fp.length)) * 2 ** Number(exp);
        if (!Number.isFinite(v)) throw fail(`strconv.ParseFloat: parsing ${JSON.stringify(a)}: value out of range`);
        return normNum(neg ? -v : v);
      }
      return parseNumberText(a.replace(/^\+/, ''));
    }
    throw typeErr(1, a, 'null', 'boolean', 'number', 'string');
  }),
];
