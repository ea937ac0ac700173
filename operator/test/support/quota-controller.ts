// Plays the resource-quota controller a test control plane lacks (no kube-controller-manager): a ResourceQuota
// whose status.hard is empty makes the apiserver's quota admission refuse every create it covers ("status unknown
// for quota"), so a test that installs one writes its status as the controller would at first sight: hard = the
// spec, used = 0. Admission keeps status.used up to date from then on (it charges each create).
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Initializes the status of every ResourceQuota in the namespace that has none yet. */
export async function primeQuotas(kc: KubeConfig, namespace: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const q of (await core.listNamespacedResourceQuota({ namespace })).items) {
    if (Object.keys(q.status?.hard ?? {}).length > 0) {
      continue;
    }
    const hard = q.spec?.hard ?? {};
    const used = Object.fromEntries(Object.keys(hard).map((k) => [k, '0']));
    await core.patchNamespacedResourceQuotaStatus(
      { name: q.metadata!.name!, namespace, body: { status: { hard, used } } },
      merge
    );
  }
}
