// Errors of apiserver calls (kube/rest.ts ApiError, client-node ApiException in tests): code, reason, message.
interface ApiErrorInfo {
  code: number; // 0 when there was no HTTP response (network error)
  reason: string;
  message: string;
}

export function apiError(err: unknown): ApiErrorInfo {
  const e = err as { code?: unknown; body?: unknown; message?: string; statusCode?: number };
  const code = typeof e?.code === 'number' ? e.code : typeof e?.statusCode === 'number' ? e.statusCode : 0;
  let body: any = e?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = { message: body };
    }
  }
  return {
    code,
    reason: typeof body?.reason === 'string' ? body.reason : '',
    message: typeof body?.message === 'string' ? body.message : (e?.message ?? String(err)),
  };
}

export const isNotFound = (err: unknown) => apiError(err).code === 404;
export const isConflict = (err: unknown) => apiError(err).code === 409;

/**
 * Server-side apply answers 500 when the object cannot be decoded into its typed form, e.g. a definition's pod
 * template with `cpu: lots` or `env: "A=b"` (the CRD keeps pod specs open). The same input fails the same way
 * every time, so it is bad input, not a server fault.
 */
const UNCONVERTIBLE =
  /unable to convert unstructured object|failed to convert new object|failed to create typed patch object/;

/** A request the apiserver refused for good (bad input, forbidden): retrying the same thing will not help. */
export function isPermanent(err: unknown): boolean {
  const { code, message } = apiError(err);
  if (code === 500 && UNCONVERTIBLE.test(message)) {
    return true;
  }
  return code >= 400 && code < 500 && code !== 404 && code !== 408 && code !== 409 && code !== 429;
}
