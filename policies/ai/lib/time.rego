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
# ("2026-11-26T12:00:00Z"). Go's layout has no fractional part, so sub-second parts are
# truncated: a `valid_until` must never be later than the instant it stands for.
rfc3339(ns) := time.format([ns, "UTC", "2006-01-02T15:04:05Z07:00"])
