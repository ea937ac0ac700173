// ListWatch for the informer, backed by client-node: KubernetesObjectApi pages the list, Watch streams events
// with bookmarks and a server-side timeout.
import { KubernetesObjectApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import { apiVersionOf, type ResourceRef } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import type { ListResult, ListWatch, WatchHandle, WatchEventType } from './informer.ts';

export interface ListWatchOptions {
  namespace?: string; // '' or undefined = all namespaces
  labelSelector?: string;
  pageSize?: number;
  watchTimeoutSeconds?: number;
}

export function resourcePath(ref: ResourceRef, namespace?: string): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  return namespace ? `${base}/namespaces/${namespace}/${ref.plural}` : `${base}/${ref.plural}`;
}

export function kubeListWatch<T extends KubeObject>(
  kc: KubeConfig,
  ref: ResourceRef,
  opts: ListWatchOptions = {},
): ListWatch<T> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const watcher = new Watch(kc);
  // client-node's Watch aborts after 30 s without data (and that reads as an error), so the server is asked to
  // close the watch first; a clean close resumes from the last resourceVersion without a relist.
  const timeoutSeconds = opts.watchTimeoutSeconds ?? 25;
  return {
    async list(): Promise<ListResult<T>> {
      const items: T[] = [];
      let cont: string | undefined;
      let resourceVersion = '';
      do {
        const page = await objects.list<any>(
          apiVersionOf(ref),
          ref.kind,
          opts.namespace || undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          opts.labelSelector,
          opts.pageSize ?? 500,
          cont,
        );
        for (const item of page.items) items.push({ apiVersion: apiVersionOf(ref), kind: ref.kind, ...item });
        cont = page.metadata?._continue || undefined;
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      } while (cont);
      return { items, resourceVersion };
    },
    async watch(resourceVersion, onEvent, onDone): Promise<WatchHandle> {
      // Jitter spreads the reconnects of several informers.
      const timeout = Math.round(timeoutSeconds * (0.8 + Math.random() * 0.2));
      const controller = await watcher.watch(
        resourcePath(ref, opts.namespace),
        {
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: timeout,
          labelSelector: opts.labelSelector,
        },
        (type: string, obj: any) => onEvent(type as WatchEventType, obj),
        (err: unknown) => onDone(err),
      );
      return { abort: () => controller.abort() };
    },
  };
}
