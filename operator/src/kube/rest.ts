// The operator's HTTP client for the apiserver: JSON requests and watch streams over one keep-alive agent, every
// request behind the client's rate limiter (the manager's controller client: --kube-api-qps / --kube-api-burst,
// none by default). Each client has its own agent, so one client's queue of requests never holds another's.
// Why not client-node's generated clients at run time: they build a new undici Agent, hence a new TLS
// connection and OpenSSL context, for every request, and keep none of them; under load that was most of the
// operator's RSS (see operator/docs/memory.md). Tests and tools still use client-node.
import type { Agent as HttpAgentType, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { HttpsOptions, KubeConfigLike } from './kubeconfig.ts';
import { unlimited, type RateLimiter } from './rate-limiter.ts';

// node:http's CommonJS exports rather than an ES import: building the import's namespace reads every export, and
// node:http's WebSocket getter loads undici (with node:crypto's WebCrypto and node:fs's promises, about 6 MiB of RSS
// at startup; operator/docs/memory.md). src/ takes those builtins this way (eslint.config.mjs).
const { Agent: HttpAgent, request: httpRequest } = process.getBuiltinModule('node:http');

/** An error answer of the apiserver (code = HTTP status, body = its Status object), or code 0 with no answer. */
export class ApiError extends Error {
  readonly code: number;
  readonly body: unknown;
  constructor(code: number, body: unknown, message: string) {
    super(message);
    this.code = code;
    this.body = body;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
}

interface RestClientOptions {
  limiter?: RateLimiter;
  /**
   * Asked right before a write (any verb but GET) is sent, after the rate limiter: a reason refuses it (the
   * manager's fence once this replica lost its Lease, so writes queued earlier never land after it).
   */
  fence?: () => string | undefined;
  userAgent?: string;
  /** Per request, not for watches (those end on their server-side timeout). */
  timeoutMs?: number;
}

interface Prepared {
  server: URL;
  agent: HttpAgentType;
  headers: Record<string, string>;
  at: number;
  material: string;
}

/** Credentials are asked again this often (exec plugins and token files rotate). */
const CREDENTIAL_REFRESH_MS = 10_000;

export class RestClient {
  private readonly kc: KubeConfigLike;
  readonly limiter: RateLimiter;
  private readonly fence?: () => string | undefined;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private prepared?: Promise<Prepared>;
  /** Requests sent, by verb; for tests and the docs' figures. */
  readonly sent = { total: 0 };

  constructor(kc: KubeConfigLike, opts: RestClientOptions = {}) {
    this.kc = kc;
    this.limiter = opts.limiter ?? unlimited;
    this.fence = opts.fence;
    this.userAgent = opts.userAgent ?? 'hexactf-challenge-operator';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const p = await this.prepare();
    await this.limiter.wait();
    const fenced = method === 'GET' ? undefined : this.fence?.();
    if (fenced) {
      throw new ApiError(0, undefined, `${method} ${path}: not sent: ${fenced}`);
    }
    this.sent.total++;
    const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const res = await this.send(p, method, path, opts.query, body, opts.contentType, this.timeoutMs);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw errorOf(status, text, method, path);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * A GET outside the rate limit, only for the readiness check of the apiserver: a probe must answer within its
   * timeout even while a burst of writes waits for tokens.
   */
  async probe(path: string, timeoutMs: number): Promise<{ status: number; text: string }> {
    const p = await this.prepare();
    const res = await this.send(p, 'GET', path, undefined, undefined, undefined, timeoutMs);
    return { status: res.statusCode ?? 0, text: await readAll(res) };
  }

  /**
   * Starts a watch (`?watch=1` on a list path). Resolves once the apiserver accepted it; events then arrive
   * one JSON line at a time. onDone(undefined) on a clean close, onDone(err) on a broken stream; never after abort().
   */
  async watch(
    path: string,
    query: Query,
    onEvent: (type: string, obj: unknown) => void,
    onDone: (err: unknown) => void
  ): Promise<{ abort(): void }> {
    const p = await this.prepare();
    await this.limiter.wait();
    this.sent.total++;
    const serverTimeoutS = Number(query.timeoutSeconds ?? 0);
    // A dead connection (no bytes, not even the server's close) is noticed a little after the server would have closed.
    const idleMs = serverTimeoutS > 0 ? (serverTimeoutS + 30) * 1000 : 0;
    const res = await this.send(p, 'GET', path, { ...query, watch: 1 }, undefined, undefined, idleMs);
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      throw errorOf(status, await readAll(res), 'WATCH', path);
    }
    let aborted = false;
    let finished = false;
    const finish = (err: unknown) => {
      if (finished || aborted) {
        return;
      }
      finished = true;
      onDone(err);
    };
    let pending = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.trim()) {
          continue;
        }
        let ev: { type?: string; object?: unknown };
        try {
          ev = JSON.parse(line);
        } catch (err) {
          res.destroy();
          return finish(new Error(`watch ${path}: undecodable event: ${(err as Error).message}`));
        }
        if (aborted || finished) {
          return;
        }
        onEvent(String(ev.type), ev.object);
      }
    });
    res.on('end', () => finish(undefined));
    res.on('error', (err) => finish(err));
    res.on('close', () => finish(res.complete ? undefined : new Error(`watch ${path}: connection closed`)));
    return {
      abort: () => {
        aborted = true;
        res.destroy();
      },
    };
  }

  private send(
    p: Prepared,
    method: string,
    path: string,
    query: Query | undefined,
    body: Buffer | undefined,
    contentType: string | undefined,
    timeoutMs: number
  ): Promise<IncomingMessage> {
    const url = new URL(path, p.server);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== '') {
        url.searchParams.set(k, String(v));
      }
    }
    const headers: Record<string, string> = { ...p.headers, Accept: 'application/json', 'User-Agent': this.userAgent };
    if (body) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, agent: p.agent, headers }, resolve);
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () =>
          req.destroy(new Error(`${method} ${url.pathname}: no answer within ${timeoutMs} ms`))
        );
      }
      req.on('error', (err) => reject(new ApiError(0, undefined, `${method} ${url.pathname}: ${err.message}`)));
      req.end(body);
    });
  }

  /** Server, TLS agent and auth headers; re-asked every few seconds, the agent rebuilt only when the TLS material changes. */
  private prepare(): Promise<Prepared> {
    const current = this.prepared;
    this.prepared = (async () => {
      const prev = current ? await current.catch(() => undefined) : undefined;
      if (prev && Date.now() - prev.at < CREDENTIAL_REFRESH_MS) {
        return prev;
      }
      const server = this.kc.getCurrentCluster()?.server;
      if (!server) {
        throw new ApiError(0, undefined, 'no apiserver configured');
      }
      const opts: HttpsOptions = {};
      await this.kc.applyToHTTPSOptions(opts);
      const material = [opts.ca, opts.cert, opts.key, opts.rejectUnauthorized, opts.servername].map(String).join('\0');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) {
        if (typeof v === 'string') {
          headers[k] = v;
        }
      }
      if (opts.auth && !headers.Authorization) {
        headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      }
      const url = new URL(server);
      let agent = prev && prev.material === material ? prev.agent : undefined;
      if (!agent) {
        // A replaced agent is dropped, not destroyed: its open watches and requests finish on their own.
        const common = { keepAlive: true, keepAliveMsecs: 30_000, maxFreeSockets: 32, scheduling: 'lifo' as const };
        agent =
          url.protocol === 'http:'
            ? new HttpAgent(common)
            : new HttpsAgent({
                ...common,
                ca: opts.ca,
                cert: opts.cert,
                key: opts.key,
                rejectUnauthorized: opts.rejectUnauthorized,
                servername: opts.servername,
              });
      }
      return { server: url, agent, headers, at: Date.now(), material };
    })();
    // A failure is not cached: the next request asks again.
    const mine = this.prepared;
    mine.catch(() => {
      if (this.prepared === mine) {
        this.prepared = undefined;
      }
    });
    return mine;
  }

  /** Closes idle connections (open watches are aborted by their owners). */
  async close(): Promise<void> {
    const p = await this.prepared?.catch(() => undefined);
    p?.agent.destroy();
    this.prepared = undefined;
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (b: Buffer) => chunks.push(b));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function errorOf(status: number, text: string, method: string, path: string): ApiError {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not a Status object
  }
  const message = (body as { message?: unknown })?.message;
  return new ApiError(status, body, `${method} ${path}: ${status}${typeof message === 'string' ? `: ${message}` : ''}`);
}
