// time.now_ns time.parse_ns time.parse_rfc3339_ns time.parse_duration_ns time.format time.date
// time.clock time.weekday time.add_date time.diff — nanosecond instants as exact integers.

import { normNum, type Value } from '../value.js';
import {
  LONG_DAYS,
  NAMED_LAYOUTS,
  TimeError,
  UTC,
  daysIn,
  formatTime,
  fromCivil,
  inRange,
  loadZone,
  parseDuration,
  parseTime,
  toCivil,
  type Zone,
} from './gotime.js';
import type { Builtin } from './types.js';
import { def, fail, intOp, num, str, typeErr } from './util.js';

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TimeError) throw fail(e.message);
    throw e;
  }
}

function safeNs(ns: bigint): Value {
  if (!inRange(ns)) throw fail('time outside of valid range');
  return normNum(ns);
}

/**
 * Parsed RFC 3339 instants: policies re-parse the same timestamps (from data) on every decision,
 * and the general layout-driven parser is comparatively slow. Pure, so a bounded cache is safe.
 */
const RFC3339_CACHE_MAX = 1024;
const rfc3339Parsed = new Map<string, Value>();

const NS_OPERAND = 'either number (ns) or [number (ns), string (tz)]';

/** OPA's tzTime: a number of ns, or [ns, tz] / [ns, tz, layout]. */
function tzTime(a: Value): { ns: bigint; zone: Zone; layout: string } {
  let nv: Value;
  let zone: Zone = UTC;
  let layout = '';
  if (Array.isArray(a)) {
    if (a.length === 0) throw typeErr(1, a, NS_OPERAND);
    nv = num(a[0], 1);
    if (a.length > 1) zone = wrap(() => loadZone(str(a[1], 1)));
    if (a.length > 2) layout = str(a[2], 1);
  } else if (typeof a === 'number' || typeof a === 'bigint') {
    nv = a;
  } else {
    throw typeErr(1, a, NS_OPERAND);
  }
  const n = nv as number | bigint;
  if (typeof n === 'number' && !Number.isInteger(n)) throw fail('timestamp too big');
  const ns = typeof n === 'bigint' ? n : BigInt(n);
  if (!inRange(ns)) throw fail('timestamp too big');
  return { ns, zone, layout };
}

export const time: Builtin[] = [
  def('time.now_ns', [], (_a, ctx) => normNum(ctx.nowNs()), { nondeterministic: true }),

  def('time.parse_ns', ['string', 'string'], ([l, v]) => {
    let layout = str(l, 1);
    const value = str(v, 2);
    layout = NAMED_LAYOUTS[layout] ?? layout;
    return safeNs(wrap(() => parseTime(layout, value)));
  }),

  def('time.parse_rfc3339_ns', ['string'], ([v]) => {
    const value = str(v, 1);
    const hit = rfc3339Parsed.get(value);
    if (hit !== undefined) return hit;
    const ns = safeNs(wrap(() => parseTime(NAMED_LAYOUTS.RFC3339, value)));
    if (rfc3339Parsed.size >= RFC3339_CACHE_MAX) rfc3339Parsed.clear();
    rfc3339Parsed.set(value, ns);
    return ns;
  }),

  def('time.parse_duration_ns', ['string'], ([v]) => normNum(wrap(() => parseDuration(str(v, 1))))),

  def('time.format', ['number|array'], ([a]) => {
    const t = tzTime(a);
    let layout = t.layout;
    if (layout === '') layout = NAMED_LAYOUTS.RFC3339Nano;
    else layout = NAMED_LAYOUTS[layout] ?? layout;
    return wrap(() => formatTime(toCivil(t.ns, t.zone), layout));
  }),

  def('time.date', ['number|array'], ([a]) => {
    const t = tzTime(a);
    const c = wrap(() => toCivil(t.ns, t.zone));
    return [c.year, c.month, c.day];
  }),

  def('time.clock', ['number|array'], ([a]) => {
    const t = tzTime(a);
    const c = wrap(() => toCivil(t.ns, t.zone));
    return [c.hour, c.min, c.sec];
  }),

  def('time.weekday', ['number|array'], ([a]) => {
    const t = tzTime(a);
    return LONG_DAYS[wrap(() => toCivil(t.ns, t.zone)).weekday];
  }),

  def('time.add_date', ['number|array', 'number', 'number', 'number'], ([a, y, m, d]) => {
    const t = tzTime(a);
    const years = intOp(y, 2);
    const months = intOp(m, 3);
    const days = intOp(d, 4);
    const c = wrap(() => toCivil(t.ns, t.zone));
    const ns = wrap(() => fromCivil(c.year + years, c.month + months, c.day + days, c.hour, c.min, c.sec, c.nsec, t.zone));
    return safeNs(ns);
  }),

  def('time.diff', ['number|array', 'number|array'], ([a, b]) => {
    const t1 = tzTime(a);
    const t2 = tzTime(b);
    // both in the first operand's location
    let x = t1.ns;
    let y = t2.ns;
    if (x > y) [x, y] = [y, x];
    const c1 = wrap(() => toCivil(x, t1.zone));
    const c2 = wrap(() => toCivil(y, t1.zone));
    let year = c2.year - c1.year;
    let month = c2.month - c1.month;
    let day = c2.day - c1.day;
    let hour = c2.hour - c1.hour;
    let min = c2.min - c1.min;
    let sec = c2.sec - c1.sec;
    if (sec < 0) {
      sec += 60;
      min--;
    }
    if (min < 0) {
      min += 60;
      hour--;
    }
    if (hour < 0) {
      hour += 24;
      day--;
    }
    if (day < 0) {
      day += daysIn(c1.month, c1.year);
      month--;
    }
    if (month < 0) {
      month += 12;
      year--;
    }
    return [year, month, day, hour, min, sec];
  }),
];
