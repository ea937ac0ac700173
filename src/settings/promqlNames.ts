/**
 * Which metric and label names the app can put into PromQL. Names go in unquoted (a selector, a `by (...)` or
 * `on (...)` list), so a name is accepted only when Prometheus reads it back as that name; anything else is refused
 * with the reason, never escaped.
 */

// Prometheus' own name grammar.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Words Prometheus' lexer reads, whatever their case, as a keyword or a number where the app's queries put a name:
 * `max by (namespace, without)` and `count(on{...})` do not parse. Other keywords (`sum`, `by`, `offset`, ...) are
 * read as names in those places. promqlNames.promtool.test.ts proves both on promtool, per position.
 */
const NUMBERS = ['inf', 'nan'];
const LABEL_KEYWORDS = ['without'];
const METRIC_KEYWORDS = ['atan2', 'bool', 'group_left', 'group_right', 'ignoring', 'on'];

function reservedWord(name: string, keywords: readonly string[]): string | undefined {
  const word = name.toLowerCase();
  if (keywords.includes(word)) {
    return `"${name}" is a PromQL keyword: Prometheus would not read it as a name in the queries.`;
  }
  if (NUMBERS.includes(word)) {
    return `"${name}" is a number in PromQL: Prometheus would not read it as a name in the queries.`;
  }
  return undefined;
}

/** Why `name` cannot be the state gauge's name, or undefined when it can. */
export function metricNameProblem(name: string): string | undefined {
  if (!METRIC_NAME.test(name)) {
    return 'Not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).';
  }
  return reservedWord(name, METRIC_KEYWORDS);
}

/** Why `name` cannot be a label name, or undefined when it can. */
export function labelNameProblem(name: string): string | undefined {
  // `__`-prefixed names are reserved for Prometheus' internal use.
  if (!LABEL_NAME.test(name) || name.startsWith('__')) {
    return 'Not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __).';
  }
  return reservedWord(name, LABEL_KEYWORDS);
}

export const isValidMetricName = (name: string) => metricNameProblem(name) === undefined;
export const isValidLabelName = (name: string) => labelNameProblem(name) === undefined;
