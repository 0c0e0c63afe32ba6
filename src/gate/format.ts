// The gate's verdict for people and for CI: a readable summary (text), the decision as JSON, a
// JUnit report (one test case per control; a failure per deny reason), SARIF 2.1.0 (one result per
// deny reason, for code-scanning annotations) and Markdown (a PR comment).
import type { DecisionAnswerBody, Reason } from '../decisions/types.js';

export type GateFormat = 'text' | 'json' | 'junit' | 'sarif' | 'markdown';
export const GATE_FORMATS: readonly GateFormat[] = ['text', 'json', 'junit', 'sarif', 'markdown'];

/** What the gate decided, with what it was asked. */
export interface GateReport {
  verdict: 'allow' | 'deny' | 'undecided';
  /** "fraud-scorer 3.2.0 → prod (customer_facing)" */
  subject: string;
  /** The request file (or registry record) the decision is about, for annotations. */
  source: string;
  decision?: DecisionAnswerBody;
  validUntil?: string;
  /** Why there is no decision, or the registry's own refusal. */
  message?: string;
  registryStatus?: string;
}

const reasonLine = (r: Reason): string => `${r.code}${r.control ? ` [${r.control}]` : ''}${r.message ? `: ${r.message}` : ''}`;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function render(report: GateReport, format: GateFormat): string {
  switch (format) {
    case 'text':
      return text(report);
    case 'json':
      return `${JSON.stringify(jsonReport(report), null, 2)}\n`;
    case 'junit':
      return junit(report);
    case 'sarif':
      return `${JSON.stringify(sarif(report), null, 2)}\n`;
    case 'markdown':
      return markdown(report);
  }
}

function jsonReport(r: GateReport): Record<string, unknown> {
  return {
    verdict: r.verdict,
    subject: r.subject,
    source: r.source,
    ...(r.decision ? { decision: r.decision } : {}),
    ...(r.validUntil ? { valid_until: r.validUntil } : {}),
    ...(r.message ? { message: r.message } : {}),
    ...(r.registryStatus ? { registry_status: r.registryStatus } : {}),
  };
}

function lines(r: GateReport): { head: string; reasons: string[]; exceptions: string[]; obligations: string[]; facts: string[] } {
  const d = r.decision;
  const head = `${r.verdict.toUpperCase()}  ${r.subject}${d ? `  (decision ${d.decision_id})` : ''}`;
  const reasons = (d?.reasons ?? []).map(reasonLine);
  const exceptions = (d?.exceptions_applied ?? []).map(
    (e) => `${e.id}${str(e.control) ? ` [${str(e.control)}]` : ''}${str(e.expires_at) ? `, expires ${str(e.expires_at)}` : ''}`,
  );
  const obligations = (d?.obligations ?? []).map((o) => `${o.type}${str(o.reason) ? `: ${str(o.reason)}` : ''}`);
  const facts: string[] = [];
  if (r.message) facts.push(r.message);
  if (r.validUntil) facts.push(`valid until ${r.validUntil}`);
  if (r.registryStatus) facts.push(`registry: ${r.registryStatus}`);
  if (d)
    facts.push(
      `policy ${d.policy.path}, bundles ${
        Object.entries(d.policy.bundles)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || '(none)'
      }`,
    );
  return { head, reasons, exceptions, obligations, facts };
}

function text(r: GateReport): string {
  const l = lines(r);
  const out = [l.head];
  for (const x of l.reasons) out.push(`  reason      ${x}`);
  for (const x of l.exceptions) out.push(`  exception   ${x}`);
  for (const x of l.obligations) out.push(`  obligation  ${x}`);
  for (const x of l.facts) out.push(`  ${x}`);
  return `${out.join('\n')}\n`;
}

function markdown(r: GateReport): string {
  const l = lines(r);
  const icon = r.verdict === 'allow' ? '✅' : r.verdict === 'deny' ? '❌' : '⚠️';
  const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const out = [`### ${icon} Model release gate: **${r.verdict}** — ${md(r.subject)}`, ''];
  if (l.reasons.length) {
    out.push('| Code | Control | Message |', '|---|---|---|');
    for (const x of r.decision?.reasons ?? []) out.push(`| \`${md(x.code)}\` | ${md(x.control ?? '')} | ${md(x.message ?? '')} |`);
    out.push('');
  }
  for (const x of l.exceptions) out.push(`- Exception applied: ${md(x)}`);
  for (const x of l.obligations) out.push(`- Obligation: ${md(x)}`);
  for (const x of l.facts) out.push(`- ${md(x)}`);
  return `${out.join('\n')}\n`;
}

// XML 1.0 cannot carry most control characters at all; they are dropped.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
const xml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string).replace(XML_INVALID, '');

function junit(r: GateReport): string {
  const name = xml(`model-deployment ${r.subject}`);
  const cases: string[] = [];
  if (r.verdict === 'undecided') {
    cases.push(`    <testcase classname="pdp.gate" name="decision"><error message="${xml(r.message ?? 'could not decide')}"/></testcase>`);
  } else if (r.decision && r.decision.reasons.length > 0 && !r.decision.allow) {
    for (const x of r.decision.reasons) {
      cases.push(
        `    <testcase classname="pdp.gate" name="${xml(x.control ?? x.code)}"><failure type="${xml(x.code)}" message="${xml(reasonLine(x))}"/></testcase>`,
      );
    }
  } else if (r.verdict === 'deny') {
    cases.push(`    <testcase classname="pdp.gate" name="decision"><failure message="${xml(r.message ?? 'denied')}"/></testcase>`);
  } else {
    cases.push(`    <testcase classname="pdp.gate" name="decision"><system-out>${xml(text(r))}</system-out></testcase>`);
  }
  const failures = r.verdict === 'deny' ? cases.length : 0;
  const errors = r.verdict === 'undecided' ? 1 : 0;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pdp gate" tests="${cases.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${name}" tests="${cases.length}" failures="${failures}" errors="${errors}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function sarif(r: GateReport): Record<string, unknown> {
  const reasons = r.verdict === 'deny' ? (r.decision?.reasons ?? []) : [];
  const rules = [...new Map(reasons.map((x) => [x.control ?? x.code, x])).values()].map((x) => ({
    id: x.control ?? x.code,
    name: x.code,
    shortDescription: { text: `${x.code}${x.control ? ` (${x.control})` : ''}` },
  }));
  const location = { physicalLocation: { artifactLocation: { uri: r.source } } };
  const results = reasons.map((x) => ({ ruleId: x.control ?? x.code, level: 'error', message: { text: reasonLine(x) }, locations: [location] }));
  if (r.verdict === 'undecided' || (r.verdict === 'deny' && results.length === 0)) {
    results.push({ ruleId: 'pdp-gate', level: 'error', message: { text: r.message ?? r.verdict }, locations: [location] });
    rules.push({ id: 'pdp-gate', name: 'GATE', shortDescription: { text: 'the release gate could not allow the release' } });
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'pdp gate', rules } },
        results,
        ...(r.decision ? { properties: { decision_id: r.decision.decision_id, allow: r.decision.allow, bundles: r.decision.policy.bundles } } : {}),
      },
    ],
  };
}
