// The admission settings load from the environment like every other setting, and bad values are
// refused at start, named by the variable the operator set.
import t from 'tap';
import { configIssues, testConfig } from '../helpers/config.js';

t.test('defaults and values', async (t) => {
  t.same(testConfig().admission, {
    default_mode: 'enforce',
    failure_mode: 'deny',
    timeout_ms: 3000,
    annotation_prefix: 'pdp.ai-governance.io/',
    namespaces: {},
  });
  const c = testConfig({
    PDP_ADMISSION_MODE: 'audit',
    PDP_ADMISSION_FAILURE_MODE: 'allow',
    PDP_ADMISSION_TIMEOUT_MS: '1500',
    PDP_ADMISSION_ANNOTATION_PREFIX: 'models.example.com/',
    PDP_ADMISSION_NAMESPACES: 'ml-prod: {environment: prod, exposure: customer_facing, mode: enforce}',
  }).admission;
  t.same(c, {
    default_mode: 'audit',
    failure_mode: 'allow',
    timeout_ms: 1500,
    annotation_prefix: 'models.example.com/',
    namespaces: { 'ml-prod': { environment: 'prod', exposure: 'customer_facing', mode: 'enforce' } },
  });
});

t.test('bad values are refused, named by the variable', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PDP_ADMISSION_MODE: 'lenient' }, 'PDP_ADMISSION_MODE'],
    [{ PDP_ADMISSION_FAILURE_MODE: 'maybe' }, 'PDP_ADMISSION_FAILURE_MODE'],
    [{ PDP_ADMISSION_TIMEOUT_MS: '0' }, 'PDP_ADMISSION_TIMEOUT_MS'],
    [{ PDP_ADMISSION_TIMEOUT_MS: '60000' }, 'PDP_ADMISSION_TIMEOUT_MS'],
    [{ PDP_ADMISSION_ANNOTATION_PREFIX: 'no-slash' }, 'PDP_ADMISSION_ANNOTATION_PREFIX'],
    [{ PDP_ADMISSION_NAMESPACES: '{"ml": {"exposure": "internal"}}' }, 'PDP_ADMISSION_NAMESPACES'],
    [{ PDP_ADMISSION_NAMESPACES: '{"ml": {"environment": "prod", "mode": "strict"}}' }, 'PDP_ADMISSION_NAMESPACES'],
    [{ PDP_ADMISSION_NAMESPACES: '{"ml": {"environment": "prod", "tier": 1}}' }, 'PDP_ADMISSION_NAMESPACES'],
  ];
  for (const [env, name] of cases) {
    const issues = configIssues(env);
    t.ok(
      issues.some((i) => i.source.includes(name)),
      `${JSON.stringify(env)}: refused, naming ${name} (${issues.map((i) => `${i.source}: ${i.message}`).join('; ')})`,
    );
  }
});
