// Runs the real helm binary on operator/chart and parses what it renders.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { toolPath } from '@hexactf/testing/tools';
import { parseAllDocuments } from 'yaml';

export const chartDir = resolve(import.meta.dirname, '../../chart');
export const allOnValues = join(chartDir, 'ci/all-on-values.yaml');

export function helm(args: string[]): string {
  return execFileSync(toolPath('helm'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
}

interface RenderOptions {
  namespace?: string;
  release?: string;
  valuesFiles?: string[];
  set?: string[];
}

/** `helm template` → the rendered objects (CRDs excluded, as Helm installs those from crds/ itself). */
export function renderChart(opts: RenderOptions = {}): K8sObject[] {
  const args = ['template', opts.release ?? 'hexactf', chartDir, '--namespace', opts.namespace ?? 'hexactf'];
  for (const f of opts.valuesFiles ?? []) {
    args.push('--values', f);
  }
  for (const s of opts.set ?? []) {
    args.push('--set', s);
  }
  return parseAllDocuments(helm(args))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function findObject(objs: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) {
    throw new Error(`no ${kind}${name ? ' ' + name : ''} in ${objs.map((o) => o.kind).join(', ')}`);
  }
  return found;
}

/** The operator's container in the rendered Deployment. */
export const container = (objs: K8sObject[]) => findObject(objs, 'Deployment').spec.template.spec.containers[0];
