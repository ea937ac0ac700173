/**
 * Escaping of user-supplied values (usernames, challenge ids, namespaces) for PromQL.
 *
 * Two parsers read the query text: Grafana first interpolates variables (`$name`, `${name}`, `[[name]]`), then
 * Prometheus lexes it. So a value must neither end its string literal nor look like a Grafana variable. Prometheus'
 * string literals accept Go escapes, so `$` and `[` are written as `\x24` and `\x5b`: Grafana never sees them,
 * Prometheus reads the original characters back. Everything else that is printable (including any Unicode) is kept
 * as is; quotes, backslashes and control characters are escaped. Prometheus' lexer refuses U+FFFD written as is
 * ("invalid UTF-8 rune": it is what its UTF-8 decoder returns for a broken byte), so U+FFFD, and a lone surrogate
 * (which has no UTF-8 encoding and is read as U+FFFD), are written as the escape `\ufffd`.
 */

const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  $: '\\x24',
  '[': '\\x5b',
};

const hex2 = (code: number) => code.toString(16).padStart(2, '0');

/** The body of a double-quoted PromQL string literal that reads back as exactly `value`. */
export function escapeStringBody(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (STRING_ESCAPES[char] !== undefined) {
      out += STRING_ESCAPES[char];
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\x${hex2(code)}`;
    } else if (code === 0xfffd || (code >= 0xd800 && code <= 0xdfff)) {
      out += '\\ufffd';
    } else {
      out += char;
    }
  }
  return out;
}

/** A complete double-quoted PromQL string literal for `value`. */
export function quoteString(value: string): string {
  return `"${escapeStringBody(value)}"`;
}

// RE2 metacharacters (Go's regexp.QuoteMeta set).
const REGEX_META = /[\\.+*?()|[\]{}^$]/g;

/** `value` as an RE2 pattern that matches exactly that text. */
export function escapeRegex(value: string): string {
  return value.replace(REGEX_META, '\\$&');
}

/**
 * A double-quoted regex literal matching exactly one of `values` (Prometheus anchors regex matchers at both ends).
 * Duplicates are dropped and the order is made stable so equal selections give equal queries.
 */
export function quoteRegexAlternatives(values: readonly string[]): string {
  const unique = [...new Set(values)].sort();
  return quoteString(unique.map(escapeRegex).join('|'));
}

/**
 * A label matcher for a list of selected values: `label="v"` for one, `label=~"a|b"` for several. Empty list: no
 * matcher (no filter). The label name must already be valid (settings validate it).
 */
export function labelMatcher(label: string, values: readonly string[]): string | undefined {
  if (values.length === 0) {
    return undefined;
  }
  const unique = [...new Set(values)];
  return unique.length === 1 ? `${label}=${quoteString(unique[0])}` : `${label}=~${quoteRegexAlternatives(unique)}`;
}
