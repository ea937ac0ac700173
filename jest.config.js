// Root overrides of create-plugin's jest config (.config/ stays as create-plugin wrote it).
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');
const base = require('./.config/jest.config');

const swcTransform = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...base,
  // The operator workspace has its own runner (node --test).
  roots: ['<rootDir>/src'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/operator/', '<rootDir>/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/operator/', '<rootDir>/dist/'],
  transform: {
    // Several dependencies (d3-color and friends) now ship only .mjs, which jest must transform too.
    '^.+\\.(t|j)sx?$|^.+\\.mjs$': swcTransform,
  },
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@react-hookz', '@ver0/deep-equal'])],
};
