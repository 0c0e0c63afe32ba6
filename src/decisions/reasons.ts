// Reason codes the service itself adds when it cannot use the policy's own answer.
// Each one is a deny: the service fails closed.
export const ReasonCode = {
  /** The policy produced no document at the path (no rule matched, or the path does not exist). */
  POLICY_UNDEFINED: 'POLICY_UNDEFINED',
  /** The engine failed: runtime error, conflict, budget exceeded; the engine's code is in the message. */
  EVALUATION_ERROR: 'EVALUATION_ERROR',
  /** The policy produced something that is not a decision document (e.g. allow not a boolean). */
  MALFORMED_DECISION: 'MALFORMED_DECISION',
  /** No bundle is active yet: the service cannot decide at all (HTTP 503). */
  NO_ACTIVE_POLICY: 'NO_ACTIVE_POLICY',
} as const;

export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];
