// The path test's own jest config (`npm run test:path`): the root config, rooted at tests/path, one slow test file.
const path = require('path');
const root = require('../../jest.config');

module.exports = {
  ...root,
  rootDir: path.resolve(__dirname, '../..'),
  roots: ['<rootDir>/tests/path'],
  testMatch: ['<rootDir>/tests/path/**/*.jest.ts'],
  testTimeout: 180_000,
};
