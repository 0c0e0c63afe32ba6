// The admission.k8s.io/v1 AdmissionReview shapes this webhook reads and writes (schemas/
// admission-review.json and admission-review-response.json are the checked versions), and the
// webhook's own vocabulary.
import type { AdmissionMode } from '../config/types.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
}

/** A Kubernetes object as it arrives: nothing in it is trusted to have any shape. */
export type KubeObject = Record<string, unknown>;

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  userInfo: UserInfo;
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
  /** Not sent by the kube-apiserver (AdmissionRequest v1 has no such field; `namespaceObject` is a
   * CEL variable of ValidatingAdmissionPolicy only): read when a proxy in front adds it. */
  namespaceObject?: KubeObject | null;
}

export interface AdmissionReviewIn {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}

export interface AdmissionStatus {
  status?: 'Success' | 'Failure';
  code?: number;
  reason?: string;
  message?: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewOut {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export type { AdmissionMode };

/** Reason codes the webhook gives when it answers without a policy decision. */
export const AdmissionCode = {
  /** The namespace is not in admission.namespaces: no deployment target to decide for. */
  NAMESPACE_NOT_MAPPED: 'NAMESPACE_NOT_MAPPED',
  /** The governance annotations do not make a valid model-deployment request. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** A namespace label the webhook reads holds a value that is not a valid one. */
  NAMESPACE_LABEL_INVALID: 'NAMESPACE_LABEL_INVALID',
  /** `<prefix>registry-record` names a record that is not in the bundle data. */
  REGISTRY_RECORD_NOT_FOUND: 'REGISTRY_RECORD_NOT_FOUND',
  /** `<prefix>registry-record` is not a valid id, or the record it names is not a record. */
  REGISTRY_RECORD_INVALID: 'REGISTRY_RECORD_INVALID',
  /** The bundle data the webhook reads (namespace labels, registry records) could not be read. */
  BUNDLE_DATA_ERROR: 'BUNDLE_DATA_ERROR',
  /** No answer within admission.timeout_ms. */
  DECISION_TIMEOUT: 'DECISION_TIMEOUT',
  /** No policy bundle is active yet. */
  NO_ACTIVE_POLICY: 'NO_ACTIVE_POLICY',
  /** The webhook's own failure. */
  WEBHOOK_ERROR: 'WEBHOOK_ERROR',
} as const;
