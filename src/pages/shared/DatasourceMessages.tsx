import React from 'react';
import { Alert, TextLink } from '@grafana/ui';
import { CONFIG_PAGE_URL, NEW_DATASOURCE_URL, datasourceSettingsUrl } from '../../data/datasource';

/** Shown instead of a page's panels when Grafana has no Prometheus datasource at all. */
export function NoDatasourceMessage() {
  return (
    <Alert severity="error" title="No Prometheus datasource">
      The challenge pages read the operator&apos;s metrics from Prometheus, and this Grafana has no Prometheus
      datasource. <TextLink href={NEW_DATASOURCE_URL}>Add a Prometheus datasource</TextLink>, then choose it in the{' '}
      <TextLink href={CONFIG_PAGE_URL}>app configuration</TextLink>.
    </Alert>
  );
}

/** Shown above a page's panels when the datasource in the app settings is gone (the picker fell back to another). */
export function MissingDatasourceMessage({ uid }: { uid: string }) {
  return (
    <Alert severity="warning" title="Configured datasource not found">
      The app is configured to use the datasource with uid <code>{uid}</code>, which does not exist; the pages use the
      one chosen in the Prometheus picker instead. Choose another in the{' '}
      <TextLink href={CONFIG_PAGE_URL}>app configuration</TextLink> or check the{' '}
      <TextLink href={datasourceSettingsUrl(uid)}>datasource settings</TextLink>.
    </Alert>
  );
}
