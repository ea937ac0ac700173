import { SceneTimeRange, type SceneObjectUrlSyncHandler } from '@grafana/scenes';

/**
 * A time range of a part of a page that is not the page's own (the operator status asks about now, whatever the
 * page shows). Kept out of the URL: scenes syncs every time range it finds, and a second one would put
 * `from-2`, `to-2` and `timezone-2` next to the page's `from`, `to` and `timezone`.
 */
export class UnsyncedTimeRange extends SceneTimeRange {
  override get urlSync(): SceneObjectUrlSyncHandler | undefined {
    return undefined;
  }
}
