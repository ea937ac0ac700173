import { CustomVariable, EmbeddedScene, SceneFlexLayout, SceneVariableSet, sceneGraph } from '@grafana/scenes';

import { escapeRegex, escapeStringBody, labelMatcher, quoteRegexAlternatives, quoteString } from './promql-escape';

describe('PromQL string literals', () => {
  it('escapes quotes, backslashes and control characters', () => {
    expect(quoteString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteString('line1\nline2\r\t')).toBe('"line1\\nline2\\r\\t"');
    expect(quoteString('bell\u0007del\u007f')).toBe('"bell\\x07del\\x7f"');
  });

  it('keeps printable Unicode as is', () => {
    expect(quoteString('해커 ü 🚩')).toBe('"해커 ü 🚩"');
  });

  it('writes $ and [ as hex escapes so Grafana cannot interpolate them', () => {
    expect(escapeStringBody('$window ${user} [[ns]]')).toBe('\\x24window \\x24{user} \\x5b\\x5bns]]');
  });

  it('writes U+FFFD, which the lexer refuses as is, and lone surrogates (no UTF-8 encoding) as \\ufffd', () => {
    expect(quoteString('a\ufffdb')).toBe('"a\\ufffdb"');
    expect(quoteString('a\ud800b\udfff')).toBe('"a\\ufffdb\\ufffd"');
  });
});

describe('PromQL regex matchers', () => {
  it('escapes every RE2 metacharacter', () => {
    expect(escapeRegex('a.b*c+d?e(f)g|h[i]j{k}l^m$n\\o')).toBe(
      'a\\.b\\*c\\+d\\?e\\(f\\)g\\|h\\[i\\]j\\{k\\}l\\^m\\$n\\\\o'
    );
  });

  it('escapes for the regex first, then for the string literal', () => {
    // The regex `a\.c` needs a doubled backslash inside the string literal.
    expect(quoteRegexAlternatives(['a.c', 'x"y'])).toBe('"a\\\\.c|x\\"y"');
    // `$` is a regex metacharacter (escaped to `\$`) and then a Grafana one (written as \x24).
    expect(quoteRegexAlternatives(['$u', 'v'])).toBe('"\\\\\\x24u|v"');
  });

  it('sorts and de-duplicates alternatives', () => {
    expect(quoteRegexAlternatives(['b', 'a', 'b'])).toBe('"a|b"');
  });

  it('uses = for one value, =~ for several and nothing for none', () => {
    expect(labelMatcher('username', [])).toBeUndefined();
    expect(labelMatcher('username', ['a.c'])).toBe('username="a.c"');
    expect(labelMatcher('username', ['a.c', 'a.c'])).toBe('username="a.c"');
    expect(labelMatcher('username', ['b', 'a.c'])).toBe('username=~"a\\\\.c|b"');
  });
});

describe('escaped values under Grafana interpolation', () => {
  // The scenes interpolate the whole query text; an escaped value must come out unchanged.
  const scene = new EmbeddedScene({
    $variables: new SceneVariableSet({
      variables: ['window', 'user', 'x'].map(
        (name) => new CustomVariable({ name, query: 'INJECTED', value: 'INJECTED', text: 'INJECTED' })
      ),
    }),
    body: new SceneFlexLayout({ children: [] }),
  });

  it.each(['$window', '${user}', '[[x]]', 'a$x[[window]]${window:raw}', '$__range'])('leaves %s alone', (value) => {
    const text = `m{u=${quoteString(value)}, v=~${quoteRegexAlternatives([value, 'other'])}}`;
    expect(sceneGraph.interpolate(scene, text)).toBe(text);
    expect(sceneGraph.interpolate(scene, '$window')).toBe('INJECTED');
  });
});
