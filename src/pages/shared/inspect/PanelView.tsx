import React, { useEffect } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import type { VizPanel } from '@grafana/scenes';
import { Button, useStyles2 } from '@grafana/ui';

interface Props {
  panel: VizPanel;
  onClose: () => void;
  /** Whether Escape closes the view (not while a drawer above it takes Escape for itself). */
  closeOnEscape: boolean;
}

/** One panel alone, filling the page below the controls, with a way back to the whole page. */
export function PanelView({ panel, onClose, closeOnEscape }: Props) {
  const styles = useStyles2(getStyles);
  const { title } = panel.useState();
  useEffect(() => {
    if (!closeOnEscape) {
      return;
    }
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        onClose();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [closeOnEscape, onClose]);
  return (
    <div className={styles.view} data-testid="panel-view" aria-label={`Viewing panel ${title}`}>
      <div className={styles.bar}>
        <Button variant="secondary" icon="arrow-left" size="sm" onClick={onClose}>
          Back to all panels
        </Button>
      </div>
      <div className={styles.panel}>
        <panel.Component model={panel} />
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), flexGrow: 1 }),
  bar: css({ display: 'flex', justifyContent: 'flex-start' }),
  // The page's height less Grafana's header and the scene's controls; never smaller than a readable panel.
  panel: css({ height: 'calc(100vh - 220px)', minHeight: 400, display: 'flex', '& > *': { flexGrow: 1 } }),
});
