// Where each kind the operator reads or writes lives in the API (group, version, plural), so list/watch paths,
// apiVersions of children and the custom-object calls come from one place.
import { CHALLENGE_PLURAL, DEFINITION_PLURAL, GROUP, VERSION } from './types.ts';

export interface ResourceRef {
  group: string; // '' for core
  version: string;
  kind: string;
  plural: string;
}

export const CHALLENGES: ResourceRef = { group: GROUP, version: VERSION, kind: 'Challenge', plural: CHALLENGE_PLURAL };
export const DEFINITIONS: ResourceRef = {
  group: GROUP,
  version: VERSION,
  kind: 'ChallengeDefinition',
  plural: DEFINITION_PLURAL,
};
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' };
export const SERVICES: ResourceRef = { group: '', version: 'v1', kind: 'Service', plural: 'services' };
export const NETWORK_POLICIES: ResourceRef = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  plural: 'networkpolicies',
};
export const PODS: ResourceRef = { group: '', version: 'v1', kind: 'Pod', plural: 'pods' };

export function apiVersionOf(ref: ResourceRef): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}
