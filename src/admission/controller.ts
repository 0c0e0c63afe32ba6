// One AdmissionReview in, one AdmissionReview out, always, within the budget:
//   not a model workload / DELETE / subresource / controller-owned Pod → allowed, no decision
//   UPDATE whose model fields did not change                             → allowed, no decision
//   namespace not mapped (labels, setting), bad namespace label, registry record missing or
//   malformed, annotations that make no valid request                    → refused (mode applies)
//   else → the model-deployment decision through the pipeline (decision id, span, audit record,
//   cache, metrics), answered in the namespace's mode; a pipeline that does not answer in time,
//   no active policy, unreadable bundle data, or a throw here → the configured failure mode,
//   saying so. Every answer carries a decision id (see answer.ts).
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { AdmissionConfig, AdmissionMode } from '../config/types.js';
import { DECISION_ENDPOINTS } from '../decisions/kinds.js';
import type { DecisionAnswer, DecisionQuery } from '../decisions/types.js';
import { describeThrown } from '../shared/errors.js';
import { failure, fromDecision, refusal, skipped, type Subject } from './answer.js';
import { noBundleData, type BundleData } from './bundle-data.js';
import { modelPart, toRequest } from './map.js';
import { namespaceTarget } from './namespace.js';
import { registryRecord } from './registry-record.js';
import { AdmissionCode, type AdmissionRequest, type AdmissionResponse, type AdmissionReviewIn, type AdmissionReviewOut } from './types.js';
import { modelFields, ownedByController, workloadKind } from './workload.js';

/** What the controller needs of the decision pipeline. */
export interface Decider {
  decide(query: DecisionQuery): Promise<DecisionAnswer>;
}

/** The HTTP request's own context, handed through to the decision (caller, peer, trace headers). */
export type RequestContext = Pick<DecisionQuery, 'headers' | 'remoteAddress' | 'remotePort' | 'caller'>;

const MODEL_DEPLOYMENT = DECISION_ENDPOINTS.find((e) => e.kind === 'model-deployment');
if (!MODEL_DEPLOYMENT) throw new Error('model-deployment decision endpoint is not defined');
const POLICY_PATH = MODEL_DEPLOYMENT.policyPath;

/** An answer given without a decision record (refused, could not decide), for the service log:
 * the decision id the answer names is found there. */
export interface UndecidedAnswer {
  decision_id: string;
  uid: string;
  namespace: string;
  name: string;
  code: string;
  message: string;
  allowed: boolean;
}

export interface ControllerHooks {
  /** The webhook's own failure (a bug), answered with the failure mode. */
  onError?: (err: unknown) => void;
  /** Each refusal or could-not-decide answer (skips are not reported: they are routine). */
  onUndecided?: (answer: UndecidedAnswer) => void;
}

export class AdmissionController {
  constructor(
    private readonly config: AdmissionConfig,
    private readonly decider: Decider,
    private readonly data: BundleData = noBundleData,
    private readonly hooks: ControllerHooks = {},
  ) {}

  /** `labelMode`: the mode the webhook configuration says the namespace's label asks for (the
   * chart registers one webhook per mode, selected by the namespace label, each with ?mode=). */
  async review(review: AdmissionReviewIn, ctx: RequestContext, labelMode?: AdmissionMode): Promise<AdmissionReviewOut> {
    const uid = review.request.uid;
    // One id per review, minted before anything can fail: the decision's id when there is one,
    // else the id the decision-less answer and its log line carry.
    const decisionId = randomUUID();
    let response: AdmissionResponse;
    try {
      response = await this.answer(review.request, ctx, labelMode, decisionId);
    } catch (err) {
      // A bug here must still give the API server an answer, the configured one.
      this.hooks.onError?.(err);
      response = failure(uid, decisionId, AdmissionCode.WEBHOOK_ERROR, `the webhook failed: ${describeThrown(err)}`, this.config.failure_mode);
    }
    if (response.auditAnnotations?.refused !== undefined || response.auditAnnotations?.failure !== undefined) {
      const a = response.auditAnnotations;
      this.hooks.onUndecided?.({
        decision_id: decisionId,
        uid,
        namespace: review.request.namespace ?? '',
        name: review.request.name ?? '',
        code: a.refused ?? a.failure ?? '',
        message: response.status?.message ?? response.warnings?.[0] ?? '',
        allowed: response.allowed,
      });
    }
    return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
  }

  private async answer(req: AdmissionRequest, ctx: RequestContext, labelMode: AdmissionMode | undefined, decisionId: string): Promise<AdmissionResponse> {
    const { uid } = req;
    const skip = (why: string): AdmissionResponse => skipped(uid, decisionId, why);
    const kind = workloadKind(req.kind);
    if (!kind) return skip(`not-a-model-workload:${req.kind.kind}`);
    if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return skip(`operation:${req.operation}`);
    if (req.subResource) return skip(`subresource:${req.subResource}`);
    const object = req.object;
    if (!object) return skip('no-object');
    if (kind === 'Pod' && ownedByController(object)) return skip('pod-owned-by-controller');
    const prefix = this.config.annotation_prefix;
    const fields = modelFields(kind, object, prefix);
    if (!fields) return skip('no-model');

    if (req.operation === 'UPDATE' && req.oldObject) {
      const before = modelFields(kind, req.oldObject, prefix);
      if (before && before.recordId === fields.recordId && isDeepStrictEqual(modelPart(before, prefix), modelPart(fields, prefix))) {
        return skip('model-unchanged');
      }
    }

    const namespace = req.namespace ?? '';
    const dryRun = req.dryRun === true;
    const subject: Subject = {
      kind,
      namespace,
      name: req.name ?? '',
      model: `${fields.annotations.name ?? fields.defaultName ?? '?'} ${fields.annotations.version ?? '?'}`,
    };
    const failed = (code: string, message: string): AdmissionResponse => failure(uid, decisionId, code, message, this.config.failure_mode);

    const ns = await namespaceTarget(
      namespace,
      req.namespaceObject,
      labelMode,
      { prefix, namespaces: this.config.namespaces, defaultMode: this.config.default_mode },
      this.data,
    );
    if (!ns.ok) return ns.failure ? failed(ns.code, ns.message) : refusal(uid, decisionId, ns.code, ns.message, ns.mode, subject, dryRun);
    const { mode } = ns;
    const extra: Record<string, string> = { 'namespace-source': ns.source };

    if (fields.recordId !== undefined) {
      const found = await registryRecord(fields.recordId, this.data);
      if (!found.ok)
        return found.failure ? failed(found.code, found.message) : refusal(uid, decisionId, found.code, found.message, mode, subject, dryRun, extra);
      fields.record = found.record;
      extra['registry-record'] = found.record.id;
      subject.model = `${fields.annotations.name ?? str(found.record.model.name) ?? fields.defaultName ?? '?'} ${fields.annotations.version ?? str(found.record.model.version) ?? '?'}`;
    }

    const mapped = toRequest(fields, prefix, ns.target, namespace, req.userInfo);
    if (!mapped.ok) return refusal(uid, decisionId, AdmissionCode.INVALID_REQUEST, mapped.problems.join('; '), mode, subject, dryRun, extra);

    const decision = this.decider.decide({
      kind: 'model-deployment',
      path: POLICY_PATH,
      // A copy in JSON's own form: the request shares objects with remembered bundle data (registry
      // records) that must not change, and — measured with --cpu-prof under bench/admission — the
      // copy costs less than it saves when the decision log's mask policy converts the record
      // (bench/admission, cache hits: 1.21 → 1.16 × the endpoint's CPU per request).
      input: JSON.parse(JSON.stringify(mapped.request)) as unknown,
      strict: false,
      ...ctx,
      decisionId,
      origin: { protocol: 'admission', uid, operation: req.operation, kind, namespace, name: req.name ?? '', mode, dry_run: dryRun },
    });
    const answer = await withDeadline(decision, this.config.timeout_ms);
    if (answer === TIMED_OUT)
      return failed(AdmissionCode.DECISION_TIMEOUT, `no decision within ${this.config.timeout_ms} ms (decision ${decisionId} still running)`);
    if (answer.status === 503) return failed(AdmissionCode.NO_ACTIVE_POLICY, 'no policy bundle is active yet');
    return fromDecision(uid, answer.body, mode, subject, dryRun, extra);
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const TIMED_OUT = Symbol('timed out');

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
