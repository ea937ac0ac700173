/**
 * The modules Grafana shares with plugins (create-plugin's externals, .config/bundler/externals.ts): what
 * dist/module.js's define([...]) asks for, each the host's single copy.
 */
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaRuntimeUnstable from '@grafana/runtime/unstable';
import * as grafanaUi from '@grafana/ui';
import * as grafanaUiUnstable from '@grafana/ui/unstable';
import * as i18next from 'i18next';
import * as lodash from 'lodash';
import * as react from 'react';
import * as reactDom from 'react-dom';
import * as reactRouter from 'react-router';
import * as reactRouterDom from 'react-router-dom';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';
import { share } from './amdLoader';

export function shareModules() {
  const modules: Record<string, unknown> = {
    '@emotion/css': emotionCss,
    '@emotion/react': emotionReact,
    '@grafana/data': grafanaData,
    '@grafana/runtime': grafanaRuntime,
    '@grafana/runtime/unstable': grafanaRuntimeUnstable,
    '@grafana/ui': grafanaUi,
    '@grafana/ui/unstable': grafanaUiUnstable,
    i18next,
    lodash,
    react,
    'react-dom': reactDom,
    'react-router': reactRouter,
    'react-router-dom': reactRouterDom,
    'react/jsx-runtime': jsxRuntime,
    rxjs,
    'rxjs/operators': rxjsOperators,
  };
  for (const [name, module] of Object.entries(modules)) {
    share(name, module);
  }
}
