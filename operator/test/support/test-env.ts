// A real control plane for tests, envtest style: etcd + kube-apiserver on 127.0.0.1, no kubelet and no
// controller-manager (so Deployments never get status and namespaces never finish terminating: tests drive
// those themselves). Binaries come from scripts/install-test-tools.sh.
//
// Usage in a test file:
//   const env = await useTestEnv();            // the run's shared env (global-setup.ts), else a private one
//   const ns = await createTestNamespace(env.kubeConfig, 'reconcile');
//   ... after(() => env.stop());               // detaches from a shared env, tears down a private one
// Files that stop or restart servers call startTestEnv() for a private env instead.
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { freePort } from '@hexactf/testing/ports';
import { removeTempDir, spawnLogged, stopChild, tail, tempDir } from '@hexactf/testing/processes';
import { requiredTool } from '@hexactf/testing/tools';
import { parseAllDocuments, stringify } from 'yaml';

/** The CRDs live only here (team convention); every test loads them from this directory. */
export const defaultCrdDir = resolve(import.meta.dirname, '../../chart/crds');

/** Set by global-setup.ts for the whole `node --test` run; connectTestEnv() attaches to that env. */
export const SHARED_KUBECONFIG_ENV = 'HEXACTF_TEST_KUBECONFIG';

export interface TestEnvOptions {
  /** 'RBAC' (default) makes permission mistakes visible; 'AlwaysAllow' for tests that don't care. */
  authorizationMode?: 'RBAC' | 'AlwaysAllow';
  /** Appended to kube-apiserver's command line (later flags win). */
  extraApiserverArgs?: string[];
  /** How long one start of etcd or kube-apiserver may take before the start fails (default 90 s). */
  startTimeoutMs?: number;
}

export interface TestEnv {
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  apiserverUrl: string;
  adminToken: string;
  /** Applies every YAML document in dir (default operator/chart/crds) and waits until each CRD is Established. */
  installCrds(dir?: string): Promise<void>;
  /** Stops kube-apiserver (SIGTERM, then SIGKILL after 10 s); etcd and its data stay. */
  stopApiserver(): Promise<void>;
  /** Starts kube-apiserver again on the same port against the same etcd; resolves once /readyz is ok. */
  startApiserver(): Promise<void>;
  stopEtcd(): Promise<void>;
  /** Starts etcd again on the same ports with the same data directory. */
  startEtcd(): Promise<void>;
  /** Kills both servers and removes the temp directory. On a shared env (connectTestEnv) this only detaches. */
  stop(): Promise<void>;
}

/** One server process: output appended to a log file, restartable with the same arguments. */
class Server {
  private child: ChildProcess | undefined;
  private readonly name: string;
  private readonly command: string;
  private readonly args: string[];
  readonly logFile: string;

  constructor(name: string, command: string, args: string[], logFile: string) {
    this.name = name;
    this.command = command;
    this.args = args;
    this.logFile = logFile;
  }

  /** Spawns the process and resolves once ready() does; on failure kills it and throws with the log's tail. */
  async start(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    if (this.child) {
      throw new Error(`${this.name} is already running`);
    }
    const child = spawnLogged(this.command, this.args, this.logFile);
    this.child = child;
    let exitCode: string | undefined;
    child.once('exit', (code, signal) => (exitCode = signal ?? String(code)));
    child.once('error', (err) => (exitCode = err.message));
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (exitCode !== undefined) {
        this.child = undefined;
        throw new Error(
          `${this.name} exited (${exitCode}) while starting; log ${this.logFile}:\n${tail(this.logFile, 40)}`
        );
      }
      if (await ready().catch(() => false)) {
        return;
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `${this.name} not ready after ${timeoutMs} ms; log ${this.logFile}:\n${tail(this.logFile, 40)}`
        );
      }
      await sleep(200); // the poll interval of this readiness check (it has its own deadline and error)
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) {
      return;
    }
    this.child = undefined;
    await stopChild(child);
  }
}

/** GET over https without certificate checks (readiness only; the kubeconfig pins the server's CA). */
function httpsStatus(url: string, token: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = request(
      url,
      { rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` }, timeout: 2000 },
      (r) => {
        r.resume();
        res(r.statusCode ?? 0);
      }
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end();
  });
}

async function etcdHealthy(url: string): Promise<boolean> {
  const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
  return r.ok && ((await r.json()) as { health?: string }).health === 'true';
}

/** Starts etcd and kube-apiserver in a fresh temp directory and returns once the apiserver reports ready. */
export async function startTestEnv(options: TestEnvOptions = {}): Promise<TestEnv> {
  const etcdBin = requiredTool('etcd');
  const apiserverBin = requiredTool('kube-apiserver');
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const dir = tempDir('hexactf-testenv-');
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const apiserverUrl = `https://127.0.0.1:${apiPort}`;

    const etcd = new Server(
      'etcd',
      etcdBin,
      [
        '--name=testenv',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=testenv=${peerUrl}`,
        '--unsafe-no-fsync', // throwaway data: durability only costs time here
      ],
      join(dir, 'etcd.log')
    );

    // Service-account tokens need a signing key even though nothing here mints them for pods.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(join(dir, 'sa.pub'), publicKey);
    writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
    const adminToken = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });

    const certDir = join(dir, 'certs');
    const apiserver = new Server(
      'kube-apiserver',
      apiserverBin,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${certDir}`, // self-signed serving cert, reused across restarts
        '--service-cluster-ip-range=10.0.0.0/24',
        // The endpoints of Service "kubernetes" may not point at loopback, and nothing here needs them.
        '--endpoint-reconciler-type=none',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        `--authorization-mode=${options.authorizationMode ?? 'RBAC'}`,
        // ServiceAccount admission wants each namespace's "default" account, which only controller-manager creates.
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        ...(options.extraApiserverArgs ?? []),
      ],
      join(dir, 'kube-apiserver.log')
    );

    const apiserverReady = async () => (await httpsStatus(`${apiserverUrl}/readyz`, adminToken)) === 200;
    let stopped = false;

    await etcd.start(() => etcdHealthy(etcdUrl), timeoutMs);
    const stopAll = async () => {
      await apiserver.stop();
      await etcd.stop();
    };
    try {
      await apiserver.start(apiserverReady, timeoutMs);
    } catch (err) {
      await stopAll();
      throw err;
    }

    // The serving cert file holds the leaf followed by its self-signed CA: a valid trust bundle for clients.
    const kubeconfigPath = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfigPath,
      kubeconfigYaml(apiserverUrl, adminToken, readFileSync(join(certDir, 'apiserver.crt'))),
      {
        mode: 0o600,
      }
    );
    const kubeConfig = loadKubeConfig(kubeconfigPath);

    return {
      kubeconfigPath,
      kubeConfig,
      apiserverUrl,
      adminToken,
      installCrds: (crdDir?: string) => installCrds(kubeConfig, crdDir),
      stopApiserver: () => apiserver.stop(),
      startApiserver: () => apiserver.start(apiserverReady, timeoutMs),
      stopEtcd: () => etcd.stop(),
      startEtcd: () => etcd.start(() => etcdHealthy(etcdUrl), timeoutMs),
      async stop() {
        if (stopped) {
          return;
        }
        stopped = true;
        await stopAll();
        removeTempDir(dir);
      },
    };
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
}

function kubeconfigYaml(server: string, token: string, caPem: Buffer): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'testenv', cluster: { server, 'certificate-authority-data': caPem.toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'testenv', context: { cluster: 'testenv', user: 'admin' } }],
    'current-context': 'testenv',
  });
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/**
 * Attaches to the env that global-setup.ts started for this run (its kubeconfig is in HEXACTF_TEST_KUBECONFIG).
 * Other test files share it, so the servers cannot be stopped or restarted through this handle.
 */
export function connectTestEnv(): TestEnv {
  const kubeconfigPath = process.env[SHARED_KUBECONFIG_ENV];
  if (!kubeconfigPath) {
    throw new Error(`${SHARED_KUBECONFIG_ENV} is not set: no shared test env to connect to`);
  }
  const kubeConfig = loadKubeConfig(kubeconfigPath);
  const unsupported = (what: string) => async () => {
    throw new Error(
      `${what} on the shared test env would disturb other test files: use startTestEnv() for a private one`
    );
  };
  return {
    kubeconfigPath,
    kubeConfig,
    apiserverUrl: kubeConfig.getCurrentCluster()!.server,
    adminToken: kubeConfig.getCurrentUser()!.token!,
    installCrds: (crdDir?: string) => installCrds(kubeConfig, crdDir),
    stopApiserver: unsupported('stopApiserver'),
    startApiserver: unsupported('startApiserver'),
    stopEtcd: unsupported('stopEtcd'),
    startEtcd: unsupported('startEtcd'),
    stop: async () => {},
  };
}

/** The shared env when the run has one (global setup), else a private one. Either way, call stop() when done. */
export async function useTestEnv(options?: TestEnvOptions): Promise<TestEnv> {
  return process.env[SHARED_KUBECONFIG_ENV] ? connectTestEnv() : startTestEnv(options);
}

/**
 * Server-side apply of one object as raw JSON. Not through client-node's typed serializer: it knows CRD schemas
 * only by its TypeScript property names (`_enum`, `xKubernetesListType`, ...), so `enum`, `x-kubernetes-list-type`,
 * `x-kubernetes-preserve-unknown-fields` and friends read from YAML were silently dropped, and the tests ran
 * against weaker CRDs than `helm install` creates.
 */
export async function applyRaw(
  kc: KubeConfig,
  obj: KubernetesObject,
  fieldManager = 'hexactf-test-env'
): Promise<void> {
  const [group, version] = obj.apiVersion!.includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion!];
  const plural = `${obj.kind!.toLowerCase()}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = obj.metadata?.namespace ? `/namespaces/${obj.metadata.namespace}` : '';
  const url = new URL(
    `${kc.getCurrentCluster()!.server}${base}${ns}/${plural}/${obj.metadata!.name}?fieldManager=${fieldManager}&force=true`
  );
  const opts: import('node:https').RequestOptions = {
    method: 'PATCH',
    headers: { 'content-type': 'application/apply-patch+yaml' },
  };
  await kc.applyToHTTPSOptions(opts);
  const body = JSON.stringify(obj);
  await new Promise<void>((res, rej) => {
    const req = request(url, opts, (r) => {
      let text = '';
      r.on('data', (b) => (text += b));
      r.on('end', () =>
        (r.statusCode ?? 0) < 300
          ? res()
          : rej(new Error(`apply ${obj.kind} ${obj.metadata!.name}: ${r.statusCode} ${text}`))
      );
    });
    req.on('error', rej);
    req.end(body);
  });
}

/** Server-side applies every document of every .yaml/.yml file in dir, then waits until each CRD is Established. */
export async function installCrds(kc: KubeConfig, dir: string = defaultCrdDir, timeoutMs = 30_000): Promise<void> {
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) {
    throw new Error(`no YAML files in ${dir}`);
  }
  const crdNames: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) {
        throw new Error(`${file}: ${doc.errors[0].message}`);
      }
      const obj = doc.toJS() as KubernetesObject | null;
      if (!obj) {
        continue;
      }
      await applyRaw(kc, obj);
      if (obj.kind === 'CustomResourceDefinition') {
        crdNames.push(obj.metadata!.name!);
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (const name of crdNames) {
    while (true) {
      const crd = await extensions.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`CRD ${name} not Established after ${timeoutMs} ms`);
      }
      await sleep(100); // the poll interval of this check (it has its own deadline and error)
    }
  }
}

/**
 * A fresh namespace named `<prefix>-<random>`, labelled so it can be told apart. Tests isolate by namespace; there is
 * no namespace controller here, so deleting one would leave it Terminating forever: they are simply left behind.
 */
export async function createTestNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const ns = await core.createNamespace({
    body: { metadata: { generateName: `${prefix}-`, labels: { 'hexactf.io/test-env': 'true' } } },
  });
  return ns.metadata!.name!;
}
