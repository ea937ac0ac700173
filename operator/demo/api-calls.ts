// What the demo's API calls share: telling apiserver answers apart, retrying a 429, waiting unless aborted.
import { ApiException } from '@kubernetes/client-node';

export const isStatus = (e: unknown, code: number) => e instanceof ApiException && e.code === code;

/** Retries what the apiserver asks to retry (429, e.g. while a new CRD's watch cache warms up). */
export async function retryTooManyRequests<T>(call: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (e) {
      if (!isStatus(e, 429) || i >= attempts) {
        throw e;
      }
      await sleep(Math.min(2000, 100 * 2 ** i));
    }
  }
}

/** Resolves true when the signal aborted before ms passed. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((done) => {
    if (signal?.aborted) {
      return done(true);
    }
    const onAbort = () => {
      clearTimeout(t);
      done(true);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done(false);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
