// One AdmissionReview in, one AdmissionReview out, always, within the budget:
//   not a model workload / DELETE / subresource / controller-owned Pod → allowed, no decision
//   UPDATE whose model fields did not change                             → allowed, no decision
//   namespace not mapped, annotations that make no valid request        → refused (mode applies)
//   else → the model-deployment decision through the pipeline (decision id, span, audit record,
//   cache, metrics), answered in the namespace's mode; a pipeline that does not answer in time,
//   no active policy, or a throw here → the configured failure mode, saying so.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { AdmissionConfig, AdmissionMode } from '../config/types.js';
import { DECISION_ENDPOINTS } from '../decisions/kinds.js';
import type { DecisionAnswer, DecisionQuery } from '../decisions/types.js';
import { describeThrown } from '../shared/errors.js';
import { failure, fromDecision, refusal, skipped, type Subject } from './answer.js';
import { modelPart, toRequest } from './map.js';
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

export class AdmissionController {
  constructor(
    private readonly config: AdmissionConfig,
    private readonly decider: Decider,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** `labelMode`: the mode the webhook configuration says the namespace's label asks for (the
   * chart registers one webhook per mode, selected by the namespace label, each with ?mode=). */
  async review(review: AdmissionReviewIn, ctx: RequestContext, labelMode?: AdmissionMode): Promise<AdmissionReviewOut> {
    const uid = review.request.uid;
    let response: AdmissionResponse;
    try {
      response = await this.answer(review.request, ctx, labelMode);
    } catch (err) {
      // A bug here must still give the API server an answer, the configured one.
      this.onError(err);
      response = failure(uid, AdmissionCode.WEBHOOK_ERROR, `the webhook failed: ${describeThrown(err)}`, this.config.failure_mode);
    }
    return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
  }

  /** The namespace's own setting, else its label (via the webhook's ?mode=), else the default. */
  private modeOf(namespace: string, labelMode: AdmissionMode | undefined): AdmissionMode {
    return this.config.namespaces[namespace]?.mode ?? labelMode ?? this.config.default_mode;
  }

  private async answer(req: AdmissionRequest, ctx: RequestContext, labelMode: AdmissionMode | undefined): Promise<AdmissionResponse> {
    const { uid } = req;
    const kind = workloadKind(req.kind);
    if (!kind) return skipped(uid, `not-a-model-workload:${req.kind.kind}`);
    if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return skipped(uid, `operation:${req.operation}`);
    if (req.subResource) return skipped(uid, `subresource:${req.subResource}`);
    const object = req.object;
    if (!object) return skipped(uid, 'no-object');
    if (kind === 'Pod' && ownedByController(object)) return skipped(uid, 'pod-owned-by-controller');
    const prefix = this.config.annotation_prefix;
    const fields = modelFields(kind, object, prefix);
    if (!fields) return skipped(uid, 'no-model');

    if (req.operation === 'UPDATE' && req.oldObject) {
      const before = modelFields(kind, req.oldObject, prefix);
      if (before && isDeepStrictEqual(modelPart(before, prefix), modelPart(fields, prefix))) return skipped(uid, 'model-unchanged');
    }

    const namespace = req.namespace ?? '';
    const mode = this.modeOf(namespace, labelMode);
    const dryRun = req.dryRun === true;
    const subject: Subject = {
      kind,
      namespace,
      name: req.name ?? '',
      model: `${fields.annotations.name ?? fields.defaultName ?? '?'} ${fields.annotations.version ?? '?'}`,
    };
    const target = this.config.namespaces[namespace];
    if (!target) {
      return refusal(
        uid,
        AdmissionCode.NAMESPACE_NOT_MAPPED,
        `namespace ${JSON.stringify(namespace)} is not a known deployment target (admission.namespaces)`,
        mode,
        subject,
        dryRun,
      );
    }
    const mapped = toRequest(fields, prefix, target, namespace, req.userInfo);
    if (!mapped.ok) return refusal(uid, AdmissionCode.INVALID_REQUEST, mapped.problems.join('; '), mode, subject, dryRun);

    const decisionId = randomUUID();
    const decision = this.decider.decide({
      kind: 'model-deployment',
      path: POLICY_PATH,
      input: mapped.request,
      strict: false,
      ...ctx,
      decisionId,
      origin: { protocol: 'admission', uid, operation: req.operation, kind, namespace, name: req.name ?? '', mode, dry_run: dryRun },
    });
    const answer = await withDeadline(decision, this.config.timeout_ms);
    if (answer === TIMED_OUT) {
      return failure(
        uid,
        AdmissionCode.DECISION_TIMEOUT,
        `no decision within ${this.config.timeout_ms} ms (decision ${decisionId} still running)`,
        this.config.failure_mode,
        decisionId,
      );
    }
    if (answer.status === 503) {
      return failure(uid, AdmissionCode.NO_ACTIVE_POLICY, 'no policy bundle is active yet', this.config.failure_mode, answer.body.decision_id);
    }
    return fromDecision(uid, answer.body, mode, subject, dryRun);
  }
}

const TIMED_OUT = Symbol('timed out');

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
