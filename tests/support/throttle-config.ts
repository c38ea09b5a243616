import type { LoginThrottleConfig } from '../../src-server/auth/login-throttle';

/** Small, round sign-in throttle numbers, so tests can count failures to the limit by hand. */
export const THROTTLE_TEST_CONFIG: LoginThrottleConfig = {
  loginFreeFailuresPerAccountAddress: 2,
  loginFreeFailuresPerAccount: 4,
  loginFreeFailuresPerAddress: 6,
  loginDelayBaseMs: 1000,
  loginDelayMaxMs: 60_000,
  loginForgetAfterMs: 3600_000,
};
