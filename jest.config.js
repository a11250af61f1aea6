// Three projects: `unit` (pure functions, no I/O), `e2e` (real HTTP against the real
// server and the real database, started once by test/setup/global-setup.ts) and `browser`
// (the admin console in Debian's Chromium, driven by Playwright, against the same).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
// @fastify/static (Swagger UI assets) needs content-disposition 3, which is ESM-only:
// Node >= 20.19 requires it natively, jest's module loader does not, so jest compiles it.
const transform = {
  '^.+\\.ts$': swc,
  '/node_modules/content-disposition/.+\\.js$': swc,
};
const transformIgnorePatterns = ['/node_modules/(?!content-disposition/)'];

module.exports = {
  // A global option (ignored inside projects): e2e hooks create users with bcrypt, slow on a busy machine.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      // The console's pure functions (web/src/**/utils) are unit-tested here too.
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/web/src/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/browser/'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
    {
      displayName: 'browser',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/browser/**/*.e2e-spec.ts'],
      // Builds the console when web/dist is missing or older than web/, then as e2e.
      globalSetup: '<rootDir>/test/browser/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      testTimeout: 60000,
    },
  ],
};
