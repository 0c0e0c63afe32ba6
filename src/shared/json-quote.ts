/** A string as JSON text, exactly as JSON.stringify writes it. Ids, timestamps and addresses
 * need no escaping: quoted as they are, where a JSON.stringify call costs ~1,000 instructions;
 * anything with a quote, a backslash, a control or a non-ASCII character is left to
 * JSON.stringify. */
export function quoted(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 /* " */ || c === 0x5c /* \ */ || c > 0x7e) return JSON.stringify(s);
  }
  return `"${s}"`;
}
