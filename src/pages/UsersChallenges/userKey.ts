import { registerVariableMacro, type FormatVariable, type SceneObject } from '@grafana/scenes';
import type { ScopedVars } from '@grafana/data';

/**
 * A username as a URL path segment. Grafana's URL sanitizer decodes a data link's percent-encoding before the link
 * is followed, so `/`, `#`, `?` or `&` in a username would cut the link short; base64url (UTF-8) survives any
 * amount of decoding.
 */
export function encodeUserKey(user: string): string {
  const bytes = new TextEncoder().encode(user);
  let binary = '';
  bytes.forEach((b) => (binary += String.fromCharCode(b)));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The username a key stands for, or undefined when the key is not one (a hand-edited URL). */
export function decodeUserKey(key: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(key)) {
    return undefined;
  }
  try {
    const binary = atob(key.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Name of the data-link macro: `${__user_key}` is the user key of the clicked cell's value. */
export const USER_KEY_MACRO = '__user_key';

/** Resolves `${__user_key}` in a data link from the clicked cell (scenes passes the cell as `__dataContext`). */
class UserKeyMacro implements FormatVariable {
  public state: FormatVariable['state'];

  constructor(
    name: string,
    _sceneObject: SceneObject,
    private readonly match: string,
    private readonly scopedVars?: ScopedVars
  ) {
    this.state = { name, type: USER_KEY_MACRO };
  }

  public getValue() {
    const context = this.scopedVars?.__dataContext?.value;
    const value = context?.rowIndex === undefined ? undefined : context.field?.values[context.rowIndex];
    return value === undefined || value === null ? this.match : encodeUserKey(String(value));
  }
}

// Scenes are bundled into the plugin, so this registry is the app's own.
registerVariableMacro(USER_KEY_MACRO, UserKeyMacro);
