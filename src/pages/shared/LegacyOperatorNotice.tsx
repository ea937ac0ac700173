import React from 'react';
import {
  SceneObjectBase,
  sceneGraph,
  type SceneComponentProps,
  type SceneDataState,
  type SceneObjectState,
} from '@grafana/scenes';
import { Alert } from '@grafana/ui';
import { LoadingState } from '@grafana/data';
import { INFO_METRIC, LEGACY_CHALLENGE_ID_LABEL } from '../../metric/contract';
import { metricPresenceQuery, type QuerySettings } from '../../queries/common';
import { legacyLabelPresenceQuery } from '../../queries/operatorStatus';
import { FilteredQueryRunner } from '../../data/FilteredQueryRunner';
import { isPresent } from '../../data/metricPresence';
import { instantSeries } from '../../data/promQuery';

/** How far back the exporter's series are looked at (a fixed span: Triage has no window). */
const LOOKBACK = '1h';

interface LegacyOperatorState extends SceneObjectState {
  /** The challenge id label the settings use (the pages need `challeng_id` for the original operator). */
  challengeIdLabel: string;
}

/**
 * Says what the pages can and cannot show when the exporter looks like the original HexaCTF operator (Go, v0.0.5):
 * its state gauge has the `challeng_id` label and there is no challenge_info. README.md, "Compatibility", lists the
 * same per page. challenge_info is asked only once the label is seen: with this project's operator the notice's one
 * question reads no sample (no series has the label), where the presence of challenge_info reads all of them, beside
 * every page's own queries (at event scale 0.16 s alone, about 1 s among a page's others).
 */
export class LegacyOperatorNotice extends SceneObjectBase<LegacyOperatorState> {
  static Component = LegacyOperatorRenderer;

  constructor(settings: QuerySettings) {
    const ask = { info: false };
    const runner = new FilteredQueryRunner({
      key: 'legacy-operator',
      build: () => [
        instantSeries('legacyLabel', legacyLabelPresenceQuery(settings, LOOKBACK)),
        ...(ask.info ? [instantSeries('info', metricPresenceQuery(INFO_METRIC, LOOKBACK))] : []),
      ],
    });
    super({ challengeIdLabel: settings.labels.challengeId, $data: runner });
    const askInfoOnceSeen = ({ data }: SceneDataState) => {
      if (!ask.info && data?.state === LoadingState.Done && isPresent(data, 'legacyLabel')) {
        ask.info = true;
        runner.runQueries();
      }
    };
    this.addActivationHandler(() => {
      // The page's scene may have run the check before this notice mounted (panelDataWithScene).
      askInfoOnceSeen(runner.state);
      const sub = runner.subscribeToState(askInfoOnceSeen);
      return () => sub.unsubscribe();
    });
  }
}

function LegacyOperatorRenderer({ model }: SceneComponentProps<LegacyOperatorNotice>) {
  const { challengeIdLabel } = model.useState();
  const data = sceneGraph.getData(model).useState().data;
  const answered = (refId: string) => data?.series.some((frame) => frame.refId === refId) ?? false;
  if (!data || data.state !== LoadingState.Done || !isPresent(data, 'legacyLabel') || !answered('info')) {
    return null;
  }
  if (isPresent(data, 'info')) {
    return null;
  }
  const labelOk = challengeIdLabel === LEGACY_CHALLENGE_ID_LABEL;
  return (
    <Alert severity="warning" title="This looks like the original HexaCTF operator">
      <p>
        Its state gauge spells the challenge id label <code>{LEGACY_CHALLENGE_ID_LABEL}</code> and it exports no{' '}
        <code>{INFO_METRIC}</code>.{' '}
        {labelOk
          ? 'The app is set up for that label.'
          : `The app's settings use ${challengeIdLabel}: set the challenge id label to ${LEGACY_CHALLENGE_ID_LABEL} on the configuration page.`}
      </p>
      <p>
        Shown: the counts per state, the matrix and each user&apos;s instances, the peak instances per user, the
        instances in Error, and whether the operator is reporting. Not shown: categories and requested CPU and memory
        (it does not export them). It forgets every instance when it restarts and does not report them again, so after a
        restart those instances are missing from every page although they still run; and it deletes an instance in Error
        by itself, so an Error shows only until then (then Deleted).
      </p>
    </Alert>
  );
}
