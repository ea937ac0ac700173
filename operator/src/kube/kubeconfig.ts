// Where the apiserver is and how to authenticate, for the operator's own HTTP client (kube/rest.ts).
// Why not client-node's KubeConfig at run time: importing it loads the whole generated API (about 85 MiB of RSS
// before the first request, most of the operator's memory budget). This reads the common cases itself: the
// in-cluster service account, and kubeconfig files with certificates, tokens or basic auth. Credentials that run
// code (exec plugins, auth providers) or proxies are handed to client-node, loaded only then.
import { dirname, isAbsolute, resolve } from 'node:path';

const { readFileSync } = process.getBuiltinModule('node:fs');

/** What kube/rest.ts needs; client-node's KubeConfig has the same two methods, so tests can pass theirs. */
export interface KubeConfigLike {
  getCurrentCluster(): { server: string } | null;
  /** Fills TLS material (ca, cert, key, rejectUnauthorized, servername) and headers (Authorization). */
  applyToHTTPSOptions(opts: HttpsOptions): Promise<void>;
}

export interface HttpsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
  headers?: Record<string, unknown>;
  auth?: string;
  [k: string]: unknown;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Projected service-account tokens rotate; client-go re-reads the file about once a minute. */
const TOKEN_REREAD_MS = 60_000;

class StaticKubeConfig implements KubeConfigLike {
  private readonly server: string;
  private readonly tls: HttpsOptions;
  private readonly token?: string;
  private readonly tokenFile?: string;
  private readonly basic?: string;
  private cachedToken?: { value: string; at: number };

  constructor(c: { server: string; tls: HttpsOptions; token?: string; tokenFile?: string; basic?: string }) {
    this.server = c.server;
    this.tls = c.tls;
    this.token = c.token;
    this.tokenFile = c.tokenFile;
    this.basic = c.basic;
  }

  getCurrentCluster() {
    return { server: this.server };
  }

  async applyToHTTPSOptions(opts: HttpsOptions): Promise<void> {
    Object.assign(opts, this.tls);
    const token = this.bearer();
    const headers = (opts.headers ??= {});
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    } else if (this.basic) {
      headers.Authorization = `Basic ${this.basic}`;
    }
  }

  private bearer(): string | undefined {
    if (!this.tokenFile) {
      return this.token;
    }
    const now = Date.now();
    if (!this.cachedToken || now - this.cachedToken.at > TOKEN_REREAD_MS) {
      this.cachedToken = { value: readFileSync(this.tokenFile, 'utf8').trim(), at: now };
    }
    return this.cachedToken.value;
  }
}

/** The pod's service account, like client-go's rest.InClusterConfig(). */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir = SA_DIR): KubeConfigLike {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error('not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset) and no --kubeconfig given');
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return new StaticKubeConfig({
    server: `https://${hostPart}:${port}`,
    tls: { ca: readFileSync(`${dir}/ca.crt`) },
    tokenFile: `${dir}/token`,
  });
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

/** The current context of a kubeconfig file. */
export async function loadKubeconfig(path: string): Promise<KubeConfigLike> {
  const text = readFileSync(path, 'utf8');
  // Loaded here, not at startup: in a cluster (the service account) the operator reads no YAML.
  const { parse } = await import('yaml');
  const doc = (parse(text) ?? {}) as Record<string, unknown>;
  const base = dirname(resolve(path));
  const pick = <T>(list: unknown, name: unknown, what: string): T => {
    const found = (Array.isArray(list) ? (list as Array<Named<T>>) : []).find((e) => e?.name === name);
    const body = found?.[what] as T | undefined;
    if (!body) {
      throw new Error(`kubeconfig ${path}: no ${what} named "${String(name)}"`);
    }
    return body;
  };
  const ctx = pick<{ cluster?: string; user?: string }>(doc.contexts, doc['current-context'], 'context');
  const cluster = pick<Record<string, unknown>>(doc.clusters, ctx.cluster, 'cluster');
  const user = ctx.user ? pick<Record<string, unknown>>(doc.users, ctx.user, 'user') : {};

  if (user.exec || user['auth-provider'] || cluster['proxy-url']) {
    // Rare outside development machines; worth client-node's memory only when asked for.
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    return kc as unknown as KubeConfigLike;
  }

  const file = (p: unknown) => readFileSync(isAbsolute(String(p)) ? String(p) : resolve(base, String(p)));
  const material = (data: unknown, filePath: unknown) =>
    typeof data === 'string' && data
      ? Buffer.from(data, 'base64')
      : typeof filePath === 'string' && filePath
        ? file(filePath)
        : undefined;
  const server = cluster.server;
  if (typeof server !== 'string' || !server) {
    throw new Error(`kubeconfig ${path}: cluster "${ctx.cluster}" has no server`);
  }
  const tls: HttpsOptions = {};
  const ca = material(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (ca) {
    tls.ca = ca;
  }
  const cert = material(user['client-certificate-data'], user['client-certificate']);
  const key = material(user['client-key-data'], user['client-key']);
  if (cert) {
    tls.cert = cert;
  }
  if (key) {
    tls.key = key;
  }
  if (cluster['insecure-skip-tls-verify'] === true) {
    tls.rejectUnauthorized = false;
  }
  if (typeof cluster['tls-server-name'] === 'string') {
    tls.servername = cluster['tls-server-name'];
  }
  const tokenFile =
    typeof user.tokenFile === 'string' && user.tokenFile
      ? isAbsolute(user.tokenFile)
        ? user.tokenFile
        : resolve(base, user.tokenFile)
      : undefined;
  const basic =
    typeof user.username === 'string'
      ? Buffer.from(`${user.username}:${String(user.password ?? '')}`).toString('base64')
      : undefined;
  return new StaticKubeConfig({
    server,
    tls,
    token: typeof user.token === 'string' ? user.token : undefined,
    tokenFile,
    basic,
  });
}
