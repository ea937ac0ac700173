import { lastValueFrom } from 'rxjs';
import { LoadingState, type DataQueryRequest, type PanelData, type TimeRange } from '@grafana/data';
import { getDataSourceSrv, getRunRequest } from '@grafana/runtime';
import { STATE_COUNT_RULE, USER_RUNNING_RULE } from '../queries/common';
import type { PromQuery } from './promQuery';
import { isPresent, presenceQueries } from './metricPresence';
import { LastAnswer } from './lastAnswer';

/** How far back a rule's series count as present (the rules are evaluated every minute or so). */
const PRESENCE_WINDOW = '1h';
const RULES = { stateCount: STATE_COUNT_RULE, userRunning: USER_RUNNING_RULE };

/**
 * Whether the Prometheus behind a datasource has the chart's dashboard recording rules. Asked once per datasource
 * and shared by every runner: the answer for the datasource asked last is kept, so selecting another datasource
 * (or coming back to one) asks again. A failure answers false (raw queries always work) and is not kept.
 */
class RecordingRulesDetector {
  private readonly answer = new LastAnswer(false);

  present(uid: string, range: TimeRange): Promise<boolean> {
    return this.answer.get(uid, () => ask(uid, range));
  }

  /** Forgets the answer (tests: a new stand-in datasource answer). */
  clear() {
    this.answer.clear();
  }
}

async function ask(uid: string, range: TimeRange): Promise<boolean> {
  const ds = await getDataSourceSrv().get({ uid });
  const targets = presenceQueries(RULES, PRESENCE_WINDOW);
  const request = {
    app: 'hexactf-recording-rules',
    requestId: `hexactf-recording-rules-${uid}`,
    targets,
    range,
    interval: '1m',
    intervalMs: 60_000,
    maxDataPoints: 1,
    scopedVars: {},
    timezone: 'browser',
    startTime: Date.now(),
  } as DataQueryRequest<PromQuery>;
  const data: PanelData = await lastValueFrom(getRunRequest()(ds, request));
  if (data.state === LoadingState.Error || data.errors?.length) {
    throw new Error(data.errors?.[0]?.message ?? 'recording rule check failed');
  }
  return targets.every(({ refId }) => isPresent(data, refId));
}

export const recordingRulesDetector = new RecordingRulesDetector();
