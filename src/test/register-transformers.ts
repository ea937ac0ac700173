import { standardTransformers, standardTransformersRegistry, type TransformerRegistryItem } from '@grafana/data';

// 13.x: a lazy loader of the transformer; 12.4: the transformer itself. Jest runs the installed @grafana/data (13.x),
// so the entries are loaders; the type comes from whichever @grafana/data the harness is type-checked against
// (tsconfig.grafana-12.4.json checks it against 12.4 as well), hence the cast.
type RegistryTransformation = TransformerRegistryItem['transformation'];

let registered = false;

/**
 * Fills Grafana's transformer registry the way Grafana does at boot, for code that runs without Grafana (jest,
 * the benchmark). Call it before the first transformation: the registry initializes itself on first lookup and
 * refuses setInit afterwards. Safe to call many times.
 *
 * - `standardTransformers` lists joinByField twice (also as the deprecated seriesToColumns), so ids are
 *   de-duplicated; the registry throws on a duplicate id.
 * - In @grafana/data 13.x a registry entry holds a lazy `transformation()` that resolves to the transformer, so
 *   results arrive asynchronously.
 * - Editors and images only matter to the transform editor UI, which nothing here renders.
 */
export function registerStandardTransformers(): void {
  if (registered) {
    return;
  }
  registered = true;
  standardTransformersRegistry.setInit(() => {
    const byId = new Map<string, TransformerRegistryItem>();
    // Deprecated for plugins at runtime (Grafana fills the registry itself); outside Grafana it is the only source.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    for (const info of Object.values(standardTransformers)) {
      if (byId.has(info.id)) {
        continue;
      }
      // Not an inline literal: 13.x entries have defaultOptions, 12.4's type does not know them.
      const item = {
        id: info.id,
        name: info.name,
        description: info.description,
        defaultOptions: info.defaultOptions,
        transformation: (() => Promise.resolve(info)) as unknown as RegistryTransformation,
        editor: () => null,
        imageDark: '',
        imageLight: '',
      };
      byId.set(info.id, item);
    }
    return [...byId.values()];
  });
}
