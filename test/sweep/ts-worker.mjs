// Worker entry for tests: registers the TypeScript hooks, then runs the real worker from src/.
import { register } from "node:module";
import { URL } from "node:url";

register(new URL("./ts-hooks.mjs", import.meta.url));
await import(new URL("../../src/sweep/worker.ts", import.meta.url).href);
