// The shape of one FLAG_SPECS entry (flags.ts) and the value each kind of flag parses to.
export type Kind = 'string' | 'bool' | 'duration' | 'int' | 'float';
export interface FlagSpec {
  name: string;
  /** The field of Flags; durations are in milliseconds (key ending in Ms). */
  key: string;
  kind: Kind;
  /** The only values a string flag takes (its Flags field is typed as their union). */
  choices?: readonly string[];
  def: (env: NodeJS.ProcessEnv) => string;
  help: string;
}

/** The value each kind of flag parses to. */
export interface KindValue {
  string: string;
  bool: boolean;
  duration: number;
  int: number;
  float: number;
}
