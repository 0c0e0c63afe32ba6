// A port-by-behaviour of the parts of Go's time package that OPA's time builtins expose:
// reference-time layouts (format and parse, with Go's error messages), ParseDuration,
// calendar arithmetic (Date normalisation, AddDate) and time zones (IANA zones through Intl).
// Instants are bigint nanoseconds since the Unix epoch.

// ---------------------------------------------------------------------------------------------
// Calendar

export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? y + 1 : y, m, d];
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

export const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

// ---------------------------------------------------------------------------------------------
// Zones

export interface Zone {
  name: string;
  /** Offset east of UTC, in seconds, at the given Unix second. */
  offsetAt(unixSec: number): number;
  /** Zone abbreviation at the given Unix second ("UTC", "CET", "+03"). */
  abbrevAt(unixSec: number): string;
}

export class TimeError extends Error {}

export const UTC: Zone = { name: 'UTC', offsetAt: () => 0, abbrevAt: () => 'UTC' };

function numericAbbrev(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a % 3600) / 60);
  return sign + String(h).padStart(2, '0') + (m !== 0 ? String(m).padStart(2, '0') : '');
}

const MAX_ZONES = 200;
const zoneCache = new Map<string, Zone>();

function intlZone(name: string): Zone {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new TimeError(`unknown time zone ${name}`);
  }
  const names = ['en-US', 'en-GB'].map((l) => new Intl.DateTimeFormat(l, { timeZone: name, timeZoneName: 'short' }));
  const offsetAt = (unixSec: number): number => {
    const parts = fmt.formatToParts(new Date(unixSec * 1000));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
    let year = get('year');
    if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
    const local = daysFromCivil(year, get('month'), get('day')) * 86400 + get('hour') * 3600 + get('minute') * 60 + get('second');
    return local - unixSec;
  };
  return {
    name,
    offsetAt,
    abbrevAt(unixSec: number): string {
      const d = new Date(unixSec * 1000);
      for (const f of names) {
        const v = f.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
        if (/^[A-Z]{2,5}$/.test(v)) return v;
      }
      return numericAbbrev(offsetAt(unixSec));
    },
  };
}

/** Go's time.LoadLocation, with "" and "UTC" as UTC and "Local" as the process zone. */
export function loadZone(name: string): Zone {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') {
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (local === 'UTC' || local === 'Etc/UTC' || local === undefined) return { ...UTC, name: 'Local' };
    return loadZone(local);
  }
  const hit = zoneCache.get(name);
  if (hit !== undefined) return hit;
  const z = intlZone(name);
  zoneCache.set(name, z);
  if (zoneCache.size > MAX_ZONES) zoneCache.delete(zoneCache.keys().next().value as string);
  return z;
}

// ---------------------------------------------------------------------------------------------
// Broken-down times

export const MIN_NS = -(2n ** 63n);
export const MAX_NS = 2n ** 63n - 1n;
const NS = 1_000_000_000n;

export interface Civil {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1..366
  offset: number; // seconds east
  zone: Zone;
  unixSec: number;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function toCivil(ns: bigint, zone: Zone): Civil {
  const secB = floorDiv(ns, NS);
  const nsec = Number(ns - secB * NS);
  const unixSec = Number(secB);
  const offset = zone.offsetAt(unixSec);
  const local = unixSec + offset;
  const days = Math.floor(local / 86400);
  let rem = local - days * 86400;
  const hour = Math.floor(rem / 3600);
  rem -= hour * 3600;
  const min = Math.floor(rem / 60);
  const sec = rem - min * 60;
  const [year, month, day] = civilFromDays(days);
  const weekday = (((days + 4) % 7) + 7) % 7;
  const yday = days - daysFromCivil(year, 1, 1) + 1;
  return { year, month, day, hour, min, sec, nsec, weekday, yday, offset, zone, unixSec };
}

/** Go's time.Date: normalises overflowing fields, then resolves the wall time in the zone. Returns ns (may be outside int64). */
export function fromCivil(year: number, month: number, day: number, hour: number, min: number, sec: number, nsec: number, zone: Zone): bigint {
  // normalise month into year
  let m = month - 1;
  year += Math.floor(m / 12);
  m = ((m % 12) + 12) % 12;
  const days = daysFromCivil(year, m + 1, 1) + (day - 1);
  const wall = BigInt(days) * 86400n + BigInt(hour) * 3600n + BigInt(min) * 60n + BigInt(sec);
  let total = wall * NS + BigInt(nsec);
  // Resolve the offset as Go does: look up at the wall time, then re-check at the adjusted instant.
  const wallSec = Number(floorDiv(total, NS));
  let offset = zone.offsetAt(clampSec(wallSec));
  if (offset !== 0) {
    const off2 = zone.offsetAt(clampSec(wallSec - offset));
    if (off2 !== offset) offset = off2;
  }
  total -= BigInt(offset) * NS;
  return total;
}

function clampSec(s: number): number {
  // Intl handles ±8.64e12 s (JS Date range); outside it the zone offset no longer matters for range checks.
  return Math.max(-8.64e12, Math.min(8.64e12, s));
}

export function inRange(ns: bigint): boolean {
  return ns >= MIN_NS && ns <= MAX_NS;
}

// ---------------------------------------------------------------------------------------------
// Layouts

const enum Std {
  None,
  LongMonth,
  Month,
  NumMonth,
  ZeroMonth,
  LongWeekDay,
  WeekDay,
  Day,
  UnderDay,
  ZeroDay,
  UnderYearDay,
  ZeroYearDay,
  Hour,
  Hour12,
  ZeroHour12,
  Minute,
  ZeroMinute,
  Second,
  ZeroSecond,
  LongYear,
  Year,
  PM,
  pm,
  TZ,
  ISO8601TZ,
  ISO8601SecondsTZ,
  ISO8601ShortTZ,
  ISO8601ColonTZ,
  ISO8601ColonSecondsTZ,
  NumTZ,
  NumSecondsTz,
  NumShortTZ,
  NumColonTZ,
  NumColonSecondsTZ,
  FracSecond0,
  FracSecond9,
}

interface Chunk {
  prefix: string;
  std: Std;
  /** for fractional seconds: number of digits and the separator */
  digits?: number;
  sep?: string;
  suffix: string;
  /** the layout text of the std element (for error messages) */
  text: string;
}

function lowerAt(s: string, i: number): boolean {
  if (i >= s.length) return false;
  const c = s.charCodeAt(i);
  return c >= 97 && c <= 122;
}

/** Longest layout or time string accepted (Go has no limit; this bounds the work per call). */
export const MAX_LAYOUT_LENGTH = 4096;

function isDigitAt(s: string, i: number): boolean {
  if (i >= s.length) return false;
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

const STD0X = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year];

function nextStdChunk(layout: string): Chunk {
  const mk = (i: number, std: Std, len: number, extra: Partial<Chunk> = {}): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    suffix: layout.slice(i + len),
    text: layout.slice(i, i + len),
    ...extra,
  });
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    switch (c) {
      case 'J':
        if (layout.startsWith('Jan', i)) {
          if (layout.startsWith('January', i)) return mk(i, Std.LongMonth, 7);
          if (!lowerAt(layout, i + 3)) return mk(i, Std.Month, 3);
        }
        break;
      case 'M':
        if (layout.startsWith('Mon', i)) {
          if (layout.startsWith('Monday', i)) return mk(i, Std.LongWeekDay, 6);
          if (!lowerAt(layout, i + 3)) return mk(i, Std.WeekDay, 3);
        }
        if (layout.startsWith('MST', i)) return mk(i, Std.TZ, 3);
        break;
      case '0':
        if (i + 1 < layout.length && layout[i + 1] >= '1' && layout[i + 1] <= '6') return mk(i, STD0X[layout.charCodeAt(i + 1) - 49], 2);
        if (layout.startsWith('002', i)) return mk(i, Std.ZeroYearDay, 3);
        break;
      case '1':
        if (layout[i + 1] === '5') return mk(i, Std.Hour, 2);
        return mk(i, Std.NumMonth, 1);
      case '2':
        if (layout.startsWith('2006', i)) return mk(i, Std.LongYear, 4);
        return mk(i, Std.Day, 1);
      case '_':
        if (layout[i + 1] === '2') {
          if (layout.startsWith('2006', i + 1)) return { prefix: layout.slice(0, i + 1), std: Std.LongYear, suffix: layout.slice(i + 5), text: '2006' };
          return mk(i, Std.UnderDay, 2);
        }
        if (layout[i + 1] === '_' && layout[i + 2] === '2') return mk(i, Std.UnderYearDay, 3);
        break;
      case '3':
        return mk(i, Std.Hour12, 1);
      case '4':
        return mk(i, Std.Minute, 1);
      case '5':
        return mk(i, Std.Second, 1);
      case 'P':
        if (layout[i + 1] === 'M') return mk(i, Std.PM, 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return mk(i, Std.pm, 2);
        break;
      case '-':
        if (layout.startsWith('-070000', i)) return mk(i, Std.NumSecondsTz, 7);
        if (layout.startsWith('-07:00:00', i)) return mk(i, Std.NumColonSecondsTZ, 9);
        if (layout.startsWith('-0700', i)) return mk(i, Std.NumTZ, 5);
        if (layout.startsWith('-07:00', i)) return mk(i, Std.NumColonTZ, 6);
        if (layout.startsWith('-07', i)) return mk(i, Std.NumShortTZ, 3);
        break;
      case 'Z':
        if (layout.startsWith('Z070000', i)) return mk(i, Std.ISO8601SecondsTZ, 7);
        if (layout.startsWith('Z07:00:00', i)) return mk(i, Std.ISO8601ColonSecondsTZ, 9);
        if (layout.startsWith('Z0700', i)) return mk(i, Std.ISO8601TZ, 5);
        if (layout.startsWith('Z07:00', i)) return mk(i, Std.ISO8601ColonTZ, 6);
        if (layout.startsWith('Z07', i)) return mk(i, Std.ISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.length && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            return mk(i, ch === '0' ? Std.FracSecond0 : Std.FracSecond9, j - i, { digits: j - (i + 1), sep: c });
          }
        }
        break;
    }
  }
  return { prefix: layout, std: Std.None, suffix: '', text: '' };
}

function pad(n: number, width: number): string {
  const neg = n < 0;
  const s = String(Math.abs(n)).padStart(width, '0');
  return neg ? '-' + s : s;
}

function fmtZone(offset: number, colon: boolean, seconds: boolean, short: boolean): string {
  let zone = Math.trunc(offset / 60);
  let absoffset = offset;
  let out: string;
  if (zone < 0) {
    out = '-';
    zone = -zone;
    absoffset = -absoffset;
  } else out = '+';
  out += pad(Math.floor(zone / 60), 2);
  if (!short || seconds) {
    if (colon) out += ':';
    if (!short) out += pad(zone % 60, 2);
  }
  if (seconds) {
    if (colon) out += ':';
    out += pad(absoffset % 60, 2);
  }
  return out;
}

/** Go's Time.Format. */
export function formatTime(t: Civil, layout: string): string {
  if (layout.length > MAX_LAYOUT_LENGTH) throw new TimeError(`layout longer than ${MAX_LAYOUT_LENGTH} characters`);
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const ch = nextStdChunk(rest);
    out += ch.prefix;
    if (ch.std === Std.None) break;
    rest = ch.suffix;
    switch (ch.std) {
      case Std.Year: {
        const y = t.year % 100;
        out += pad(y < 0 ? -y : y, 2);
        break;
      }
      case Std.LongYear:
        out += pad(t.year, 4);
        break;
      case Std.Month:
        out += LONG_MONTHS[t.month - 1].slice(0, 3);
        break;
      case Std.LongMonth:
        out += LONG_MONTHS[t.month - 1];
        break;
      case Std.NumMonth:
        out += String(t.month);
        break;
      case Std.ZeroMonth:
        out += pad(t.month, 2);
        break;
      case Std.WeekDay:
        out += LONG_DAYS[t.weekday].slice(0, 3);
        break;
      case Std.LongWeekDay:
        out += LONG_DAYS[t.weekday];
        break;
      case Std.Day:
        out += String(t.day);
        break;
      case Std.UnderDay:
        out += (t.day < 10 ? ' ' : '') + String(t.day);
        break;
      case Std.ZeroDay:
        out += pad(t.day, 2);
        break;
      case Std.UnderYearDay:
        out += String(t.yday).padStart(3, ' ');
        break;
      case Std.ZeroYearDay:
        out += pad(t.yday, 3);
        break;
      case Std.Hour:
        out += pad(t.hour, 2);
        break;
      case Std.Hour12:
        out += String(t.hour % 12 === 0 ? 12 : t.hour % 12);
        break;
      case Std.ZeroHour12:
        out += pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2);
        break;
      case Std.Minute:
        out += String(t.min);
        break;
      case Std.ZeroMinute:
        out += pad(t.min, 2);
        break;
      case Std.Second:
        out += String(t.sec);
        break;
      case Std.ZeroSecond:
        out += pad(t.sec, 2);
        break;
      case Std.PM:
        out += t.hour >= 12 ? 'PM' : 'AM';
        break;
      case Std.pm:
        out += t.hour >= 12 ? 'pm' : 'am';
        break;
      case Std.ISO8601TZ:
      case Std.ISO8601ColonTZ:
      case Std.ISO8601SecondsTZ:
      case Std.ISO8601ShortTZ:
      case Std.ISO8601ColonSecondsTZ:
      case Std.NumTZ:
      case Std.NumSecondsTz:
      case Std.NumShortTZ:
      case Std.NumColonTZ:
      case Std.NumColonSecondsTZ: {
        const iso = [Std.ISO8601TZ, Std.ISO8601ColonTZ, Std.ISO8601SecondsTZ, Std.ISO8601ShortTZ, Std.ISO8601ColonSecondsTZ].includes(ch.std);
        if (iso && t.offset === 0) {
          out += 'Z';
          break;
        }
        const colon = [Std.ISO8601ColonTZ, Std.NumColonTZ, Std.ISO8601ColonSecondsTZ, Std.NumColonSecondsTZ].includes(ch.std);
        const seconds = [Std.NumSecondsTz, Std.NumColonSecondsTZ, Std.ISO8601SecondsTZ, Std.ISO8601ColonSecondsTZ].includes(ch.std);
        const short = ch.std === Std.NumShortTZ || ch.std === Std.ISO8601ShortTZ;
        out += fmtZone(t.offset, colon, seconds, short);
        break;
      }
      case Std.TZ: {
        const name = t.zone === UTC ? 'UTC' : t.zone.abbrevAt(t.unixSec);
        if (name !== '') {
          out += name;
          break;
        }
        out += fmtZone(t.offset, false, false, false);
        break;
      }
      case Std.FracSecond0: {
        out += (ch.sep as string) + pad(t.nsec, 9).slice(0, ch.digits as number);
        break;
      }
      case Std.FracSecond9: {
        const digits = pad(t.nsec, 9)
          .slice(0, ch.digits as number)
          .replace(/0+$/, '');
        if (digits !== '') out += (ch.sep as string) + digits;
        break;
      }
    }
  }
  return out;
}

// ---- parsing ----

function goQuoteStr(s: string): string {
  return JSON.stringify(s);
}

class ParseError extends TimeError {}

function cannotParse(layout: string, value: string, valueElem: string, layoutElem: string): ParseError {
  return new ParseError(`parsing time ${goQuoteStr(value)} as ${goQuoteStr(layout)}: cannot parse ${goQuoteStr(valueElem)} as ${goQuoteStr(layoutElem)}`);
}

function rangeError(value: string, what: string): ParseError {
  return new ParseError(`parsing time ${goQuoteStr(value)}: ${what} out of range`);
}

/** Go's skip: match prefix, treating runs of spaces as equivalent. Returns the rest or null. */
function skip(value: string, prefix: string): string | null {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') return null;
      prefix = prefix.replace(/^ +/, '');
      value = value.replace(/^ +/, '');
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) return null;
    value = value.slice(1);
    prefix = prefix.slice(1);
  }
  return value;
}

/** getnum: 1 or 2 digits (exactly 2 when fixed). */
function getnum(s: string, fixed: boolean): [number, string] | null {
  if (!isDigitAt(s, 0)) return null;
  if (!isDigitAt(s, 1)) {
    if (fixed) return null;
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

function getnum3(s: string, fixed: boolean): [number, string] | null {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + (s.charCodeAt(i) - 48);
  if (i === 0 || (fixed && i !== 3)) return null;
  return [n, s.slice(i)];
}

function lookupName(tab: string[], val: string): [number, string] | null {
  for (let i = 0; i < tab.length; i++) {
    const v = tab[i];
    if (val.length >= v.length && val.slice(0, v.length).toLowerCase() === v.toLowerCase()) return [i, val.slice(v.length)];
  }
  return null;
}

function parseNanoseconds(value: string, nbytes: number): number | 'range' | null {
  if (value[0] !== '.' && value[0] !== ',') return null;
  if (nbytes > 10) {
    value = value.slice(0, 10);
    nbytes = 10;
  }
  const digits = value.slice(1, nbytes);
  if (!/^[0-9]+$/.test(digits)) return null;
  let ns = Number(digits);
  for (let i = 0; i < 10 - nbytes; i++) ns *= 10;
  return ns;
}

/** Go's parseTimeZone: length of a zone abbreviation at the start of value, or 0. */
function parseTimeZone(value: string): number {
  if (value.length < 3) return 0;
  if (value.length >= 4 && (value.startsWith('ChST') || value.startsWith('MeST'))) return 4;
  if (value.startsWith('GMT')) {
    return 3 + parseGMT(value.slice(3));
  }
  if (value[0] === '+' || value[0] === '-') {
    const m = /^[+-]\d{2}(\d{2})?/.exec(value);
    return m === null ? 0 : m[0].length;
  }
  let n = 0;
  while (n < value.length && value[n] >= 'A' && value[n] <= 'Z') n++;
  switch (n) {
    case 0:
    case 1:
    case 2:
    case 6:
      return 0;
    case 5:
      return value[4] === 'T' ? 5 : 0;
    case 4:
      return value[3] === 'T' || value.startsWith('WITA') ? 4 : 0;
    default:
      return 3;
  }
}

function parseGMT(value: string): number {
  if (value.length === 0 || (value[0] !== '+' && value[0] !== '-')) return 0;
  const m = /^[+-](\d+)/.exec(value);
  if (m === null) return 0;
  const x = Number(m[1]);
  if (x > 24 || (value[0] === '+' && x === 0)) return 0;
  return m[0].length;
}

/** Go's time.Parse (default location UTC). Returns ns since the epoch (may be outside int64). */
export function parseTime(layout: string, value: string): bigint {
  if (layout.length > MAX_LAYOUT_LENGTH || value.length > MAX_LAYOUT_LENGTH) {
    throw new TimeError(`layout or value longer than ${MAX_LAYOUT_LENGTH} characters`);
  }
  const alayout = layout;
  const avalue = value;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let zoneOffset: number | null = null;
  let zoneName = '';
  let utc = false;
  let pmSet = false;
  let amSet = false;
  let rangeErr = '';

  for (;;) {
    const ch = nextStdChunk(layout);
    const stdstr = ch.text;
    const v = skip(value, ch.prefix);
    if (v === null) throw cannotParse(alayout, avalue, value, ch.prefix);
    value = v;
    if (ch.std === Std.None) {
      if (value.length !== 0) throw new ParseError(`parsing time ${goQuoteStr(avalue)}: extra text: ${goQuoteStr(value)}`);
      break;
    }
    layout = ch.suffix;
    const hold = value;
    let ok = true;
    const take = (r: [number, string] | null): number => {
      if (r === null) {
        ok = false;
        return 0;
      }
      value = r[1];
      return r[0];
    };
    switch (ch.std) {
      case Std.Year: {
        if (value.length < 2 || !isDigitAt(value, 0) || !isDigitAt(value, 1)) {
          ok = false;
          break;
        }
        year = Number(value.slice(0, 2));
        value = value.slice(2);
        year += year >= 69 ? 1900 : 2000;
        break;
      }
      case Std.LongYear:
        if (value.length < 4 || !/^[0-9]{4}/.test(value)) {
          ok = false;
          break;
        }
        year = Number(value.slice(0, 4));
        value = value.slice(4);
        break;
      case Std.Month:
        month =
          take(
            lookupName(
              LONG_MONTHS.map((m) => m.slice(0, 3)),
              value,
            ),
          ) + 1;
        break;
      case Std.LongMonth:
        month = take(lookupName(LONG_MONTHS, value)) + 1;
        break;
      case Std.NumMonth:
      case Std.ZeroMonth:
        month = take(getnum(value, ch.std === Std.ZeroMonth));
        if (ok && (month <= 0 || month > 12)) rangeErr = 'month';
        break;
      case Std.WeekDay:
        take(
          lookupName(
            LONG_DAYS.map((d) => d.slice(0, 3)),
            value,
          ),
        );
        break;
      case Std.LongWeekDay:
        take(lookupName(LONG_DAYS, value));
        break;
      case Std.Day:
      case Std.UnderDay:
      case Std.ZeroDay:
        if (ch.std === Std.UnderDay && value.length > 0 && value[0] === ' ') value = value.slice(1);
        day = take(getnum(value, ch.std === Std.ZeroDay));
        break;
      case Std.UnderYearDay:
      case Std.ZeroYearDay:
        for (let i = 0; i < 2; i++) if (ch.std === Std.UnderYearDay && value.length > 0 && value[0] === ' ') value = value.slice(1);
        yday = take(getnum3(value, ch.std === Std.ZeroYearDay));
        if (ok && (yday < 1 || yday > 366)) rangeErr = 'day-of-year';
        break;
      case Std.Hour:
        hour = take(getnum(value, false));
        if (ok && (hour < 0 || hour >= 24)) rangeErr = 'hour';
        break;
      case Std.Hour12:
      case Std.ZeroHour12:
        hour = take(getnum(value, ch.std === Std.ZeroHour12));
        if (ok && (hour < 0 || hour > 12)) rangeErr = 'hour';
        break;
      case Std.Minute:
      case Std.ZeroMinute:
        min = take(getnum(value, ch.std === Std.ZeroMinute));
        if (ok && (min < 0 || min >= 60)) rangeErr = 'minute';
        break;
      case Std.Second:
      case Std.ZeroSecond: {
        sec = take(getnum(value, ch.std === Std.ZeroSecond));
        if (!ok) break;
        if (sec < 0 || sec >= 60) {
          rangeErr = 'second';
          break;
        }
        // A fractional second in the value but not in the layout.
        if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
          const next = nextStdChunk(layout);
          if (next.std === Std.FracSecond0 || next.std === Std.FracSecond9) break;
          let n = 2;
          while (n < value.length && isDigitAt(value, n)) n++;
          const ns = parseNanoseconds(value, n);
          if (ns === null || ns === 'range') {
            ok = false;
            break;
          }
          nsec = ns;
          value = value.slice(n);
        }
        break;
      }
      case Std.PM:
        if (value.length < 2) {
          ok = false;
          break;
        }
        if (value.slice(0, 2) === 'PM') pmSet = true;
        else if (value.slice(0, 2) === 'AM') amSet = true;
        else ok = false;
        value = value.slice(2);
        break;
      case Std.pm:
        if (value.length < 2) {
          ok = false;
          break;
        }
        if (value.slice(0, 2) === 'pm') pmSet = true;
        else if (value.slice(0, 2) === 'am') amSet = true;
        else ok = false;
        value = value.slice(2);
        break;
      case Std.ISO8601TZ:
      case Std.ISO8601ShortTZ:
      case Std.ISO8601ColonTZ:
      case Std.ISO8601SecondsTZ:
      case Std.ISO8601ColonSecondsTZ:
      case Std.NumTZ:
      case Std.NumShortTZ:
      case Std.NumColonTZ:
      case Std.NumSecondsTz:
      case Std.NumColonSecondsTZ: {
        const iso = [Std.ISO8601TZ, Std.ISO8601ShortTZ, Std.ISO8601ColonTZ, Std.ISO8601SecondsTZ, Std.ISO8601ColonSecondsTZ].includes(ch.std);
        if (iso && value.length >= 1 && value[0] === 'Z') {
          value = value.slice(1);
          utc = true;
          break;
        }
        let sign: string;
        let hh: string;
        let mm = '00';
        let ss = '00';
        if (ch.std === Std.ISO8601ColonTZ || ch.std === Std.NumColonTZ) {
          if (value.length < 6 || value[3] !== ':') {
            ok = false;
            break;
          }
          [sign, hh, mm] = [value[0], value.slice(1, 3), value.slice(4, 6)];
          value = value.slice(6);
        } else if (ch.std === Std.NumShortTZ || ch.std === Std.ISO8601ShortTZ) {
          if (value.length < 3) {
            ok = false;
            break;
          }
          [sign, hh] = [value[0], value.slice(1, 3)];
          value = value.slice(3);
        } else if (ch.std === Std.ISO8601ColonSecondsTZ || ch.std === Std.NumColonSecondsTZ) {
          if (value.length < 9 || value[3] !== ':' || value[6] !== ':') {
            ok = false;
            break;
          }
          [sign, hh, mm, ss] = [value[0], value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)];
          value = value.slice(9);
        } else if (ch.std === Std.ISO8601SecondsTZ || ch.std === Std.NumSecondsTz) {
          if (value.length < 7) {
            ok = false;
            break;
          }
          [sign, hh, mm, ss] = [value[0], value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)];
          value = value.slice(7);
        } else {
          if (value.length < 5) {
            ok = false;
            break;
          }
          [sign, hh, mm] = [value[0], value.slice(1, 3), value.slice(3, 5)];
          value = value.slice(5);
        }
        const h = getnum(hh, true);
        const m = getnum(mm, true);
        const s = getnum(ss, true);
        if (h === null || m === null || s === null) {
          ok = false;
          break;
        }
        if (h[0] > 24) rangeErr = 'time zone offset hour';
        if (m[0] > 60) rangeErr = 'time zone offset minute';
        if (s[0] > 60) rangeErr = 'time zone offset second';
        let off = (h[0] * 60 + m[0]) * 60 + s[0];
        if (sign === '-') off = -off;
        else if (sign !== '+') ok = false;
        zoneOffset = off;
        break;
      }
      case Std.TZ: {
        if (value.length >= 3 && value.slice(0, 3) === 'UTC') {
          value = value.slice(3);
          utc = true;
          break;
        }
        const n = parseTimeZone(value);
        if (n === 0) {
          ok = false;
          break;
        }
        zoneName = value.slice(0, n);
        value = value.slice(n);
        break;
      }
      case Std.FracSecond0: {
        const ndigit = 1 + (ch.digits as number);
        if (value.length < ndigit) {
          ok = false;
          break;
        }
        const ns = parseNanoseconds(value, ndigit);
        if (ns === null || ns === 'range') {
          ok = false;
          break;
        }
        nsec = ns;
        value = value.slice(ndigit);
        break;
      }
      case Std.FracSecond9: {
        if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
        let i = 0;
        while (i + 1 < value.length && isDigitAt(value, i + 1)) i++;
        const ns = parseNanoseconds(value, 1 + i);
        if (ns === null || ns === 'range') {
          ok = false;
          break;
        }
        nsec = ns;
        value = value.slice(1 + i);
        break;
      }
    }
    if (rangeErr !== '') throw rangeError(avalue, rangeErr);
    if (!ok) throw cannotParse(alayout, avalue, hold, stdstr);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    let d: number;
    let m: number;
    if (isLeap(year)) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else {
        const y = yday > 31 + 29 ? yday - 1 : yday;
        [m, d] = monthDayOfYday(y);
      }
    } else [m, d] = monthDayOfYday(yday);
    if (yday > 365 && !isLeap(year)) throw rangeError(avalue, 'day-of-year');
    if (month >= 0 && month !== m) throw rangeError(avalue, 'day-of-year');
    if (day >= 0 && day !== d) throw rangeError(avalue, 'day-of-year');
    month = m;
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw new ParseError(`parsing time ${goQuoteStr(avalue)}: day out of range`);

  if (utc) return fromCivil(year, month, day, hour, min, sec, nsec, UTC);
  if (zoneOffset !== null) return fromCivil(year, month, day, hour, min, sec, nsec, UTC) - BigInt(zoneOffset) * NS;
  if (zoneName !== '') {
    // Go: an abbreviation unknown to the local zone is taken as UTC (offset 0), except GMT±h.
    let off = 0;
    if (zoneName.length > 3 && zoneName.startsWith('GMT')) off = Number(zoneName.slice(3)) * 3600;
    return fromCivil(year, month, day, hour, min, sec, nsec, UTC) - BigInt(off) * NS;
  }
  return fromCivil(year, month, day, hour, min, sec, nsec, UTC);
}

function monthDayOfYday(yday: number): [number, number] {
  let m = 1;
  let d = yday;
  while (m <= 12 && d > daysIn(m, 2001)) {
    d -= daysIn(m, 2001);
    m++;
  }
  return [m, d];
}

// ---------------------------------------------------------------------------------------------
// Durations (Go's time.ParseDuration)

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5
  μs: 1e3, // U+03BC
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export function parseDuration(orig: string): bigint {
  let s = orig;
  let d = 0n;
  let neg = false;
  const quoted = JSON.stringify(orig);
  if (s !== '') {
    const c = s[0];
    if (c === '-' || c === '+') {
      neg = c === '-';
      s = s.slice(1);
    }
  }
  if (s === '0') return 0n;
  if (s === '') throw new TimeError(`time: invalid duration ${quoted}`);
  const LIMIT = 1n << 63n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigitAt(s, 0))) throw new TimeError(`time: invalid duration ${quoted}`);
    let i = 0;
    while (isDigitAt(s, i)) i++;
    const intPart = s.slice(0, i);
    let v = intPart === '' ? 0n : BigInt(intPart);
    if (v >= LIMIT) throw new TimeError(`time: invalid duration ${quoted}`);
    s = s.slice(i);
    const pre = i !== 0;
    let f = 0;
    let scale = 1;
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (isDigitAt(s, j)) {
        if (!overflow) {
          if (f > 2 ** 63 / 10) overflow = true;
          else {
            f = f * 10 + (s.charCodeAt(j) - 48);
            scale *= 10;
          }
        }
        j++;
      }
      post = j !== 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw new TimeError(`time: invalid duration ${quoted}`);
    let u = 0;
    while (u < s.length && s[u] !== '.' && !isDigitAt(s, u)) u++;
    if (u === 0) throw new TimeError(`time: missing unit in duration ${quoted}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = UNITS[unitName];
    if (unit === undefined) throw new TimeError(`time: unknown unit ${JSON.stringify(unitName)} in duration ${quoted}`);
    const ub = BigInt(unit);
    if (v > (LIMIT - 1n) / ub) throw new TimeError(`time: invalid duration ${quoted}`);
    v *= ub;
    if (f > 0) {
      v += BigInt(Math.trunc(f * (unit / scale)));
      if (v >= LIMIT) throw new TimeError(`time: invalid duration ${quoted}`);
    }
    d += v;
    if (d >= LIMIT + (neg ? 1n : 0n)) throw new TimeError(`time: invalid duration ${quoted}`);
  }
  if (neg) return -d;
  if (d > LIMIT - 1n) throw new TimeError(`time: invalid duration ${quoted}`);
  return d;
}

export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
};
