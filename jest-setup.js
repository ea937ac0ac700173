import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';

// Jest setup provided by Grafana scaffolding. It patches DOM globals, so only test files in the (default) jsdom
// environment load it; `@jest-environment node` files (promtool) run without it.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
}

// React 19 (react-dom/server, the scheduler) needs MessageChannel, which jsdom lacks. Node's implementation is
// real, but an open port keeps the jest worker alive, so every channel created in a test file is closed after it.
if (typeof global.MessageChannel === 'undefined') {
  const openChannels = [];
  global.MessageChannel = class MessageChannel {
    constructor() {
      const channel = new NodeMessageChannel();
      this.port1 = channel.port1;
      this.port2 = channel.port2;
      openChannels.push(channel);
    }
  };
  afterAll(() => {
    for (const channel of openChannels.splice(0)) {
      channel.port1.close();
      channel.port2.close();
    }
  });
}

// jsdom has no layout, so it lacks IntersectionObserver and ResizeObserver (scenes reads them at import time).
// Fakes, because there is no real layout engine here: every observed element counts as visible and sizes never
// change.
if (typeof global.IntersectionObserver === 'undefined') {
  global.IntersectionObserver = class IntersectionObserver {
    constructor(callback) {
      this.callback = callback;
    }
    observe(target) {
      this.callback([{ target, isIntersecting: true, intersectionRatio: 1 }], this);
    }
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
}
if (typeof global.ResizeObserver === 'undefined') {
  global.ResizeObserver = class ResizeObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
