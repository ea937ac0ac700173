import { FieldType, createTheme, getDisplayProcessor } from '@grafana/data';
import { STATE_CODES } from '@hexactf/contract';

import { ChallengeState, DEFAULT_WINDOW, STATES, WINDOW_CHOICES, stateInfo, stateValueMappings } from './contract';

describe('metric contract', () => {
  it('maps each gauge value to its state name and colour', () => {
    // Grafana's own display processor, as a table cell or stat applies the mappings.
    const theme = createTheme();
    const display = getDisplayProcessor({
      field: { type: FieldType.number, config: { mappings: stateValueMappings() } },
      theme,
    });
    const color = (name: string) => theme.visualization.getColorByName(name);
    expect(display(0)).toMatchObject({ text: 'Pending', color: color('yellow') });
    expect(display(1)).toMatchObject({ text: 'Running', color: color('green') });
    expect(display(2)).toMatchObject({ text: 'Deleted', color: color('blue') });
    expect(display(3)).toMatchObject({ text: 'Error', color: color('red') });
    expect(display(4).text).toBe('4');
  });

  it('gives every state its own colour', () => {
    expect(new Set(STATES.map((s) => s.color)).size).toBe(STATES.length);
    expect(stateInfo(ChallengeState.Error).name).toBe('Error');
  });

  it("lists the contract's states, in code order, with the enum naming the same codes", () => {
    expect(STATES.map((s) => [s.name, s.value])).toEqual(Object.entries(STATE_CODES).sort((a, b) => a[1] - b[1]));
    for (const s of STATES) {
      expect(ChallengeState[s.name as keyof typeof ChallengeState]).toBe(s.value);
      expect(ChallengeState[s.value]).toBe(s.name);
    }
  });

  it("offers the HexaCTF write-up's windows with 2h as default", () => {
    expect(WINDOW_CHOICES).toEqual(['30m', '1h', '2h', '6h', '12h', '24h']);
    expect(DEFAULT_WINDOW).toBe('2h');
  });
});
