import React, { useEffect, useState, type ComponentType, type ReactNode } from 'react';

/**
 * A component whose code is loaded on its first render, as with React.lazy, but shown by a state update once loaded
 * instead of a Suspense boundary's retry: React 19 commits a retry no sooner than 300 ms after the boundary showed its
 * fallback (its reveal throttle), so a page whose chunk had loaded in 60 ms waited until then to render and send its
 * queries. A failed load is thrown from the render, to the nearest error boundary, as React.lazy does.
 */
export function loadedOnRender<P extends object>(
  load: () => Promise<{ default: ComponentType<P> }>,
  fallback: ReactNode
): ComponentType<P> {
  let loading: Promise<ComponentType<P>> | undefined;
  let loaded: ComponentType<P> | undefined;
  const start = () => {
    loading ??= load().then((module) => (loaded = module.default));
    return loading;
  };
  return function LoadedOnRender(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | undefined>(() => loaded);
    const [failure, setFailure] = useState<{ error: unknown }>();
    if (!Component) {
      // Started while rendering, as React.lazy does, so the chunk is not left waiting for the commit.
      void start().catch(() => undefined);
    }
    useEffect(() => {
      if (Component) {
        return;
      }
      let mounted = true;
      start().then(
        (loadedComponent) => mounted && setComponent(() => loadedComponent),
        (error: unknown) => mounted && setFailure({ error })
      );
      return () => {
        mounted = false;
      };
    }, [Component]);
    if (failure) {
      throw failure.error;
    }
    return Component ? <Component {...props} /> : <>{fallback}</>;
  };
}
