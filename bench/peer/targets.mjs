// Issue 18's targets from one result of the ../shared/bench-peer harness (its JSON: engine.median_us,
// http.scenarios.<key>.median.{rps, server_cpu_us_per_req, p99_ms}).

const ratio = (x, y) => (typeof x === 'number' && typeof y === 'number' && y > 0 ? x / y : null);

/** Issue 18's five targets from one harness result. */
export function targets(r) {
  const sc = r.http?.scenarios ?? {};
  const rps = (k) => sc[k]?.median?.rps ?? null;
  const cpu = (k) => sc[k]?.median?.server_cpu_us_per_req ?? null;
  const t = [];
  const row = (target, value, limit, better, note) =>
    t.push({ target, value, limit, met: value === null ? null : better === 'min' ? value >= limit : value <= limit, note: note ?? null });
  row('small policy, cache off: req/s ≥ 0.5 × bare', ratio(rps('b_pdp_small'), rps('a_bare')), 0.5, 'min');
  row('small policy, cache off: CPU/req ≤ 2 × bare', ratio(cpu('b_pdp_small'), cpu('a_bare')), 2, 'max');
  row('default policies, cache hit: req/s ≥ 0.6 × bare', ratio(rps('d_pdp_full_cache'), rps('a_bare')), 0.6, 'min');
  row('default policies, cache off: req/s ≥ 2.5 × Cerbos', ratio(rps('b_pdp_full'), rps('c_cerbos_full')), 2.5, 'min');
  row('default policies, cache off: CPU/req ≤ 0.25 × Cerbos', ratio(cpu('b_pdp_full'), cpu('c_cerbos_full')), 0.25, 'max');
  const eng = r.engine?.median_us;
  row('engine (RBAC allow): µs/eval ≤ 0.4 × opa-wasm', eng ? ratio(eng.project_rego, eng.opa_wasm) : null, 0.4, 'max');
  // The harness measures p99 under full closed-loop load only; the target is at half the max
  // rate with an open-loop client (npm run bench:http measures that).
  t.push({
    target: 'p99 ≤ 5 ms at half max rate',
    value: null,
    limit: 5,
    met: null,
    note: `not measured by the harness (npm run bench:http does); its p99 at full load: ${Object.entries(sc)
      .map(([k, v]) => `${k} ${v.median?.p99_ms ?? 'n/a'} ms`)
      .join(', ')}`,
  });
  return t;
}
