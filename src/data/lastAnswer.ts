/**
 * The answer to the last question asked, kept as a promise so every runner of a page that asks the same question
 * shares one request. A new question replaces it; a failure answers `onFailure` and is not kept, so the next run asks
 * again.
 */
export class LastAnswer<T> {
  private last?: { key: string; answer: Promise<T>; settled?: { value: T } };

  constructor(private readonly onFailure: T) {}

  get(key: string, ask: () => Promise<T>): Promise<T> {
    if (this.last?.key !== key) {
      const entry: { key: string; answer: Promise<T>; settled?: { value: T } } = {
        key,
        answer: ask().then(
          (value) => {
            entry.settled = { value };
            return value;
          },
          () => {
            if (this.last === entry) {
              this.last = undefined;
            }
            return this.onFailure;
          }
        ),
      };
      this.last = entry;
    }
    return this.last.answer;
  }

  /** The answer to `key` if it has already come (a failure never counts), else undefined: no request is sent. */
  settled(key: string): { value: T } | undefined {
    return this.last?.key === key ? this.last.settled : undefined;
  }

  /** Forgets the answer (tests). */
  clear() {
    this.last = undefined;
  }
}
