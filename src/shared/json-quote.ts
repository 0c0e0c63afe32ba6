/** A character outside printable ASCII, a quote or a backslash (a regular expression tests ~40 %
 * faster than a loop over the characters on ids and timestamps). */
const NEEDS_ESCAPE_OR_NOT_ASCII = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/** A string as JSON text, exactly as JSON.stringify writes it. Ids, timestamps and addresses
 * need no escaping: quoted as they are, where a JSON.stringify call costs ~1,000 instructions;
 * anything with a quote, a backslash, a control or a non-ASCII character is left to
 * JSON.stringify. `knownPlain`: the caller made `s` itself as such text (a UUID, an ISO time,
 * hex), so it is not tested — the test costs ~1,750 instructions on a concatenation, which the
 * regular expression flattens first. */
export function quoted(s: string, knownPlain = false): string {
  return knownPlain || writtenAsIs(s) ? `"${s}"` : JSON.stringify(s);
}

/** Whether JSON writes `s` as its characters between quotes, each one byte in UTF-8: printable
 * ASCII without a quote or a backslash. */
export function writtenAsIs(s: string): boolean {
  return !NEEDS_ESCAPE_OR_NOT_ASCII.test(s);
}
