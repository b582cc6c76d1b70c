/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // Type checking is done once by `npm run typecheck` (tsc over the whole tree, including the
  // @ts-expect-error residency tests); ts-jest only transpiles, which keeps the suite fast.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json", diagnostics: false }] },
  testMatch: ["<rootDir>/test/**/*.test.ts", "<rootDir>/components/**/*.test.ts", "<rootDir>/policy-pack/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/e2e/"],
  moduleFileExtensions: ["ts", "js", "json"],
  testTimeout: 60000,
};
