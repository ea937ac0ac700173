import React from 'react';
import { sceneGraph, type VizPanel } from '@grafana/scenes';
import { Drawer, Tab, TabsBar } from '@grafana/ui';
import { InspectDataTab } from './InspectDataTab';
import { InspectJsonTab } from './InspectJsonTab';
import { InspectQueryTab } from './InspectQueryTab';
import { INSPECT_TABS, type InspectTab } from './inspectTabs';
import { requestSummary } from './requestStats';

interface Props {
  panel: VizPanel;
  tab: InspectTab;
  onTabChange: (tab: InspectTab) => void;
  onClose: () => void;
}

/** Grafana's panel inspector for one panel: a drawer with the Data, Query and Panel JSON tabs. */
export function InspectDrawer({ panel, tab, onTabChange, onClose }: Props) {
  const { title } = panel.useState();
  const { data } = sceneGraph.getData(panel).useState();
  return (
    <Drawer
      title={`Inspect: ${title}`}
      subtitle={requestSummary(data)}
      size="md"
      onClose={onClose}
      tabs={
        <TabsBar>
          {INSPECT_TABS.map((t) => (
            <Tab key={t.id} label={t.label} active={t.id === tab} onChangeTab={() => onTabChange(t.id)} />
          ))}
        </TabsBar>
      }
    >
      {tab === 'data' && <InspectDataTab panel={panel} />}
      {tab === 'query' && <InspectQueryTab panel={panel} />}
      {tab === 'json' && <InspectJsonTab panel={panel} />}
    </Drawer>
  );
}
