import t from 'tap';
import { BUILTINS } from '../../src/rego/builtins/index.js';
import { type Value } from '../../src/rego/value.js';
import { call, err } from '../helpers/builtin-harness.js';

const T = 1703444325734390000n; // 2023-12-24T18:58:45.73439Z, a Sunday

t.test('time.now_ns comes from the context and is nondeterministic', async (t) => {
  t.equal(call('time.now_ns'), T);
  t.equal(BUILTINS.get('time.now_ns')?.nondeterministic, true);
});

t.test('time.parse_rfc3339_ns / parse_ns', async (t) => {
  t.equal(call('time.parse_rfc3339_ns', '1985-04-12T23:20:50.52Z'), 482196050520000000n);
  t.equal(call('time.parse_rfc3339_ns', '1996-12-19T16:39:57-08:00'), 851042397000000000n);
  t.equal(
    err('time.parse_rfc3339_ns', '1996-13-19T16:39:57-08:00').detail,
    'time.parse_rfc3339_ns: parsing time "1996-13-19T16:39:57-08:00": month out of range',
  );
  t.equal(err('time.parse_rfc3339_ns', '1996-02-30T16:39:57Z').detail, 'time.parse_rfc3339_ns: parsing time "1996-02-30T16:39:57Z": day out of range');
  t.equal(
    err('time.parse_rfc3339_ns', '1996-02-03').detail,
    'time.parse_rfc3339_ns: parsing time "1996-02-03" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"',
  );
  t.equal(err('time.parse_rfc3339_ns', 1).detail, 'time.parse_rfc3339_ns: operand 1 must be string but got number');
  t.equal(call('time.parse_ns', '2006-01-02T15:04:05', '2016-05-10T19:06:42'), 1462907202000000000n);
  t.equal(call('time.parse_ns', '2006-01-02 15:04:05', '2015-09-05 23:56:04'), 1441497364000000000n);
  t.equal(call('time.parse_ns', 'RFC1123Z', 'Mon, 02 Jan 2006 15:04:05 -0700'), 1136239445000000000n, 'named layouts');
  t.equal(call('time.parse_ns', '3:04PM Jan 2 2006', '11:30PM Feb 3 2021'), 1612395000000000000n);
  t.equal(call('time.parse_ns', '2006-002', '2021-060'), 1614556800000000000n, 'day of year');
  t.equal(err('time.parse_ns', '2006', '1500').detail, 'time.parse_ns: time outside of valid range');
});

t.test('time.format round-trips with parse_ns', async (t) => {
  t.equal(call('time.format', T), '2023-12-24T18:58:45.73439Z');
  t.equal(call('time.format', 1257894000000000000n), '2009-11-10T23:00:00Z');
  t.equal(call('time.format', [T, 'UTC', '2006-01-02T15:04:05']), '2023-12-24T18:58:45');
  t.equal(call('time.format', [1257894000000000000n, '', '02/01/2006 15:04']), '10/11/2009 23:00');
  t.equal(call('time.format', [T, 'UTC', 'Monday Jan _2 3:04:05.000 PM MST 002']), 'Sunday Dec 24 6:58:45.734 PM UTC 358');
  t.equal(call('time.format', [T, 'America/New_York', '2006-01-02T15:04:05-07:00']), '2023-12-24T13:58:45-05:00');
  const formatted = call('time.format', [T, 'UTC', '2006-01-02T15:04:05.999999999']) as string;
  t.equal(call('time.parse_ns', '2006-01-02T15:04:05.999999999', formatted), T);
  t.equal(err('time.format', [T, 'UTC', 42]).detail, 'time.format: operand 1 must be string but got number');
});

t.test('time.date / clock / weekday with zones', async (t) => {
  t.same(call('time.date', T), [2023, 12, 24]);
  t.same(call('time.date', [1257894000000000000n, 'UTC']), [2009, 11, 10]);
  t.same(call('time.clock', T), [18, 58, 45]);
  t.same(call('time.clock', [T, 'CET']), [19, 58, 45]);
  t.same(call('time.clock', [T, 'Asia/Kolkata']), [0, 28, 45]);
  t.equal(call('time.weekday', T), 'Sunday');
  t.equal(call('time.weekday', [1257894000000000000n, '']), 'Tuesday');
  t.same(call('time.date', -1), [1969, 12, 31], 'negative instants floor correctly');
  t.equal(err('time.weekday', [T, 'Nope/Zone']).detail, 'time.weekday: unknown time zone Nope/Zone');
  t.equal(err('time.date', '1703444325734390000n').detail, 'time.date: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string');
  t.equal(err('time.date', 1.5).detail, 'time.date: timestamp too big');
});

t.test('time.add_date normalises like Go and refuses out-of-range results', async (t) => {
  const cases: [number, number, number, bigint][] = [
    [0, 0, 0, 1703444325734390000n],
    [1, 0, 0, 1735066725734390000n],
    [-60, 0, 0, -190011674265610000n],
    [0, 15, 0, 1742842725734390000n],
    [0, -19, 0, 1653418725734390000n],
    [0, 0, -37, 1700247525734390000n],
    [213, 6, 5, 8441261925734390000n],
    [-213, -6, -5, -5034459674265610000n],
    [10, 14, -75, 2049476325734390000n],
  ];
  for (const [y, m, d, want] of cases) t.equal(call('time.add_date', T, y, m, d), want, `${y} ${m} ${d}`);
  t.equal(call('time.add_date', 1706659200000000000n, 0, 1, 0), 1709337600000000000n, 'Jan 31 + 1 month = Mar 2 (2024 is leap)');
  t.equal(err('time.add_date', T, 2147483647, 0, 0).detail, 'time.add_date: time outside of valid range');
});

t.test('time.diff', async (t) => {
  t.same(call('time.diff', T, 1257894000000000000n), [14, 1, 13, 19, 58, 45]);
  t.same(call('time.diff', 1257894000000000000n, T), [14, 1, 13, 19, 58, 45]);
  const a = call('time.parse_ns', '2006-01-02', '2020-02-02') as Value;
  const b = call('time.parse_ns', '2006-01-02', '2020-03-01') as Value;
  t.same(call('time.diff', a, b), [0, 0, 28, 0, 0, 0]);
});

t.test('time.parse_duration_ns', async (t) => {
  t.equal(call('time.parse_duration_ns', '1h'), 3600000000000);
  t.equal(call('time.parse_duration_ns', '1h6m13.3s20ms15µs1ns'), 3973320015001);
  t.equal(call('time.parse_duration_ns', '1.2h20.2ms15µs56ns'), 4320020215056);
  t.equal(call('time.parse_duration_ns', '15.000001ms'), 15000001);
  t.equal(call('time.parse_duration_ns', '-1.5h'), -5400000000000);
  t.equal(call('time.parse_duration_ns', '0'), 0);
  t.equal(err('time.parse_duration_ns', '1').detail, 'time.parse_duration_ns: time: missing unit in duration "1"');
  t.equal(err('time.parse_duration_ns', '1x').detail, 'time.parse_duration_ns: time: unknown unit "x" in duration "1x"');
  t.equal(err('time.parse_duration_ns', '').detail, 'time.parse_duration_ns: time: invalid duration ""');
  t.equal(err('time.parse_duration_ns', '9999999999h').detail, 'time.parse_duration_ns: time: invalid duration "9999999999h"');
});
