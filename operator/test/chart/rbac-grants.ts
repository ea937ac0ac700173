// What rbac.test.ts asks of the chart's RBAC: its objects created for real (a kubeconfig acting as its
// ServiceAccount back), the series-state ConfigMap it names, and self-subject access reviews.
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { renderChart, type K8sObject } from './helm.ts';
import { create, serviceAccountKubeConfig } from './kube.ts';

/**
 * Creates the chart's ServiceAccount, RBAC objects and admission policies for real (so the operator below converges
 * through them); returns a kubeconfig acting as the ServiceAccount.
 */
export async function installRbac(
  admin: KubeConfig,
  release: string,
  namespace: string,
  set: string[] = []
): Promise<KubeConfig> {
  const kinds = [
    'ServiceAccount',
    'ClusterRole',
    'ClusterRoleBinding',
    'Role',
    'RoleBinding',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ];
  const objs = renderChart({ release, namespace, set }).filter((o) => kinds.includes(o.kind));
  for (const obj of objs) {
    await create(admin, obj as any);
  }
  const sa = objs.find((o: K8sObject) => o.kind === 'ServiceAccount')!;
  return serviceAccountKubeConfig(admin, namespace, sa.metadata.name);
}

/** The ConfigMap the chart tells the operator to keep its series state in (its --series-state-configmap). */
export function seriesStateConfigMap(release: string, namespace: string, set: string[] = []): string {
  const deployment: any = renderChart({ release, namespace, set }).find((o) => o.kind === 'Deployment');
  const arg: string = deployment.spec.template.spec.containers[0].args.find((a: string) =>
    a.startsWith('--series-state-configmap=')
  );
  return arg.slice(arg.indexOf('=') + 1);
}

export async function can(
  kc: KubeConfig,
  verb: string,
  resource: string,
  opts: { group?: string; namespace?: string; subresource?: string; name?: string } = {}
): Promise<boolean> {
  const review = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: {
      spec: {
        resourceAttributes: {
          verb,
          resource,
          group: opts.group ?? '',
          namespace: opts.namespace,
          subresource: opts.subresource,
          name: opts.name,
        },
      },
    },
  });
  return review.status!.allowed;
}

export const hexactf = 'apps.hexactf.io';
