// A decision (or the reason there is none) + the namespace's mode → the AdmissionResponse the API
// server reads: `allowed`, a Status listing the reasons with their control ids, warnings for
// obligations (and for denials in warn mode), auditAnnotations with the decision id and bundle
// revisions. Every answer names a decision id, also the ones given without a decision (skipped,
// refused, could not decide): the id minted for the review, the one the service log names. Kept within the API server's limits: warnings are cut at 256 characters (longer ones
// may be truncated by it anyway), at most MAX_WARNINGS of them, the message at MAX_MESSAGE.
import type { DecisionAnswerBody, Reason } from '../decisions/types.js';
import type { AdmissionMode, AdmissionResponse } from './types.js';

const MAX_WARNING = 256;
const MAX_WARNINGS = 20;
const MAX_MESSAGE = 4096;

const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function reasonText(r: Reason): string {
  return `${r.code}${r.control ? ` [${r.control}]` : ''}${r.message ? `: ${r.message}` : ''}`;
}

function warnings(list: string[]): string[] | undefined {
  if (list.length === 0) return undefined;
  const out = list.slice(0, MAX_WARNINGS).map((w) => cut(w, MAX_WARNING));
  if (list.length > MAX_WARNINGS) out[MAX_WARNINGS - 1] = `… and ${list.length - MAX_WARNINGS + 1} more (see the decision log)`;
  return out;
}

function bundlesText(bundles: Record<string, string>): string {
  return Object.keys(bundles)
    .sort()
    .map((b) => `${b}=${bundles[b]}`)
    .join(',');
}

/** What the workload is, for messages: "InferenceService ml-serving/fraud-scorer (model fraud-scorer 3.2.0)". */
export interface Subject {
  kind: string;
  namespace: string;
  name: string;
  model: string;
}

const subjectText = (s: Subject): string => `${s.kind} ${s.namespace}/${s.name || '(generated name)'} (model ${s.model})`;

/** The answer from a policy decision. */
export function fromDecision(
  uid: string,
  body: DecisionAnswerBody,
  mode: AdmissionMode,
  subject: Subject,
  dryRun: boolean,
  extra: Readonly<Record<string, string>> = {},
): AdmissionResponse {
  const audit: Record<string, string> = {
    ...extra,
    'decision-id': body.decision_id,
    'bundle-revisions': bundlesText(body.policy.bundles),
    'policy-allowed': String(body.allow),
    mode,
    ...(dryRun ? { 'dry-run': 'true' } : {}),
  };
  if (body.exceptions_applied.length > 0) audit['exceptions-applied'] = body.exceptions_applied.map((e) => e.id).join(',');
  const obligationWarnings = body.obligations.map((o) => `obligation ${o.type}${typeof o.reason === 'string' ? `: ${o.reason}` : ''}`);
  const exceptionWarnings = body.exceptions_applied.map(
    (e) =>
      `exception ${e.id} applied${typeof e.control === 'string' ? ` to ${e.control}` : ''}${typeof e.expires_at === 'string' ? `, expires ${e.expires_at}` : ''}`,
  );
  if (body.allow) {
    return {
      uid,
      allowed: true,
      auditAnnotations: audit,
      ...optional('warnings', mode === 'audit' ? undefined : warnings([...obligationWarnings, ...exceptionWarnings])),
    };
  }
  const head = `${subjectText(subject)} denied by policy ${body.policy.path} (decision ${body.decision_id})`;
  if (mode === 'enforce') {
    return {
      uid,
      allowed: false,
      status: { status: 'Failure', code: 403, reason: 'Forbidden', message: cut(`${head}: ${body.reasons.map(reasonText).join('; ')}`, MAX_MESSAGE) },
      auditAnnotations: audit,
      ...optional('warnings', warnings(obligationWarnings)),
    };
  }
  return {
    uid,
    allowed: true,
    auditAnnotations: audit,
    ...optional(
      'warnings',
      mode === 'warn' ? warnings([`${mode} mode: would be ${head}`, ...body.reasons.map((r) => `denied: ${reasonText(r)}`), ...obligationWarnings]) : undefined,
    ),
  };
}

/** A deny the webhook gives without a policy decision (a namespace it cannot place, annotations
 * that make no valid request); the mode applies like it does to a policy's deny. */
export function refusal(
  uid: string,
  decisionId: string,
  code: string,
  message: string,
  mode: AdmissionMode,
  subject: Subject,
  dryRun: boolean,
  extra: Readonly<Record<string, string>> = {},
): AdmissionResponse {
  const text = `${subjectText(subject)}: ${code}: ${message} (decision ${decisionId})`;
  const audit: Record<string, string> = { ...extra, 'decision-id': decisionId, refused: code, mode, ...(dryRun ? { 'dry-run': 'true' } : {}) };
  if (mode === 'enforce') {
    return { uid, allowed: false, status: { status: 'Failure', code: 400, reason: 'BadRequest', message: cut(text, MAX_MESSAGE) }, auditAnnotations: audit };
  }
  return {
    uid,
    allowed: true,
    auditAnnotations: audit,
    ...optional('warnings', mode === 'warn' ? warnings([`warn mode: would be refused: ${text}`]) : undefined),
  };
}

/** The webhook could not decide (timeout, no policy, its own error): the configured failure mode,
 * saying so. `decisionId` also names the decision still running after a timeout. */
export function failure(uid: string, decisionId: string, code: string, message: string, failureMode: 'deny' | 'allow'): AdmissionResponse {
  const text = `${code}: ${message}; failure mode ${failureMode}: ${failureMode === 'deny' ? 'refused (fail closed)' : 'allowed (fail open)'} (decision ${decisionId})`;
  const audit: Record<string, string> = { 'decision-id': decisionId, failure: code, 'failure-mode': failureMode };
  if (failureMode === 'deny') {
    return { uid, allowed: false, status: { status: 'Failure', code: 500, reason: 'InternalError', message: cut(text, MAX_MESSAGE) }, auditAnnotations: audit };
  }
  return { uid, allowed: true, warnings: [cut(text, MAX_WARNING)], auditAnnotations: audit };
}

/** Allowed without a decision (no model, a DELETE, an UPDATE that left the model alone). */
export function skipped(uid: string, decisionId: string, why: string): AdmissionResponse {
  return { uid, allowed: true, auditAnnotations: { 'decision-id': decisionId, skipped: why } };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
