#!/usr/bin/env node
import { version } from "../version.js";

// `hotspot --version` alone prints what the parser would, without loading it (yargs is most of a start-up).
if (process.argv.length === 3 && process.argv[2] === "--version") {
  process.stdout.write(`${version}\n`);
} else {
  const [{ main }, { hideBin }] = await Promise.all([import("./main.js"), import("yargs/helpers")]);
  process.exitCode = await main(hideBin(process.argv));
}
