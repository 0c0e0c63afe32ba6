// A child's stdout (service log lines, decision-log lines, anything else) read back as JSON.

/** Every line that parses as JSON, in order; other lines are left out. */
export function jsonLines(text: string): unknown[] {
  const docs: unknown[] = [];
  for (const line of text.split('\n')) {
    try {
      docs.push(JSON.parse(line));
    } catch {
      // not JSON
    }
  }
  return docs;
}

/** The JSON objects among the lines (log lines and decision-log lines). */
export function jsonObjectLines(text: string): Record<string, unknown>[] {
  return jsonLines(text).filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && !Array.isArray(d));
}

/** The url of the service's "pdp listening" line, once it printed one. */
export function listeningUrl(text: string): string | undefined {
  const line = jsonObjectLines(text).find((l) => l.msg === 'pdp listening');
  return typeof line?.url === 'string' ? line.url : undefined;
}
