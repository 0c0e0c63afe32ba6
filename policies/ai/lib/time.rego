# Time helpers shared by every time-dependent control.
#
# "Now" is read in exactly one place, `now_ns`, so that
#   * the engine can report that a decision used the clock (the service then bounds caching
#     with the decision's `valid_until` instead of caching it blindly), and
#   * tests pin time in one place with `with time.now_ns as <ns>`.
package ai.lib

# The current instant, in nanoseconds since the Unix epoch (UTC).
now_ns := time.now_ns()

# Nanoseconds in one second / seconds in one day.
ns_per_second := 1000000000

seconds_per_day := 86400

# parse_instant(s) is the instant `s` (an RFC 3339 timestamp) in nanoseconds; undefined when `s`
# is not a string or not RFC 3339, so callers fail closed by treating "undefined" as "no instant".
parse_instant(s) := time.parse_rfc3339_ns(s) if is_string(s)

# rfc3339(ns) formats an instant as an RFC 3339 UTC timestamp with whole seconds
# ("2026-11-26T12:00:00Z"). Sub-second parts are truncated: a `valid_until` must never be later
# than the instant it stands for. Defined for instants at or after 1970-01-01.
rfc3339(ns) := formatted if {
	ns >= 0
	secs := floor_div(ns, ns_per_second)
	days := floor_div(secs, seconds_per_day)
	second_of_day := secs - (days * seconds_per_day)
	ymd := civil_from_days(days)
	formatted := sprintf("%s-%s-%sT%s:%s:%sZ", [
		format_int(ymd[0], 10),
		pad2(ymd[1]),
		pad2(ymd[2]),
		pad2(floor_div(second_of_day, 3600)),
		pad2(floor_div(second_of_day % 3600, 60)),
		pad2(second_of_day % 60),
	])
}

# floor_div(a, b) is integer division for a >= 0, b > 0 (exact, no floating point).
floor_div(a, b) := (a - (a % b)) / b

pad2(n) := concat("", ["0", format_int(n, 10)]) if {
	n < 10
} else := format_int(n, 10)

# civil_from_days(days) is [year, month, day] (proleptic Gregorian) for a count of days since
# 1970-01-01. Howard Hinnant's algorithm, restricted to non-negative intermediate values.
civil_from_days(days) := [year, month, day] if {
	z := days + 719468
	era := floor_div(z, 146097)
	day_of_era := z - (era * 146097)
	year_of_era := floor_div(
		((day_of_era - floor_div(day_of_era, 1460)) + floor_div(day_of_era, 36524)) - floor_div(day_of_era, 146096),
		365,
	)
	day_of_year := day_of_era - (((365 * year_of_era) + floor_div(year_of_era, 4)) - floor_div(year_of_era, 100))
	shifted_month := floor_div((5 * day_of_year) + 2, 153)
	day := (day_of_year - floor_div((153 * shifted_month) + 2, 5)) + 1
	month := calendar_month(shifted_month)
	year := ((year_of_era + (era * 400)) + january_or_february(month))
}

# The algorithm counts months from March (0) to February (11).
calendar_month(shifted) := shifted + 3 if {
	shifted < 10
} else := shifted - 9

january_or_february(month) := 1 if {
	month <= 2
} else := 0
