import { LastAnswer } from './lastAnswer';

describe('LastAnswer', () => {
  it('shares one request per question, asks again for a new one', async () => {
    const last = new LastAnswer(0);
    let asked = 0;
    const ask = (n: number) => () => Promise.resolve((asked++, n));
    expect(await Promise.all([last.get('a', ask(1)), last.get('a', ask(2))])).toEqual([1, 1]);
    expect(await last.get('b', ask(3))).toBe(3);
    expect(asked).toBe(2);
  });

  it('answers the fallback on a failure and does not keep it', async () => {
    const last = new LastAnswer('fallback');
    expect(await last.get('a', () => Promise.reject(new Error('down')))).toBe('fallback');
    expect(await last.get('a', () => Promise.resolve('up'))).toBe('up');
  });

  it('tells a settled answer without asking, nothing while it is on its way or after a failure', async () => {
    const last = new LastAnswer('fallback');
    let answer: (v: string) => void = () => undefined;
    const pending = last.get('a', () => new Promise<string>((resolve) => (answer = resolve)));
    expect(last.settled('a')).toBeUndefined();
    answer('live');
    await pending;
    expect(last.settled('a')).toEqual({ value: 'live' });
    expect(last.settled('b')).toBeUndefined();
    await last.get('c', () => Promise.reject(new Error('down')));
    expect(last.settled('c')).toBeUndefined();
  });
});
