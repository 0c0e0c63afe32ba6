// Query paths arrive as "ai/tools/decision" (HTTP) or "ai.tools.decision" (config, CLI).

/** Splits a slash- or dot-separated path under `data` into segments; "" is the whole document. */
export function splitQueryPath(path: string): string[] {
  const p = path.trim();
  const sep = p.includes('/') ? '/' : '.';
  return p.split(sep).filter((s) => s !== '');
}
