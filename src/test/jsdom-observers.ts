// Browser APIs jsdom lacks (no layout engine), installed on import by the scene harness: every observed element
// measures 1000 x 400 and is in view, so panels render.

/** Every observed element measures 1000 x 400 (panels render nothing at width 0) and is in view. */
class FixedSizeResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    const rect = { width: 1000, height: 400, top: 0, left: 0, bottom: 400, right: 1000, x: 0, y: 0 };
    const entry = { target, contentRect: { ...rect, toJSON: () => rect } } as unknown as ResizeObserverEntry;
    this.callback([entry], this as unknown as ResizeObserver);
  }
  unobserve() {}
  disconnect() {}
}

class AlwaysVisibleIntersectionObserver {
  constructor(private readonly callback: IntersectionObserverCallback) {}
  observe(target: Element) {
    const entry = { target, isIntersecting: true, intersectionRatio: 1 } as unknown as IntersectionObserverEntry;
    this.callback([entry], this as unknown as IntersectionObserver);
  }
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}

Object.assign(window, {
  ResizeObserver: FixedSizeResizeObserver,
  IntersectionObserver: AlwaysVisibleIntersectionObserver,
});
