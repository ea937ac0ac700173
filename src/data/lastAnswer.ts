/**
 * The answer to the last question asked, kept as a promise so every runner of a page that asks the same question
 * shares one request. A new question replaces it; a failure answers `onFailure` and is not kept, so the next run asks
 * again.
 */
export class LastAnswer<T> {
  private last?: { key: string; answer: Promise<T> };

  constructor(private readonly onFailure: T) {}

  get(key: string, ask: () => Promise<T>): Promise<T> {
    if (this.last?.key !== key) {
      const entry = {
        key,
        answer: ask().catch(() => {
          if (this.last === entry) {
            this.last = undefined;
          }
          return this.onFailure;
        }),
      };
      this.last = entry;
    }
    return this.last.answer;
  }

  /** Forgets the answer (tests). */
  clear() {
    this.last = undefined;
  }
}
