// `node --test --test-global-setup=test/support/global-setup.ts`: one etcd + kube-apiserver for the whole run.
// Test files attach with useTestEnv()/connectTestEnv() through HEXACTF_TEST_KUBECONFIG (inherited by the test
// processes, which start after this) and isolate by namespace; files that restart servers start a private env.
import { existsSync } from 'node:fs';
import { defaultCrdDir } from './cluster-setup.ts';
import { SHARED_KUBECONFIG_ENV, startTestEnv, type TestEnv } from './test-env.ts';

let env: TestEnv | undefined;

export async function globalSetup(): Promise<void> {
  if (process.env[SHARED_KUBECONFIG_ENV]) {
    return;
  } // the caller brought its own cluster
  env = await startTestEnv();
  if (existsSync(defaultCrdDir)) {
    await env.installCrds();
  }
  process.env[SHARED_KUBECONFIG_ENV] = env.kubeconfigPath;
}

export async function globalTeardown(): Promise<void> {
  await env?.stop();
}
