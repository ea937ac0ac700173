import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls fn until it returns something other than undefined or false, and returns that. Errors thrown by fn count
 * as "not yet" (the server may still be starting); the last one is quoted when the wait times out, after `what`
 * (a function when the message should describe the state at that moment).
 */
export async function waitFor<T>(what: string | (() => string), fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) {
        return value as T;
      }
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}
