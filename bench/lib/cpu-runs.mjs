// CPU time per call of a piece of work, measured in several runs after a warm-up: the in-process
// benchmarks' loop (bench/rego/*.bench.mjs). Medians hold on a noisy machine; single runs do not.

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** µs of CPU (user + system) per call of once(), for each of `runs` runs of `iter` calls. */
export function cpuRuns(once, iter, runs) {
  for (let i = 0; i < iter; i++) once(); // warm-up
  const out = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < iter; i++) once();
    const c = process.cpuUsage(c0);
    out.push((c.user + c.system) / iter);
  }
  return out;
}
