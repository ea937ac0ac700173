import type { TimeRange } from '@grafana/data';
import { STATE_COUNT_RULE, USER_RUNNING_RULE } from '../queries/common';
import { isPresent, presenceQueries } from './metricPresence';
import { LastAnswer } from './lastAnswer';
import { runCheck } from './checkRequest';

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

  /** The answer for `uid` if it has already come, without asking. */
  known(uid: string): boolean | undefined {
    return this.answer.settled(uid)?.value;
  }

  /** Forgets the answer (tests: a new stand-in datasource answer). */
  clear() {
    this.answer.clear();
  }
}

async function ask(uid: string, range: TimeRange): Promise<boolean> {
  const targets = presenceQueries(RULES, PRESENCE_WINDOW);
  const data = await runCheck(uid, 'hexactf-recording-rules', targets, range);
  return targets.every(({ refId }) => isPresent(data, refId));
}

export const recordingRulesDetector = new RecordingRulesDetector();
