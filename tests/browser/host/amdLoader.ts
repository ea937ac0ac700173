/**
 * The AMD loader Grafana's frontend gives plugins (SystemJS with its AMD extra, in Grafana): a plugin's module.js
 * is `define([...externals], factory)`, and each external (react, @grafana/ui, ...) resolves to the copy the host
 * shares with every plugin, so the plugin and the host see one React, one @grafana/runtime, one theme.
 */
type Factory = (...deps: unknown[]) => unknown;
interface Definition {
  deps: string[];
  factory: Factory;
}

declare global {
  interface Window {
    define?: ((...args: unknown[]) => void) & { amd?: object };
  }
}

const shared = new Map<string, unknown>();
let lastDefinition: Definition | undefined;

/** Makes `module` available to plugins under `name`, as Grafana's SystemJS import map does. */
export function share(name: string, module: unknown) {
  shared.set(name, module);
}

function define(...args: unknown[]) {
  // define(factory) | define(deps, factory) | define(name, deps, factory)
  const factory = args.at(-1) as Factory;
  const deps = (args.find(Array.isArray) as string[] | undefined) ?? [];
  lastDefinition = { deps, factory };
}
define.amd = {};

/** Loads an AMD module from `url` with a script tag and resolves to what its factory returns (awaited). */
export async function importAmdModule(url: string): Promise<Record<string, unknown>> {
  window.define = define;
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
  const definition = lastDefinition;
  lastDefinition = undefined;
  if (!definition) {
    throw new Error(`${url} did not call define()`);
  }
  const deps = definition.deps.map((name) => {
    if (name === 'module') {
      // webpack's dynamic publicPath (create-plugin's amd-module external): the module's own URL.
      return { uri: new URL(url, window.location.href).href, id: url };
    }
    if (!shared.has(name)) {
      throw new Error(`${url} asks for ${name}, which the host does not share`);
    }
    return shared.get(name);
  });
  // A bundle with top-level await returns a promise of its exports.
  return (await definition.factory(...deps)) as Record<string, unknown>;
}
