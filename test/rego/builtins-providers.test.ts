// providers.aws.sign_req against AWS's published SigV4 test suite (aws-sig-v4-test-suite,
// "get-vanilla": credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1,
// service "service", 20150830T123600Z), plus OPA's header rules and error wording.
import { createHash } from 'node:crypto';
import t from 'tap';
import { compile, toJSON } from '../../src/rego/index.js';
import { fromJSON } from '../../src/rego/value.js';
import { call, err } from '../helpers/builtin-harness.js';

const J = (x: unknown) => fromJSON(x);
const CFG = {
  aws_access_key: 'AKIDEXAMPLE',
  aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  aws_region: 'us-east-1',
  aws_service: 'service',
};
const T = 1440938160000000000n; // 2015-08-30T12:36:00Z

t.test('get-vanilla: the published signature', async (t) => {
  const out = toJSON(call('providers.aws.sign_req', J({ method: 'GET', url: 'https://example.amazonaws.com/' }), J(CFG), T)!) as {
    headers: Record<string, string>;
    method: string;
  };
  t.equal(out.method, 'GET', 'the request is returned with its fields');
  t.equal(out.headers.host, 'example.amazonaws.com');
  t.equal(out.headers['x-amz-date'], '20150830T123600Z');
  t.equal(
    out.headers.Authorization,
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,SignedHeaders=host;x-amz-date,Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  );
});

t.test('s3 adds x-amz-content-sha256 (or UNSIGNED-PAYLOAD); request headers are signed except the ignored ones', async (t) => {
  const req = J({ method: 'PUT', url: 'https://b.s3.amazonaws.com/k?x=1', raw_body: 'hello', headers: { 'X-Custom': 'v', 'User-Agent': 'ua' } });
  const s3 = toJSON(call('providers.aws.sign_req', req, J({ ...CFG, aws_service: 's3', aws_session_token: 'tok' }), T)!) as { headers: Record<string, string> };
  t.equal(s3.headers['x-amz-content-sha256'], createHash('sha256').update('hello').digest('hex'));
  t.equal(s3.headers['x-amz-security-token'], 'tok');
  t.equal(s3.headers['X-Custom'], 'v', 'original headers are kept');
  t.match(s3.headers.Authorization, /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-custom,/, 'user-agent is not signed');
  const unsigned = toJSON(call('providers.aws.sign_req', req, J({ ...CFG, aws_service: 's3', disable_payload_signing: true }), T)!) as {
    headers: Record<string, string>;
  };
  t.equal(unsigned.headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
});

t.test("errors in OPA's words", async (t) => {
  const req = J({ method: 'GET', url: 'https://x/' });
  t.equal(
    err('providers.aws.sign_req', req, J({ aws_service: 's' }), T).detail,
    'providers.aws.sign_req: operand 2 missing required AWS config parameters(s): {"aws_access_key", "aws_region", "aws_secret_access_key"}',
  );
  t.equal(
    err('providers.aws.sign_req', req, J({ ...CFG, aws_region: 1 }), T).detail,
    'providers.aws.sign_req: operand 2 invalid values for required AWS config parameters(s): {"aws_region"}',
  );
  t.equal(err('providers.aws.sign_req', req, J(CFG), 1.5).detail, 'providers.aws.sign_req: operand 3 could not convert time_ns value into a unix timestamp');
  t.equal(
    err('providers.aws.sign_req', J({ url: 'https://x/' }), J(CFG), T).detail,
    'providers.aws.sign_req: operand 1 missing required request parameters(s): {"method"}',
  );
  t.equal(
    err('providers.aws.sign_req', J({ method: 'GET', url: 'u', bogus: 1 }), J(CFG), T).detail,
    'providers.aws.sign_req: operand 1 invalid request parameters(s): {"bogus"}',
  );
  t.equal(
    err('providers.aws.sign_req', req, J({ ...CFG, disable_payload_signing: 'yes' }), T).detail,
    "providers.aws.sign_req: operand 2 invalid value for 'disable_payload_signing' in AWS config",
  );
});

t.test('through the engine (was "undefined function")', async (t) => {
  const p = compile([
    {
      file: 'x.rego',
      source: `package p
cfg := {"aws_access_key": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "aws_region": "us-east-1", "aws_service": "service"}
sig := providers.aws.sign_req({"method": "GET", "url": "https://example.amazonaws.com/"}, cfg, 1440938160000000000).headers.Authorization
`,
    },
  ]);
  t.match(toJSON(p.evaluate('p.sig').value!), /Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31$/);
});
