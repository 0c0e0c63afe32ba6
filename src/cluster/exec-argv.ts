// The node flags a worker is started with: the primary's, without those that name a script of
// their own (-e/-p/--input-type): a primary started as `node -e "…start()"` (tests) would
// otherwise run that script again in each worker instead of the worker entry.
const WITH_VALUE = new Set(['-e', '--eval', '-p', '-pe', '--print', '--input-type']);
const ALONE = /^(--eval|--print|--input-type)=/;

export function workerExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (ALONE.test(a)) continue;
    out.push(a);
  }
  return out;
}
