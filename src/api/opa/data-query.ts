// How an OPA Data API request becomes a decision query: one place for the Data API, its v0 and
// default-decision forms (routes/data.ts) and every input of a batch (routes/opa-batch.ts).
import { performance } from 'node:perf_hooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DecisionQuery } from '../../decisions/types.js';
import type { OpaParams } from './params.js';
import { peerOf } from '../peer.js';

/** A data path as the routes receive it ("/a//b/") in the pipeline's form ("a/b"). */
export function dataPath(raw: string): string {
  return raw
    .split('/')
    .filter((s) => s !== '')
    .join('/');
}

/** The decision query for `input` at `path` (already in dataPath's form), with the parameters'
 * strictness and observations and the caller of the request. */
export function dataQuery(request: FastifyRequest, reply: FastifyReply, path: string, input: unknown, p: OpaParams): DecisionQuery {
  const peer = peerOf(request);
  return {
    kind: 'data',
    path,
    input,
    strict: p.strict,
    headers: request.headers,
    remoteAddress: peer.remoteAddress,
    remotePort: peer.remotePort,
    caller: request.caller,
    receivedAt: performance.now() - reply.elapsedTime,
    ...(p.explain ? { explain: p.explain } : {}),
    ...(p.metrics ? { metrics: true } : {}),
    ...(p.instrument ? { instrument: true } : {}),
  };
}
