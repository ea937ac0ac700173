// A real control plane for tests, envtest style: etcd + kube-apiserver on 127.0.0.1, no kubelet and no
// controller-manager (so Deployments never get status and namespaces never finish terminating: tests drive
// those themselves). Binaries come from scripts/install-test-tools.sh.
//
// Usage in a test file:
//   const env = await useTestEnv();            // the run's shared env (global-setup.ts), else a private one
//   const ns = await createTestNamespace(env.kubeConfig, 'reconcile');   // cluster-setup.ts
//   ... after(() => env.stop());               // detaches from a shared env, tears down a private one
// Files that stop or restart servers call startTestEnv() for a private env instead.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort } from '@hexactf/testing/ports';
import { removeTempDir, tempDir } from '@hexactf/testing/processes';
import { requiredTool } from '@hexactf/testing/tools';
import { stringify } from 'yaml';
import { Server, etcdHealthy, httpsStatus } from './server-process.ts';
import { installCrds } from './cluster-setup.ts';

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
        // Room for every Service the suite's files create in the shared apiserver (a /24 filled up: "range is full").
        '--service-cluster-ip-range=10.0.0.0/16',
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
