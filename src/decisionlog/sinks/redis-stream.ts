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
// one hash tag, so one script call (or, where scripts are refused, one pipeline) writes both on
// Redis Cluster as well.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../../redis/connection.js';
import { AnchoredMemo } from '../../shared/anchored-memo.js';
import { describeThrown } from '../../shared/errors.js';
import { mayEscapeSurrogate, wellFormed } from '../../shared/well-formed.js';
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

/** The stream entry's field names, in order (the header above says what each holds). */
export const STREAM_FIELDS = ['decision_id', 'timestamp', 'path', 'kind', 'allow', 'outcome', 'cached', 'trace_id', 'span_id', 'bundles', 'record'] as const;

/** The values of a record's stream fields but the last (`record`, its JSON), in STREAM_FIELDS order. */
function leadingValues(r: LogRecord): string[] {
  return [
    r.decision_id,
    r.timestamp,
    r.path,
    r.kind ?? '',
    r.allow === null ? '' : String(r.allow),
    r.outcome,
    String(r.cached),
    r.trace_id ?? '',
    r.span_id ?? '',
    revisionsText(r.bundles),
  ];
}

// The records of one snapshot share their bundles object: its revisions' JSON, kept on it.
const REVISIONS = new AnchoredMemo<string>('pdp.stream.revisions');
function revisionsText(bundles: LogRecord['bundles']): string {
  let text = REVISIONS.get(bundles);
  if (text === undefined) {
    const revisions: Record<string, string> = {};
    for (const [name, b] of Object.entries(bundles)) revisions[name] = b.revision;
    text = JSON.stringify(revisions);
    REVISIONS.set(bundles, text);
  }
  return text;
}

/** The stream entry's fields as XADD takes them: name, value, name, value, … */
export function streamFields(r: LogRecord, json: string): string[] {
  const values = leadingValues(r);
  values.push(json);
  return values.flatMap((v, i) => [STREAM_FIELDS[i] as string, v]);
}

// One call writes many records: for each, XADD to the stream and, with a retention, SET its id
// key. Commands in a pipeline cost the client ~33 µs of CPU per record (a command object, a
// promise and a timer each, two per record); one script call per chunk ~9
// (bench/decisionlog/redis-sink.mjs). Each record's leading values travel in one JSON argument
// for the chunk (cjson, in every Redis's Lua since 2.6), not as ten arguments each: the client's
// cost grows with the arguments of a call (ioredis flattens, measures and concatenates each one).
// Redis 5+ replicates a script by its effects, so `XADD … *` is safe. With a retention, a record
// whose id key exists already is not added again: a batch retried after its deadline passed while
// Redis was still writing it adds only what the first attempt did not (exactly once; without a
// retention, and in pipelines, at least once).
//   KEYS: the stream, then (with a retention) each record's id key
//   ARGV: maxlen, retention ms (0: no id keys), the number of records, the number of fields n,
//         the n field names, a JSON array of each record's first n - 1 values, then each
//         record's JSON (the last value)
const WRITE_SCRIPT = `local maxlen, ttl, count, n = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local values = cjson.decode(ARGV[5 + n])
local fields = {}
for j = 1, n do
  fields[2 * j - 1] = ARGV[4 + j]
end
for k = 1, count do
  local v = values[k]
  for j = 1, n - 1 do
    fields[2 * j] = v[j]
  end
  local record = ARGV[5 + n + k]
  fields[2 * n] = record
  if ttl == '0' then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(fields))
  elseif not redis.call('GET', KEYS[k + 1]) then
    -- GET, not EXISTS: the documented least-privilege user may GET, SET and XADD only. XADD
    -- first: a script is not rolled back when a command fails, and an id key set before a failed
    -- XADD would make the retry skip the record.
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(fields))
    redis.call('SET', KEYS[k + 1], record, 'PX', ttl)
  end
end
return count`;
const WRITE_SCRIPT_SHA = createHash('sha1').update(WRITE_SCRIPT).digest('hex');

/** The chunk's leading values as the script's JSON argument. A lone UTF-16 surrogate goes as
 * U+FFFD: cjson refuses its JSON escape, and a command argument carries it so (UTF-8 has no
 * encoding for it). */
export function packedValues(chunk: readonly LogRecord[]): string {
  const rows = chunk.map(leadingValues);
  const text = JSON.stringify(rows);
  if (!mayEscapeSurrogate(text)) return text;
  return JSON.stringify(rows.map((row) => row.map(wellFormed)));
}

/** Records and JSON characters per script call: bound how long one call holds Redis (~1 ms for
 * 100 typical records) and keep it within the command deadline when records are large (a record
 * carries its request's input). A record larger than the character bound goes alone. */
const SCRIPT_CHUNK = 100;
const SCRIPT_CHUNK_CHARS = 1024 * 1024;

/** The batch cut into chunks of at most SCRIPT_CHUNK records and, past the first record of a
 * chunk, SCRIPT_CHUNK_CHARS characters of record JSON. */
export function scriptChunks(batch: readonly LogRecord[]): LogRecord[][] {
  const chunks: LogRecord[][] = [];
  let chunk: LogRecord[] = [];
  let chars = 0;
  for (const r of batch) {
    const n = recordJson(r).length;
    if (chunk.length > 0 && (chunk.length >= SCRIPT_CHUNK || chars + n > SCRIPT_CHUNK_CHARS)) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(r);
    chars += n;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Redis refusing scripts themselves (an ACL without EVALSHA/EVAL, scripting renamed away), or
 * a Lua without cjson (a server built without it): the sink then writes with pipelines, which
 * need only XADD and SET. */
function scriptsRefused(message: string): boolean {
  return /^NOPERM\b.*\beval(sha)?\b|^ERR unknown command .?eval|\bcjson\b/i.test(message);
}

export class RedisStreamSink implements LogSink {
  readonly name = 'redis';
  private readonly opts: RedisStreamSinkOptions;
  /** Why scripts are not used (null: they are). */
  private scriptsOff: string | null = null;

  constructor(opts: RedisStreamSinkOptions) {
    this.opts = opts;
  }

  /** `script` (one call per chunk of records), or `pipeline (…)` with why Redis refused scripts. */
  get mode(): string {
    return this.scriptsOff === null ? 'script' : `pipeline (scripts refused: ${this.scriptsOff})`;
  }

  async send(batch: readonly LogRecord[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisSinkError(`redis batch exceeded ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    });
    try {
      await Promise.race([this.write(batch), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async write(batch: readonly LogRecord[]): Promise<void> {
    if (this.scriptsOff === null) {
      // Chunks go out together (ioredis writes them back to back on the connection), and all
      // settle before the batch does: a retry must not race chunks still in flight.
      const calls = scriptChunks(batch).map((chunk) => this.writeChunk(chunk));
      const failed = (await Promise.allSettled(calls)).find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed === undefined) return;
      const message = describeThrown(failed.reason);
      if (!scriptsRefused(message)) throw new RedisSinkError(message);
      this.scriptsOff = message;
    }
    // Refused scripts wrote nothing (Redis refuses before running one): the whole batch again.
    await this.writePipeline(batch);
  }

  private async writeChunk(chunk: readonly LogRecord[]): Promise<unknown> {
    const { client, stream, maxLen, retentionMs, idKeyPrefix } = this.opts;
    const keys: string[] = [stream];
    const args: string[] = [String(maxLen), String(retentionMs), String(chunk.length), String(STREAM_FIELDS.length), ...STREAM_FIELDS, packedValues(chunk)];
    for (const r of chunk) {
      // Only keys the script writes: on Redis Cluster every key of a call must be in one slot.
      if (retentionMs > 0) keys.push(idKeyPrefix + r.decision_id);
      args.push(recordJson(r));
    }
    try {
      return await client.evalsha(WRITE_SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (e) {
      // First call on this Redis (or after SCRIPT FLUSH, or a failover): send the script itself,
      // which Redis then keeps.
      if (!describeThrown(e).startsWith('NOSCRIPT')) throw e;
      return client.eval(WRITE_SCRIPT, keys.length, ...keys, ...args);
    }
  }

  private async writePipeline(batch: readonly LogRecord[]): Promise<void> {
    const { client, stream, maxLen, retentionMs, idKeyPrefix } = this.opts;
    const pipeline = client.pipeline();
    for (const r of batch) {
      const json = recordJson(r);
      pipeline.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...streamFields(r, json));
      if (retentionMs > 0) pipeline.set(idKeyPrefix + r.decision_id, json, 'PX', retentionMs);
    }
    const results = await pipeline.exec();
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
