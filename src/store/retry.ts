import { BACKOFF_MS, backoff } from "./async.js";

interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface ErrorInfo {
  errorType: "TRANSIENT" | "THROTTLING" | "SERVER_ERROR" | "CLIENT_ERROR";
}

/**
 * Retries throttling, server errors and dropped connections up to `maxAttempts`, with exponential
 * backoff and full jitter. Unlike the SDK's standard strategy it has no retry quota: the quota
 * protects a fleet of clients from retry storms, but ingestion is one batch job that should wait
 * out a throttled table rather than give up on a file after a few hundred errors.
 */
export class PatientRetryStrategy {
  readonly mode = "pagetrack";

  constructor(
    private readonly maxAttempts: number,
    /** The first step of the backoff, in milliseconds. */
    private readonly backoffMs = BACKOFF_MS,
  ) {}

  async acquireInitialRetryToken(): Promise<Token> {
    return token(0, 0);
  }

  async refreshRetryTokenForRetry(previous: Token, info: ErrorInfo): Promise<Token> {
    const count = previous.getRetryCount() + 1;
    if (info.errorType === "CLIENT_ERROR" || count >= this.maxAttempts) throw new Error("no more retries");
    return token(count, backoff(count + (info.errorType === "THROTTLING" ? 2 : 0), this.backoffMs));
  }

  recordSuccess(): void {}
}

function token(count: number, delay: number): Token {
  return { getRetryCount: () => count, getRetryDelay: () => delay };
}
