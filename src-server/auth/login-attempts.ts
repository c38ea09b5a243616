import { LoginThrottle, type LoginThrottleConfig } from './login-throttle';

/**
 * Where the sign-in throttle keeps its record of failures: this node's memory (one server), or
 * Redis shared by every node of a cluster, so guesses spread over the nodes meet one budget.
 * Both apply the same pure policy (login-throttle.ts).
 */
export interface LoginAttempts {
  /**
   * Before checking a password: null when the attempt may go ahead (it is then counted as a
   * failure until `succeeded`), else how many ms to wait (the attempt is not counted). Never
   * rejects: a keeper that cannot reach its store answers from the node's own record.
   */
  attempt(account: string, address: string, now: number): Promise<number | null>;
  /** The password was right: the account starts afresh, the address gets its one attempt back. */
  succeeded(account: string, address: string): Promise<void>;
  close(): Promise<void>;
}

/** The throttle of one process: the pure policy over maps in memory. */
export class LocalLoginAttempts implements LoginAttempts {
  readonly throttle: LoginThrottle;

  constructor(config: LoginThrottleConfig, maxKeys?: number) {
    this.throttle = new LoginThrottle(config, maxKeys);
  }

  attempt(account: string, address: string, now: number): Promise<number | null> {
    return Promise.resolve(this.throttle.attempt(account, address, now));
  }

  succeeded(account: string, address: string): Promise<void> {
    this.throttle.succeeded(account, address);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
