/** What every page says about the exporter: is the operator reporting, is it the original HexaCTF operator. */
import { LEGACY_CHALLENGE_ID_LABEL } from '../metric/contract';
import { WINDOW_VARIABLE, checkSettings, type QuerySettings } from './common';

/**
 * 1 when the state gauge has series with the original HexaCTF operator's label spelling (`challeng_id`) within the
 * window, else 0. With metricPresenceQuery(INFO_METRIC) absent, the exporter looks like the original operator.
 */
export function legacyLabelPresenceQuery(s: QuerySettings, window = WINDOW_VARIABLE): string {
  checkSettings(s);
  const selector = `${s.metricName}{${LEGACY_CHALLENGE_ID_LABEL}!=""}`;
  return `(count(last_over_time(${selector}[${window}])) > bool 0) or vector(0)`;
}

/** How far back the pages look for an operator that stopped reporting (how long they keep saying so). */
export const OPERATOR_LOOKBACK = '1d';
/** Target label that ties the gauge's series to the scrape target's `up` series. */
export const JOB_LABEL = 'job';

/**
 * The operator's targets that are not reporting: each job that exported the state gauge within `lookback` and has
 * no target up now (down, or gone from service discovery), valued with the last time one of its targets was up
 * (Unix seconds, at the subquery's 1 m resolution). Empty while the operator reports. Label: job.
 */
export function operatorSilenceQuery(s: QuerySettings, lookback = OPERATOR_LOOKBACK): string {
  checkSettings(s);
  if (!/^[0-9]+[smhdwy]$/.test(lookback)) {
    throw new Error(`invalid duration ${JSON.stringify(lookback)}`);
  }
  const lastUp = `max by (${JOB_LABEL}) (max_over_time(timestamp(up == 1)[${lookback}:1m]))`;
  const exportedGauge = `group by (${JOB_LABEL}) (last_over_time(${s.metricName}[${lookback}]))`;
  return `${lastUp} unless on (${JOB_LABEL}) (up == 1) and on (${JOB_LABEL}) ${exportedGauge}`;
}
