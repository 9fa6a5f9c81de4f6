/**
 * Span attribute names of calls between services: retries, attempts, timeouts, the peer
 * (docs/tracing.md maps them to the mission's list). Nothing here knows about orders.
 */
export const CALL_ATTR = {
  retryCount: 'retry.count',
  attempts: 'http.request.attempts',
  resendCount: 'http.request.resend_count',
  timeout: 'timeout',
  timeoutBudgetMs: 'timeout.budget_ms',
  timedOutAttempts: 'timeout.attempts',
  peerService: 'peer.service',
} as const;
