// The AuthZEN request schemas: the specification's own evaluation-request schema (schemas/authzen/,
// copied unchanged, JSON Schema 2020-12) and the schemas of the other requests derived from its
// entity definitions. Compiled once, by their own ajv instance, when this module loads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { schemasDir } from '../shared/package-root.js';
import { AUTHZEN_PATHS } from './metadata.js';

type Json = Record<string, unknown>;

function readSpecSchema(file: string): Json {
  return JSON.parse(readFileSync(join(schemasDir, 'authzen', file), 'utf8')) as Json;
}

/** As a route schema: without `$schema` (the route's compiler is 2020-12 anyway) and `$id` (route
 * schemas are compiled by object, and the same file is compiled once for the route and once for
 * batch items). */
function routeCopy(s: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = s;
  return rest;
}

const specRequest = routeCopy(readSpecSchema('evaluation-request.schema.json'));
// For serialization the decision context must keep its members (fast-json-stringify writes only
// declared properties unless told otherwise); validation-wise this changes nothing.
const specResponse = withOpenContext(routeCopy(readSpecSchema('evaluation-response.schema.json')));

function withOpenContext(s: Json): Json {
  const props = s.properties as Record<string, Json>;
  return { ...s, properties: { ...props, context: { ...props.context, additionalProperties: true } } };
}
const entities = specRequest.properties as { subject: Json; resource: Json; action: Json; context: Json };

/** An entity schema without its `required` list (a search target, a default at the top level). */
function loose(entity: Json, required: string[] = []): Json {
  const { required: _r, ...rest } = entity;
  return required.length > 0 ? { ...rest, required } : rest;
}

const page: Json = {
  type: 'object',
  description: 'Paging of a search request (specification §Paginated Requests).',
  properties: {
    token: { type: 'string', maxLength: 4096 },
    limit: { type: 'integer', minimum: 0 },
    properties: { type: 'object' },
  },
};

const SEMANTICS = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] as const;
export type EvaluationsSemantic = (typeof SEMANTICS)[number];

// Top-level defaults may be partial (the Todo interop sends `"resource": {}` next to complete
// items); every merged item is then checked against the specification's evaluation schema.
const evaluationsRequest: Json = {
  title: 'Access Evaluations API Request',
  $comment: 'Derived from the AuthZEN 1.0 evaluation-request schema (schemas/authzen/); §Access Evaluations API.',
  type: 'object',
  properties: {
    subject: loose(entities.subject),
    resource: loose(entities.resource),
    action: loose(entities.action),
    context: entities.context,
    evaluations: {
      type: 'array',
      items: {
        type: 'object',
        properties: { subject: loose(entities.subject), resource: loose(entities.resource), action: loose(entities.action), context: entities.context },
      },
    },
    options: {
      type: 'object',
      properties: { evaluations_semantic: { enum: [...SEMANTICS] } },
    },
  },
};

function searchRequest(title: string, props: Json, required: string[]): Json {
  return {
    title,
    $comment: 'Derived from the AuthZEN 1.0 evaluation-request schema (schemas/authzen/); §Search APIs.',
    type: 'object',
    required,
    properties: { ...props, context: entities.context, page },
  };
}

// The searched-for entity needs only its type (an id is ignored); every input entity is complete
// (certification scenario §Missing required sub-fields).
const subjectSearch = searchRequest(
  'Subject Search API Request',
  { subject: loose(entities.subject, ['type']), action: entities.action, resource: entities.resource },
  ['subject', 'action', 'resource'],
);
const resourceSearch = searchRequest(
  'Resource Search API Request',
  { subject: entities.subject, action: entities.action, resource: loose(entities.resource, ['type']) },
  ['subject', 'action', 'resource'],
);
const actionSearch = searchRequest(
  'Action Search API Request',
  {
    subject: entities.subject,
    // Complete, except that a resource of type "tool" may leave out its id: that search lists the
    // callable tools (src/authzen/search.ts).
    resource: {
      ...loose(entities.resource, ['type']),
      if: { properties: { type: { const: 'tool' } } },
      else: { required: ['id'], properties: { id: { type: 'string' } } },
    },
  },
  ['subject', 'resource'],
);

const decisionArray: Json = { type: 'array', items: specResponse };

/** Response of /access/v1/evaluations: an evaluations array, or one decision (backwards compatible). */
const evaluationsResponse: Json = {
  title: 'Access Evaluations API Response',
  type: 'object',
  properties: { decision: { type: 'boolean' }, context: { type: 'object', additionalProperties: true }, evaluations: decisionArray },
};

const searchResponse: Json = {
  title: 'Search API Response',
  type: 'object',
  required: ['results'],
  properties: {
    page: { type: 'object', required: ['next_token'], properties: { next_token: { type: 'string' }, count: { type: 'integer' } } },
    context: { type: 'object', additionalProperties: true },
    results: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
};

const metadataResponse: Json = {
  title: 'AuthZEN PDP metadata',
  type: 'object',
  required: ['policy_decision_point', 'access_evaluation_endpoint'],
  properties: Object.fromEntries(['policy_decision_point', ...Object.keys(AUTHZEN_PATHS)].map((k) => [k, { type: 'string' }])),
};

/** Route body schemas (also what /openapi.json shows; OpenAPI 3.1 speaks JSON Schema 2020-12). */
export const AUTHZEN_SCHEMAS = Object.freeze({
  evaluationRequest: specRequest,
  evaluationResponse: specResponse,
  evaluationsRequest,
  subjectSearch,
  resourceSearch,
  actionSearch,
  evaluationsResponse,
  searchResponse,
  metadataResponse,
});

// strict, but the specification's schemas carry `example` (an OpenAPI annotation, not a
// 2020-12 keyword): declared as a vocabulary word so strict mode accepts it.
export const authzenAjv = new Ajv2020({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false });
authzenAjv.addVocabulary(['example']);

const compiled = new Map<unknown, ValidateFunction>();

/** The validator of one of AUTHZEN_SCHEMAS (compiled once; the route compiler asks by object). */
export function authzenValidator(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = authzenAjv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

for (const s of Object.values(AUTHZEN_SCHEMAS)) authzenValidator(s);

/** One merged evaluation of an evaluations request, checked like a single evaluation request. */
export const validateEvaluation: ValidateFunction = authzenValidator(specRequest);
