// A fallback for YAML that libyaml (used by the Go and Rust runners) accepts but the `yaml`
// package rejects: a flow sequence/mapping opened after a key whose items are indented no
// deeper than the key, e.g.
//     x1:
//       set!: [
//       "a",
//       ]
// Only used after a strict parse failed; the lines of such flow collections are indented
// two columns past their key. Returns undefined when there is nothing to repair.
export function reindentFlowCollections(text: string): string | undefined {
  const lines = text.split('\n');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)[\w!.-]+:\s*([[{])\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    let depth = 1;
    for (let j = i + 1; j < lines.length && depth > 0; j++) {
      const bare = lines[j].replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, '');
      for (const ch of bare) {
        if (ch === '[' || ch === '{') depth++;
        else if (ch === ']' || ch === '}') depth--;
      }
      const lead = lines[j].length - lines[j].trimStart().length;
      if (lines[j].trim() !== '' && lead <= indent) {
        lines[j] = ' '.repeat(indent + 2 - lead) + lines[j];
        changed = true;
      }
    }
  }
  return changed ? lines.join('\n') : undefined;
}
