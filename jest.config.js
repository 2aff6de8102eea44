/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/global-setup.js',
  testTimeout: 30000,
  // Every source file counts, including those only spawned CLI processes load, so a file no test reaches shows as 0%.
  collectCoverageFrom: ['src/**/*.ts'],
};
