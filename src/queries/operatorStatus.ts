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

/** Target label of the scrape job (Triage compares an instance's samples with its job's fullest instance). */
export const JOB_LABEL = 'job';
