import React, { Suspense, lazy, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { loadedOnRender } from './loadedOnRender';

// Real scheduling, as in the browser: act() would flush the commit at once and hide React's reveal throttle.
const actEnvironment = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };

const Page = () => <p>page</p>;

/** Renders `Component`, resolves its code once the fallback shows; ms from then until the page is in the DOM. */
async function msToPage(make: (load: () => Promise<{ default: ComponentType }>) => ComponentType): Promise<number> {
  let resolve: (module: { default: ComponentType }) => void = () => undefined;
  const loading = new Promise<{ default: ComponentType }>((r) => (resolve = r));
  const Component = make(() => loading);
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  root.render(<Component />);
  const until = async (done: () => boolean) => {
    const start = performance.now();
    while (!done() && performance.now() - start < 2000) {
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until(() => container.textContent === 'loading');
  const loaded = performance.now();
  resolve({ default: Page });
  await until(() => container.textContent === 'page');
  const ms = performance.now() - loaded;
  root.unmount();
  container.remove();
  return ms;
}

describe('loadedOnRender', () => {
  let previous: boolean | undefined;
  beforeAll(async () => {
    previous = actEnvironment.IS_REACT_ACT_ENVIRONMENT;
    actEnvironment.IS_REACT_ACT_ENVIRONMENT = false;
    // A first render, so the figures below are not React's start-up on a busy machine.
    await msToPage((load) => loadedOnRender(load, <p>loading</p>));
  });
  afterAll(() => {
    actEnvironment.IS_REACT_ACT_ENVIRONMENT = previous;
  });

  it('shows the component as soon as its code has loaded', async () => {
    expect(await msToPage((load) => loadedOnRender(load, <p>loading</p>))).toBeLessThan(200);
  });

  it('(why) React.lazy behind Suspense waits until 300 ms after its fallback showed', async () => {
    const viaSuspense = (load: () => Promise<{ default: ComponentType }>) => {
      const Lazy = lazy(load);
      return function Suspended() {
        return (
          <Suspense fallback={<p>loading</p>}>
            <Lazy />
          </Suspense>
        );
      };
    };
    expect(await msToPage(viaSuspense)).toBeGreaterThan(250);
  });

  it('throws a failed load to the nearest error boundary', async () => {
    const Component = loadedOnRender<object>(() => Promise.reject(new Error('chunk failed')), <p>loading</p>);
    class Boundary extends React.Component<{ children: React.ReactNode }, { error?: Error }> {
      state: { error?: Error } = {};
      static getDerivedStateFromError(error: Error) {
        return { error };
      }
      render() {
        return this.state.error ? <p>{this.state.error.message}</p> : this.props.children;
      }
    }
    const container = document.createElement('div');
    const root = createRoot(container);
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    root.render(
      <Boundary>
        <Component />
      </Boundary>
    );
    for (let i = 0; i < 100 && container.textContent !== 'chunk failed'; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(container.textContent).toBe('chunk failed');
    root.unmount();
    consoleError.mockRestore();
  });
});
