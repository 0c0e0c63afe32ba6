// Strings as UTF-8 can carry them: a lone UTF-16 surrogate has no UTF-8 encoding, and Go (OPA)
// decoders and Node's UTF-8 writers alike turn it into U+FFFD.

const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string with every lone surrogate replaced by U+FFFD (pairs kept). */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** Whether JSON text (or YAML, whose double-quoted escapes are JSON's) may spell a surrogate as an
 * escape (`\uD800`–`\uDFFF`): text decoded from UTF-8 holds a lone one only so, and JSON.stringify
 * writes lone ones so (pairs as they are). An escaped backslash before "ud8…" also matches,
 * harmlessly. */
export function mayEscapeSurrogate(text: string): boolean {
  return ESCAPED_SURROGATE.test(text);
}
