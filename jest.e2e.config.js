/**
 * The e2e tier (`npm run test:e2e`): the real Pulumi CLI and kubernetes plugin from
 * .tools (npm run setup:engine), local control planes, one test file at a time.
 * Skips LOUDLY (printed reason, skipped count) when the engine is not built.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json", diagnostics: false }] },
  testMatch: ["<rootDir>/test/e2e/**/*.e2e.test.ts"],
  moduleFileExtensions: ["ts", "js", "json"],
  testTimeout: 900000,
  maxWorkers: 1,
  verbose: true,
};
