/**
 * The Users x Challenges baseline: the same answer of the same Prometheus (the request body the app sent for its
 * matrix, replayed over the same datasource proxy), pivoted in a plain loop to a row per user and a column per
 * challenge, with the app's state mappings and colour-background cells, drawn by the TableNG the host's table panel
 * draws, at the app's table size. No scenes, no transformations, no panel chrome: what the matrix costs without
 * the app. Loaded by the host's AMD loader (window.__hostBenchModule) so it shares the plugin's React and @grafana/ui.
 */
import React, { useEffect, useState } from 'react';
import { applyFieldOverrides, FieldType, type DataFrame } from '@grafana/data';
import { config } from '@grafana/runtime';
import { TableCellHeight } from '@grafana/schema';
import { TableNG } from '@grafana/ui/unstable';
import { stateValueMappings } from '../../../src/metric/contract';

declare global {
  interface Window {
    __benchBare?: { body: string; width: number; height: number };
  }
}

interface Answer {
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

const custom = { align: 'auto', inspect: false, filterable: false, cellOptions: { type: 'auto' } };

function pivot(answer: Answer): DataFrame {
  const users = new Map<string, Map<string, number>>();
  const challenges = new Set<string>();
  for (const { metric, value } of answer.data.result) {
    const id = metric.challenge_id;
    challenges.add(id);
    if (!users.has(metric.username)) {
      users.set(metric.username, new Map());
    }
    users.get(metric.username)!.set(id, Number(value[1]));
  }
  const names = [...users.keys()].sort();
  const columns = [...challenges].sort();
  const mappings = stateValueMappings();
  return {
    length: names.length,
    fields: [
      { name: 'User', type: FieldType.string, values: names, config: { custom } },
      ...columns.map((c) => ({
        name: c,
        type: FieldType.number,
        values: names.map((u) => users.get(u)!.get(c) ?? null),
        config: { mappings, custom: { ...custom, cellOptions: { type: 'color-background' } } },
      })),
    ],
  };
}

export function Component() {
  const [frame, setFrame] = useState<DataFrame | undefined>();
  const { body, width, height } = window.__benchBare!;
  useEffect(() => {
    performance.mark('bench:start');
    fetch(`${config.appSubUrl}/api/datasources/proxy/uid/hexactf-prometheus/api/v1/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    })
      .then((r) => r.json() as Promise<Answer>)
      .then((answer) => {
        const [shown] = applyFieldOverrides({
          data: [pivot(answer)],
          fieldConfig: { defaults: {}, overrides: [] },
          replaceVariables: (v: string) => v,
          theme: config.theme2,
          timeZone: 'utc',
        });
        setFrame(shown);
      });
  }, [body]);
  return (
    <div style={{ padding: '16px 24px' }} data-bench-bare="">
      {/* Sized as a panel's content box is: the grid fills its parent's height and scrolls inside it. */}
      <div style={{ width, height }}>
        {frame && (
          <TableNG
            ariaLabel="Users x Challenges"
            data={frame}
            width={width}
            height={height}
            cellHeight={TableCellHeight.Sm}
          />
        )}
      </div>
    </div>
  );
}
