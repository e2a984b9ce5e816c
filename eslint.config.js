import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "reports/", "coverage/", "traces/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript scripts run on Node.
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", URL: "readonly", console: "readonly" } },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-properties": "off",
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**/*.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "exit", message: "Only the CLI sets the exit code." },
      ],
    },
  },
  {
    files: ["src/engine/**/*.ts", "src/policies/**/*.ts", "src/drivers/sim/**/*.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Inject a clock; the core is deterministic." },
        { object: "Math", property: "random", message: "Use the seeded generator (src/util/random.ts)." },
        { object: "process", property: "exit", message: "Only the CLI sets the exit code." },
      ],
    },
  },
);
