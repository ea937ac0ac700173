// One /metrics render shared by every scrape that arrives while it runs: 32 concurrent scrapers cost one render
// instead of 32 (each of which would hold the event loop for its slices). A scrape that arrives after a render
// finished starts a new one, so no scrape gets text older than its own arrival plus one render.
// The gzip form (what Prometheus asks for) is made once per render too, on libuv's thread pool: 32 scrapes then
// move 32 small bodies instead of 32 copies of a few megabytes through the operator's event loop.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export type Chunk = string | Buffer;

export interface RenderedText {
  plain: Buffer;
  gzipped(): Promise<Buffer>;
}

export class SharedRender {
  private readonly render: (push: (chunk: Chunk) => void) => Promise<void>;
  private inflight?: Promise<RenderedText>;
  /** Renders started, for tests and the benchmark. */
  renders = 0;

  constructor(render: (push: (chunk: Chunk) => void) => Promise<void>) {
    this.render = render;
  }

  get(): Promise<RenderedText> {
    this.inflight ??= (async () => {
      this.renders++;
      const chunks: Buffer[] = [];
      await this.render((chunk) => void chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
      const plain = Buffer.concat(chunks);
      let zipped: Promise<Buffer> | undefined;
      return { plain, gzipped: () => (zipped ??= gzipAsync(plain, { level: 1 })) };
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}

/** Whether an Accept-Encoding header takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';').map((x) => x.trim());
    const q = params.find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** Sends the shared text, gzipped when the scraper accepts it. */
export async function sendRendered(text: RenderedText, accept: string | undefined, contentType: string, res: import('node:http').ServerResponse): Promise<void> {
  if (acceptsGzip(accept)) {
    const body = await text.gzipped();
    res.writeHead(200, { 'content-type': contentType, 'content-encoding': 'gzip', 'content-length': body.length, vary: 'Accept-Encoding' }).end(body);
  } else {
    res.writeHead(200, { 'content-type': contentType, 'content-length': text.plain.length, vary: 'Accept-Encoding' }).end(text.plain);
  }
}
