// ListWatch for the informer over kube/rest.ts: the list comes in pages (`limit`/`continue`, the event loop runs
// between pages), the watch streams events with bookmarks and a server-side timeout.
import { apiVersionOf, type ResourceRef } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import type { RestClient } from './rest.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
  /** True when list() already applied the transform it was given (page by page, so raw pages die early). */
  transformed?: boolean;
}

export interface WatchHandle {
  abort(): void;
}

/** The two calls an informer needs; kube/list-watch.ts implements them against the apiserver. */
export interface ListWatch<T extends KubeObject> {
  /**
   * A fresh array each call: the informer takes it over (it drops each raw item once its projection is cached).
   * A ListWatch that can apply `transform` to each page as it arrives says so with `transformed`.
   */
  list(transform?: (obj: any) => T): Promise<ListResult<T>>;
  watch(
    resourceVersion: string,
    onEvent: (type: WatchEventType, obj: any) => void,
    onDone: (err: unknown) => void
  ): Promise<WatchHandle>;
}

interface ListWatchOptions {
  namespace?: string; // '' or undefined = all namespaces
  labelSelector?: string;
  pageSize?: number;
  watchTimeoutSeconds?: number;
}

function resourcePath(ref: ResourceRef, namespace?: string): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  return namespace ? `${base}/namespaces/${namespace}/${ref.plural}` : `${base}/${ref.plural}`;
}

interface ListPage {
  items?: KubeObject[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export function kubeListWatch<T extends KubeObject>(
  rest: RestClient,
  ref: ResourceRef,
  opts: ListWatchOptions = {}
): ListWatch<T> {
  const path = resourcePath(ref, opts.namespace || undefined);
  const apiVersion = apiVersionOf(ref);
  // The server closes the watch first (a clean close resumes from the last resourceVersion without a relist);
  // kube/rest.ts gives up on a silent connection a little after that.
  const timeoutSeconds = opts.watchTimeoutSeconds ?? 25;
  return {
    async list(transform?: (obj: any) => T): Promise<ListResult<T>> {
      const items: T[] = [];
      let cont: string | undefined;
      let resourceVersion = '';
      do {
        const page = await rest.get<ListPage>(path, {
          labelSelector: opts.labelSelector,
          limit: opts.pageSize ?? 500,
          continue: cont,
        });
        // List items carry no apiVersion/kind; the cache and the metrics want them.
        for (const item of page.items ?? []) {
          item.apiVersion = apiVersion;
          item.kind = ref.kind;
          items.push(transform ? transform(item) : (item as T));
        }
        cont = page.metadata?.continue || undefined;
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      } while (cont);
      return { items, resourceVersion, transformed: !!transform };
    },
    async watch(resourceVersion, onEvent, onDone): Promise<WatchHandle> {
      // Jitter spreads the reconnects of several informers.
      const timeout = Math.round(timeoutSeconds * (0.8 + Math.random() * 0.2));
      return rest.watch(
        path,
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: timeout, labelSelector: opts.labelSelector },
        (type, obj) => onEvent(type as WatchEventType, obj),
        onDone
      );
    },
  };
}
