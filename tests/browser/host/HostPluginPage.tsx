/**
 * Stands in for Grafana's Page as PluginPage renders it (set through setPluginPage): the page's heading and
 * subtitle above the app's content, with Grafana's page padding. Grafana's nav, breadcrumbs and header bar are
 * its own chrome, not shown here.
 */
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { PluginPageProps } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';

export function HostPluginPage({ pageNav, subTitle, actions, children, renderTitle }: PluginPageProps) {
  const s = useStyles2(styles);
  const title = pageNav?.text ?? '';
  return (
    <div className={s.page} data-host-page="">
      <header className={s.header}>
        {renderTitle ? renderTitle(title) : <h1 className={s.title}>{title}</h1>}
        {actions}
      </header>
      {(subTitle ?? pageNav?.subTitle) && <div className={s.subTitle}>{subTitle ?? pageNav?.subTitle}</div>}
      <main className={s.content}>{children}</main>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  page: css({ padding: theme.spacing(2, 3), display: 'flex', flexDirection: 'column', minHeight: '100vh' }),
  header: css({ display: 'flex', gap: theme.spacing(2), alignItems: 'center' }),
  title: css({ margin: 0, fontSize: theme.typography.h2.fontSize }),
  subTitle: css({ color: theme.colors.text.secondary, margin: theme.spacing(1, 0, 2) }),
  content: css({ flexGrow: 1, display: 'flex', flexDirection: 'column' }),
});
