import { existsSync, readFileSync } from "node:fs";

// Compiled code lives in dist/src/, tests run src/ directly: look for package.json in both places.
const packageJson = ["../package.json", "../../package.json"]
  .map((relative) => new URL(relative, import.meta.url))
  .find((url) => existsSync(url));

/** The package version, read once so results documents name the tool that made them. */
export const version: string = packageJson
  ? (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version
  : "unknown";
