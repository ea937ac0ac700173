// The demo's challenge catalog: the definitions it applies (definitions.yaml) and the challenges players pick
// from, and applying the definitions to a cluster.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { isStatus, retryTooManyRequests } from './api-calls.ts';
import { API_VERSION, DEFINITION_PLURAL, GROUP, VERSION, type ChallengeDefinition } from '../src/api/types.ts';

export const DEFAULT_DEFINITIONS = resolve(import.meta.dirname, 'definitions.yaml');
/** Marks a demo definition that is meant to fail. */
export const LABEL_FAILS = 'demo.hexactf.io/fails';

export interface CatalogEntry {
  challengeId: string;
  definition: string;
  category: string;
  fails: boolean;
}

export function loadDefinitions(file = DEFAULT_DEFINITIONS): ChallengeDefinition[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as ChallengeDefinition | null)
    .filter((d): d is ChallengeDefinition => d !== null && (d as { kind?: string }).kind === 'ChallengeDefinition');
}

/**
 * Challenge ids chal-01..chal-NN over the definitions: the last id uses a failing definition (when there is one),
 * the others cycle through the working ones.
 */
export function buildCatalog(defs: ChallengeDefinition[], count: number): CatalogEntry[] {
  const fails = (d: ChallengeDefinition) => d.metadata.labels?.[LABEL_FAILS] === 'true';
  const good = defs.filter((d) => !fails(d));
  const bad = defs.filter(fails);
  if (good.length === 0) {
    throw new Error('no working definition in the demo definitions');
  }
  const width = String(count).length < 2 ? 2 : String(count).length;
  const entry = (i: number, d: ChallengeDefinition): CatalogEntry => ({
    challengeId: `chal-${String(i + 1).padStart(width, '0')}`,
    definition: d.metadata.name,
    category: d.spec.category ?? 'uncategorized',
    fails: fails(d),
  });
  const catalog: CatalogEntry[] = [];
  const goodCount = bad.length > 0 && count > 1 ? count - 1 : count;
  for (let i = 0; i < goodCount; i++) {
    catalog.push(entry(i, good[i % good.length]));
  }
  if (goodCount < count) {
    catalog.push(entry(goodCount, bad[0]));
  }
  return catalog;
}

/** Creates the namespace (if allowed and missing) and creates or replaces each definition in it. */
export async function applyDefinitions(kc: KubeConfig, namespace: string, defs: ChallengeDefinition[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await retryTooManyRequests(() => core.createNamespace({ body: { metadata: { name: namespace } } }));
  } catch (e) {
    // Exists already, or this identity may not create namespaces (in-cluster runs get one made for them).
    if (!isStatus(e, 409) && !isStatus(e, 403)) {
      throw e;
    }
  }
  const api = kc.makeApiClient(CustomObjectsApi);
  const target = { group: GROUP, version: VERSION, namespace, plural: DEFINITION_PLURAL };
  for (const def of defs) {
    const body = {
      ...def,
      apiVersion: API_VERSION,
      kind: 'ChallengeDefinition',
      metadata: { ...def.metadata, namespace },
    };
    try {
      await retryTooManyRequests(() => api.createNamespacedCustomObject({ ...target, body }));
    } catch (e) {
      if (!isStatus(e, 409)) {
        throw e;
      }
      const current = (await api.getNamespacedCustomObject({
        ...target,
        name: def.metadata.name,
      })) as ChallengeDefinition;
      const replaced = { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } };
      await api.replaceNamespacedCustomObject({ ...target, name: def.metadata.name, body: replaced });
    }
  }
}
