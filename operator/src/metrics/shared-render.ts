// One /metrics render shared by every scrape that arrives while it runs: 32 concurrent scrapers cost one render
// instead of 32 (each of which would hold the event loop for its slices). A scrape that arrives after a render
// finished starts a new one, so no scrape gets text older than its own arrival plus one render.
export type Chunk = string | Buffer;

export class SharedRender {
  private readonly render: (push: (chunk: Chunk) => void) => Promise<void>;
  private inflight?: Promise<Chunk[]>;
  /** Renders started, for tests and the benchmark. */
  renders = 0;

  constructor(render: (push: (chunk: Chunk) => void) => Promise<void>) {
    this.render = render;
  }

  get(): Promise<Chunk[]> {
    this.inflight ??= (async () => {
      this.renders++;
      const chunks: Chunk[] = [];
      await this.render((chunk) => void chunks.push(chunk));
      return chunks;
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}
