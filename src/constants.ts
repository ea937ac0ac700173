import pluginJson from './plugin.json';

export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

/** The app's pages (paths under PLUGIN_BASE_URL; plugin.json lists the same ones for the navigation). */
export enum ROUTES {
  Overview = 'overview',
  UsersChallenges = 'users-challenges',
  Usage = 'usage',
  Triage = 'triage',
  Lifecycle = 'lifecycle',
}
