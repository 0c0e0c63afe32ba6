// The two decision questions: which policy document answers each, and which schema its input follows.
export interface DecisionEndpoint {
  kind: 'model-deployment' | 'tool-call';
  /** Policy document under `data`, e.g. data.ai.deployment.decision. */
  policyPath: string;
  /** Request body schema (schemas/). */
  requestSchema: string;
}

export const DECISION_ENDPOINTS: readonly DecisionEndpoint[] = [
  { kind: 'model-deployment', policyPath: 'ai/deployment/decision', requestSchema: 'model-deployment-request.json' },
  { kind: 'tool-call', policyPath: 'ai/tools/decision', requestSchema: 'tool-call-request.json' },
];
