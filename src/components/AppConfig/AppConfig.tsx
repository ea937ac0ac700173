import React, { useState, type SyntheticEvent } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { DataSourcePicker, getBackendSrv, locationService } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';

import { WINDOW_CHOICES } from '../../metric/contract';
import {
  LABEL_FIELDS,
  resolveSettings,
  toJsonData,
  validateSettings,
  type AppSettings,
  type SettingsJsonData,
} from '../../settings/settings';
import { testIds } from '../testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

type Draft = SettingsJsonData;

function toDraft(jsonData: AppSettings | undefined): Draft {
  return toJsonData(resolveSettings(jsonData));
}

/** Edits the app's jsonData (src/settings/settings.ts) and saves it through Grafana's plugin settings API. */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { enabled, pinned, jsonData } = plugin.meta;
  const [draft, setDraft] = useState<Draft>(() => toDraft(jsonData));
  const [saveError, setSaveError] = useState<string>();
  const errors = validateSettings(draft);
  const invalid = Object.keys(errors).length > 0;

  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));

  const onSubmit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (invalid) {
      return;
    }
    // Resolving again trims the names and fills empty fields with the defaults.
    const saved = toJsonData(resolveSettings(draft));
    try {
      await updatePlugin(plugin.meta.id, { enabled, pinned, jsonData: saved });
      // The plugin meta is loaded once per page load: reload so the pages see the new settings.
      locationService.reload();
    } catch (e) {
      setSaveError(e instanceof Error ? e.message : 'The settings could not be saved.');
    }
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container}>
      <FieldSet label="Data" className={s.marginTop}>
        <Field label="Prometheus datasource" description="The datasource the pages start with.">
          <div data-testid={testIds.appConfig.datasource}>
            <DataSourcePicker
              inputId="hexactf-datasource"
              pluginId="prometheus"
              current={draft.datasourceUid}
              noDefault
              width={60}
              onChange={(ds) => set({ datasourceUid: ds.uid })}
            />
          </div>
        </Field>
        <Field
          label="Default window"
          description="How far back a Challenge's last state counts ($window)."
          invalid={Boolean(errors.defaultWindow)}
          error={errors.defaultWindow}
        >
          <RadioButtonGroup
            data-testid={testIds.appConfig.window}
            options={WINDOW_CHOICES.map((w) => ({ label: w, value: w }))}
            value={draft.defaultWindow}
            onChange={(w) => set({ defaultWindow: w })}
          />
        </Field>
      </FieldSet>

      <FieldSet label="Metric" className={s.marginTop}>
        <Field
          label="Metric name"
          description="The state gauge the operator exports."
          invalid={Boolean(errors.metricName)}
          error={errors.metricName}
        >
          <Input
            id="hexactf-metric-name"
            data-testid={testIds.appConfig.metricName}
            width={60}
            value={draft.metricName}
            onChange={(e) => set({ metricName: e.currentTarget.value })}
          />
        </Field>
        {LABEL_FIELDS.map(({ settingsField: field, settingLabel, help, defaultLabel }) => {
          return (
            <Field
              key={field}
              label={settingLabel}
              description={help}
              invalid={Boolean(errors[field])}
              error={errors[field]}
            >
              <Input
                id={`hexactf-${field}`}
                data-testid={testIds.appConfig[field]}
                width={60}
                placeholder={defaultLabel}
                value={draft[field]}
                onChange={(e) => set({ [field]: e.currentTarget.value })}
              />
            </Field>
          );
        })}
      </FieldSet>

      {saveError && (
        <Alert title="Saving failed" severity="error">
          {saveError}
        </Alert>
      )}
      <div className={s.marginTop}>
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={invalid}>
          Save settings
        </Button>
      </div>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css`
    margin-top: ${theme.spacing(3)};
  `,
});

async function updatePlugin(pluginId: string, data: Partial<PluginMeta<AppSettings>>) {
  const response = getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data });
  return (await lastValueFrom(response)).data;
}
