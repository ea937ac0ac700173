// Making informers for a controller: the manager owns the connection, the watched namespaces and the clock; a
// controller says which kind, with which label selector, resync and transform.
import type { ResourceRef } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { Informer } from './informer.ts';
import { kubeListWatch } from './list-watch.ts';
import { multiNamespaceListWatch } from './multi-namespace-list-watch.ts';
import type { RestClient } from './rest.ts';

interface InformerFactoryOptions<T> {
  labelSelector?: string;
  resyncMs?: number;
  /** What of each object is cached (e.g. controller/projections.ts). */
  transform?: (obj: any) => T;
}

/** Makes an informer for one kind. */
export type InformerFactory = <T extends KubeObject>(
  name: string,
  ref: ResourceRef,
  opts?: InformerFactoryOptions<T>
) => Informer<T>;

/**
 * Informers over `rest`: one list+watch per namespace when `namespaces` are given (namespaced RBAC, a Role in
 * each), else one cluster-wide. `made` is told of each informer made (the manager starts and syncs them).
 */
export function informerFactory(deps: {
  rest: RestClient;
  namespaces: string[];
  clock: Clock;
  log: Logger;
  made: (informer: Informer<any>) => void;
}): InformerFactory {
  const { rest, namespaces, clock, log } = deps;
  const informerLog = (msg: string, fields?: Record<string, unknown>) => log.warn(msg, fields);
  const listWatch = <T extends KubeObject>(ref: ResourceRef, labelSelector?: string) =>
    namespaces.length === 0
      ? kubeListWatch<T>(rest, ref, { labelSelector })
      : multiNamespaceListWatch(
          new Map(namespaces.map((namespace) => [namespace, kubeListWatch<T>(rest, ref, { namespace, labelSelector })]))
        );
  return <T extends KubeObject>(name: string, ref: ResourceRef, o: InformerFactoryOptions<T> = {}) => {
    const informer = new Informer<T>(listWatch<T>(ref, o.labelSelector), {
      name,
      clock,
      resyncMs: o.resyncMs ?? 0,
      log: informerLog,
      transform: o.transform,
    });
    deps.made(informer);
    return informer;
  };
}
