// WWW-Authenticate challenges (RFC 9110 §11.6.1), as registries send them:
//   Bearer realm="https://auth.example/token",service="registry.example",scope="repository:org/p:pull"
// Several challenges may share one header (Node joins repeated headers with ", "). The parser is
// total: hostile input yields fewer or odd challenges, never an exception or a long loop.

export interface Challenge {
  /** lower-cased */
  scheme: string;
  /** auth-params, names lower-cased; the first of a repeated name wins */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
/** A header this long is not a challenge; the rest is ignored. */
const MAX_HEADER = 8192;

export function parseChallenges(header: string | null): Challenge[] {
  if (header === null) return [];
  const s = header.slice(0, MAX_HEADER);
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: RegExp): void => {
    while (i < s.length && chars.test(s[i])) i++;
  };
  const token = (): string | null => {
    const m = TOKEN.exec(s.slice(i));
    if (!m) return null;
    i += m[0].length;
    return m[0];
  };
  while (i < s.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (scheme === null) {
      // Not a token where a scheme belongs: drop the rest (nothing trustworthy follows).
      break;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: Object.create(null) as Record<string, string> };
    out.push(challenge);
    skip(/[ \t]/);
    // auth-params until the next scheme (a token not followed by "=").
    for (;;) {
      skip(/[\s,]/);
      const start = i;
      const name = token();
      if (name === null) break;
      skip(/[ \t]/);
      if (s[i] !== '=') {
        i = start; // the next challenge's scheme
        break;
      }
      i++;
      skip(/[ \t]/);
      let value: string | null;
      if (s[i] === '"') {
        i++;
        let v = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          v += s[i];
          i++;
        }
        i++; // the closing quote (or the end)
        value = v;
      } else value = token() ?? '';
      const key = name.toLowerCase();
      if (!(key in challenge.params)) challenge.params[key] = value;
    }
  }
  return out;
}
