import React from 'react';
import { css } from '@emotion/css';
import {
  SceneObjectBase,
  SceneRefreshPicker,
  SceneTimePicker,
  type SceneComponentProps,
  type SceneObjectState,
} from '@grafana/scenes';

interface TimeControlsState extends SceneObjectState {
  timePicker: SceneTimePicker;
  refreshPicker: SceneRefreshPicker;
}

const row = css({ display: 'flex', flexWrap: 'nowrap', gap: '8px', alignItems: 'center' });

/**
 * The time picker and the refresh button as one control, as Grafana's dashboards show them: scenes wraps each
 * control on its own, and on a page with few variables the refresh button ended up alone on the next line, away
 * from the range it refreshes.
 */
export class TimeControls extends SceneObjectBase<TimeControlsState> {
  static Component = TimeControlsRenderer;
}

function TimeControlsRenderer({ model }: SceneComponentProps<TimeControls>) {
  const { timePicker, refreshPicker } = model.useState();
  return (
    <div className={row} data-testid="time-controls">
      <timePicker.Component model={timePicker} />
      <refreshPicker.Component model={refreshPicker} />
    </div>
  );
}
