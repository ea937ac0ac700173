// The path test's own jest config (`npm run test:path`): the root config, rooted at tests/path. Its slow files (path.jest.ts,
// edges.jest.ts) each start a control plane, operators and Prometheus servers and play on wall-clock timing: one at a time.
const path = require('path');
const root = require('../../jest.config');

module.exports = {
  ...root,
  rootDir: path.resolve(__dirname, '../..'),
  roots: ['<rootDir>/tests/path'],
  testMatch: ['<rootDir>/tests/path/**/*.jest.ts'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
