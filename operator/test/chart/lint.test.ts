// helm lint on operator/chart, and its values.schema.json refusing bad values before anything is rendered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allOnValues, chartDir, helm, renderChart } from './helm.ts';

describe('helm lint', () => {
  it('passes with the default values', () => {
    assert.match(helm(['lint', '--strict', chartDir]), /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
  it('passes with every toggle on', () => {
    assert.match(helm(['lint', '--strict', chartDir, '--values', allOnValues]), /0 chart\(s\) failed/);
  });
});

describe('values.schema.json', () => {
  const fails = (set: string[]) =>
    assert.throws(() => renderChart({ set }), /don't meet the specifications of the schema/);
  it('refuses typos, wrong types and bad durations before anything is rendered', () => {
    fails(['serviceMonitr.enabled=true']);
    fails(['operator.logLevel=verbose']);
    fails(['operator.pendingTimeout=5min']);
    fails(['serviceMonitor.interval=30 seconds']);
    fails(['metrics.service.nodePort=80']);
    renderChart({
      set: ['operator.pendingTimeout=1h30m', 'metrics.service.type=NodePort', 'metrics.service.nodePort=30080'],
    });
  });
});
