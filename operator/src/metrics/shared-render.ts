// One /metrics render shared by every scrape that arrives while it runs: 32 concurrent scrapers cost one render
// instead of 32 (each of which would hold the event loop for its slices). A scrape that arrives after a render
// finished starts a new one, so no scrape gets text older than its own arrival plus one render.
// The text stays in the pieces it was rendered in (no copy into one buffer) and its gzip form (what Prometheus asks
// for) is made once per render from the pieces' cached compressed segments (gzip-pieces.ts): only pieces that are
// new since the last render are compressed, on libuv's thread pool.
import type { ServerResponse } from 'node:http';
import { gzipPieces, piece, type Piece } from './gzip-pieces.ts';

type Chunk = string | Buffer | Piece;

interface RenderedText {
  pieces: readonly Piece[];
  /** Length of the text in bytes. */
  length: number;
  /** The gzip form, in parts to write in order. */
  gzipped(): Promise<Buffer[]>;
  /** The whole text in one string (tests). */
  text(): string;
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
      const pieces: Piece[] = [];
      await this.render(
        (chunk) => void pieces.push(typeof chunk === 'string' || Buffer.isBuffer(chunk) ? piece(chunk) : chunk)
      );
      let zipped: Promise<Buffer[]> | undefined;
      return {
        pieces,
        length: pieces.reduce((n, p) => n + p.plain.length, 0),
        gzipped: () => (zipped ??= gzipPieces(pieces)),
        text: () => pieces.map((p) => p.plain.toString()).join(''),
      };
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }
}

/** Whether an Accept-Encoding header takes gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part
      .trim()
      .split(';')
      .map((x) => x.trim());
    const q = params.find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** Sends the shared text, gzipped when the scraper accepts it, part by part (the parts are not copied into one). */
export async function sendRendered(
  text: RenderedText,
  accept: string | undefined,
  contentType: string,
  res: ServerResponse
): Promise<void> {
  const gzip = acceptsGzip(accept);
  const parts = gzip ? await text.gzipped() : text.pieces.map((p) => p.plain);
  const length = gzip ? parts.reduce((n, p) => n + p.length, 0) : text.length;
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': length,
    vary: 'Accept-Encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.cork();
  for (const part of parts) {
    if (part.length > 0) {
      res.write(part);
    }
  }
  res.uncork();
  res.end();
}
