import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "**/node_modules/**", ".tools/**", "coverage/**", "policy-pack/bin/**", ".fleet-runs/**", "*.js", "*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "off",
    },
  },
  {
    // A provider SDK's root module loads every service it has (azure-native: ~800 modules,
    // 0.2-0.3 s per process); the program imports the services it uses through components/sdk/.
    files: ["components/**/*.ts", "stacks/**/*.ts", "automation/**/*.ts", "deployments/**/*.ts", "policy-pack/**/*.ts"],
    ignores: ["components/sdk/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/gcp", "@pulumi/kubernetes"].map((name) => ({
            name,
            message: "import the SDK through components/sdk/ (its root module loads every service; docs/plan.md, CLI start-up)",
            allowTypeImports: true,
          })),
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "**/*.test.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
