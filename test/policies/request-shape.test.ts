// The request-shape controls (AGT-REQ-01, AIGOV-REQ-01) mirror the request schemas: the
// required fields listed in each domain's config/request/data.json are exactly the required
// leaves of schemas/<kind>-request.json (each a non-empty string there), so the Data API (no
// schema) denies what the decision endpoints (schema) refuse with a 400.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECISION_ENDPOINTS } from '../../src/decisions/kinds.js';
import { packageRoot } from '../../src/shared/package-root.js';

interface SchemaNode {
  type?: string;
  required?: string[];
  minLength?: number;
  properties?: Record<string, SchemaNode>;
}

/** Key paths of the required leaves: a required object property with its own `required` is descended into. */
function requiredLeaves(node: SchemaNode, prefix: string[] = []): { path: string[]; leaf: SchemaNode }[] {
  const out: { path: string[]; leaf: SchemaNode }[] = [];
  for (const name of node.required ?? []) {
    const child = node.properties?.[name] ?? {};
    if (child.type === 'object' && (child.required ?? []).length > 0) out.push(...requiredLeaves(child, [...prefix, name]));
    else out.push({ path: [...prefix, name], leaf: child });
  }
  return out;
}

const read = (...p: string[]): unknown => JSON.parse(readFileSync(join(packageRoot, ...p), 'utf8')) as unknown;

const DOMAIN_OF: Record<string, string> = { 'ai/tools/decision': 'tools', 'ai/deployment/decision': 'deployment' };

for (const e of DECISION_ENDPOINTS) {
  t.test(`${e.kind}: config/request lists the schema's required fields`, async (t) => {
    const domain = DOMAIN_OF[e.policyPath];
    t.ok(domain, `${e.policyPath} is a domain of the default bundle`);
    const schema = read('schemas', e.requestSchema) as SchemaNode;
    const config = read('policies', 'ai', domain, 'config', 'request', 'data.json') as { _doc: string; required_fields: string[][] };
    t.match(config._doc, /\S/, 'the data file says what it configures');
    const leaves = requiredLeaves(schema);
    t.ok(leaves.length >= 2, `${leaves.length} required fields`);
    for (const { path, leaf } of leaves) {
      // The Rego control checks "a non-empty string"; the schema must say the same of each.
      t.equal(leaf.type, 'string', `${path.join('.')} is a string in the schema`);
      t.equal(leaf.minLength, 1, `${path.join('.')} is non-empty in the schema`);
    }
    const key = (p: string[]) => p.join('.');
    t.same(config.required_fields.map(key).sort(), leaves.map((l) => key(l.path)).sort());
  });
}
