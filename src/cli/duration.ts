// Durations in Go's syntax, as OPA's command-line flags take them (`--timeout 5s`, `1m30s`,
// `250ms`, `1.5h`). A bare integer is milliseconds (what pdp took before).
import { CliError } from './io.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/uy;

/** Milliseconds in `text`; throws a usage error naming `flag` when it is not a positive duration. */
export function parseDuration(text: string, flag: string): number {
  const bad = (): never => {
    throw new CliError('usage', `${flag}: invalid duration ${JSON.stringify(text)} (use Go's syntax, e.g. 5s, 250ms, 1m30s)`);
  };
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n > 0 && Number.isSafeInteger(n) ? n : bad();
  }
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (m === null) return bad();
    ms += Number(m[1]) * UNIT_MS[m[2]];
  }
  return text.length > 0 && ms > 0 && Number.isFinite(ms) ? ms : bad();
}
