// One ListWatch over several namespaces, for an operator whose RBAC is a Role per challenge namespace (it may not
// list cluster-wide). Each namespace has its own list and watch; their resourceVersions are kept here, per
// namespace, because one informer-level resourceVersion cannot resume several watches.
import type { KubeObject } from '../api/types.ts';
import type { ListResult, ListWatch, WatchHandle } from './list-watch.ts';

export function multiNamespaceListWatch<T extends KubeObject>(perNamespace: Map<string, ListWatch<T>>): ListWatch<T> {
  if (perNamespace.size === 1) {
    return [...perNamespace.values()][0];
  }
  const versions = new Map<string, string>();
  return {
    async list(transform?: (obj: any) => T): Promise<ListResult<T>> {
      const results = await Promise.all(
        [...perNamespace].map(async ([ns, lw]) => [ns, await lw.list(transform)] as const)
      );
      const items: T[] = [];
      for (const [ns, r] of results) {
        versions.set(ns, r.resourceVersion);
        // Each namespace's items as the informer expects them: transformed when it asked and they are not yet.
        for (const item of r.items) {
          items.push(transform && !r.transformed ? transform(item) : item);
        }
      }
      // The informer only hands this back to watch(), which uses the per-namespace versions instead.
      return {
        items,
        resourceVersion: results.map(([ns, r]) => `${ns}=${r.resourceVersion}`).join(','),
        transformed: !!transform,
      };
    },
    async watch(_resourceVersion, onEvent, onDone): Promise<WatchHandle> {
      const handles: WatchHandle[] = [];
      let done = false;
      // The first watch to end ends them all: the informer then resumes (clean close) or relists (error) as one.
      const stop = () => {
        if (done) {
          return false;
        }
        done = true;
        for (const h of handles) {
          h.abort();
        }
        return true;
      };
      const finish = (err: unknown) => {
        if (stop()) {
          onDone(err);
        }
      };
      for (const [ns, lw] of perNamespace) {
        const handle = await lw.watch(
          versions.get(ns) ?? '',
          (type, obj) => {
            const rv = obj?.metadata?.resourceVersion;
            if (rv && type !== 'ERROR') {
              versions.set(ns, rv);
            }
            if (!done) {
              onEvent(type, obj);
            }
          },
          finish
        );
        handles.push(handle);
        if (done) {
          handle.abort();
        }
      }
      return { abort: () => void stop() };
    },
  };
}
