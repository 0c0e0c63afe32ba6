// Sink: a Redis Stream, one entry per decision, trimmed with `XADD ... MAXLEN ~ n`.
// Readable with consumer groups (XGROUP CREATE <stream> <group> $ / XREADGROUP).
//
// Entry fields (all strings):
//   decision_id  the decision's id
//   timestamp    RFC 3339
//   path         decision path, e.g. ai/tools/decision
//   kind         model-deployment | tool-call | data
//   allow        "true" | "false" | "" (Data API queries have no allow)
//   outcome      decided | undefined | malformed | error | no_policy
//   cached       "true" | "false"
//   trace_id     W3C trace id ("" when tracing is off)
//   span_id      the pdp.decision span id
//   bundles      JSON object {name: revision}
//   record       the full masked record as JSON (what GET /v1/decisions/{id} returns)
//
// When a retention is set, each record is also written to `<prefix>id:<decision_id>` with
// that TTL so any replica can answer GET /v1/decisions/{id}. The stream and the id keys share
// one hash tag, so the pipeline works on Redis Cluster as well.
import type { RedisClient } from '../../redis/connection.js';
import { recordJson } from '../record-json.js';
import type { LogRecord, LogSink } from '../types.js';

export interface RedisStreamSinkOptions {
  client: RedisClient;
  /** Stream key, e.g. "pdp:{decisions}:stream". */
  stream: string;
  /** Prefix of the per-decision keys, e.g. "pdp:{decisions}:id:". */
  idKeyPrefix: string;
  /** Approximate cap on stream length. */
  maxLen: number;
  /** TTL of the per-decision keys; 0 = do not write them. */
  retentionMs: number;
  /** Deadline for one batch. */
  timeoutMs: number;
}

export class RedisSinkError extends Error {
  readonly code = 'DECISION_LOG_REDIS_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'RedisSinkError';
  }
}

export function streamFields(r: LogRecord, json: string): string[] {
  const revisions: Record<string, string> = {};
  for (const [name, b] of Object.entries(r.bundles)) revisions[name] = b.revision;
  return [
    'decision_id',
    r.decision_id,
    'timestamp',
    r.timestamp,
    'path',
    r.path,
    'kind',
    r.kind ?? '',
    'allow',
    r.allow === null ? '' : String(r.allow),
    'outcome',
    r.outcome,
    'cached',
    String(r.cached),
    'trace_id',
    r.trace_id ?? '',
    'span_id',
    r.span_id ?? '',
    'bundles',
    JSON.stringify(revisions),
    'record',
    json,
  ];
}

export class RedisStreamSink implements LogSink {
  readonly name = 'redis';
  private readonly opts: RedisStreamSinkOptions;

  constructor(opts: RedisStreamSinkOptions) {
    this.opts = opts;
  }

  async send(batch: readonly LogRecord[]): Promise<void> {
    const { client, stream, maxLen, retentionMs, idKeyPrefix } = this.opts;
    const pipeline = client.pipeline();
    for (const r of batch) {
      const json = recordJson(r);
      pipeline.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...streamFields(r, json));
      if (retentionMs > 0) pipeline.set(idKeyPrefix + r.decision_id, json, 'PX', retentionMs);
    }
    let timer: NodeJS.Timeout | undefined;
    const results = await Promise.race([
      pipeline.exec(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RedisSinkError(`redis batch exceeded ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (results === null) throw new RedisSinkError('redis pipeline was discarded');
    const failed = results.find(([err]) => err);
    // The whole batch is retried; a partially written batch can then repeat entries
    // (at-least-once). Consumers de-duplicate on decision_id.
    if (failed?.[0]) throw new RedisSinkError(failed[0].message);
  }
}

/** Reads a record back by id (for GET /v1/decisions/{id} on any replica). */
export class RedisRecordLookup {
  private readonly client: RedisClient;
  private readonly idKeyPrefix: string;
  private readonly timeoutMs: number;

  constructor(opts: { client: RedisClient; idKeyPrefix: string; timeoutMs: number }) {
    this.client = opts.client;
    this.idKeyPrefix = opts.idKeyPrefix;
    this.timeoutMs = opts.timeoutMs;
  }

  /** undefined when absent, expired, or Redis is unavailable (bounded by timeoutMs). */
  async get(decisionId: string): Promise<LogRecord | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const raw = await Promise.race([
        this.client.get(this.idKeyPrefix + decisionId),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.timeoutMs))),
      ]);
      if (raw === null) return undefined;
      const parsed: unknown = JSON.parse(raw);
      return typeof parsed === 'object' && parsed !== null && (parsed as { decision_id?: unknown }).decision_id === decisionId
        ? (parsed as LogRecord)
        : undefined;
    } catch {
      return undefined;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}
