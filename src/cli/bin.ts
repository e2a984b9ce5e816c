#!/usr/bin/env node
import { version } from "../version.js";

// `hotspot --version` alone, and `hotspot [command [subcommand]] --help` where the build's page is what
// yargs would print, are answered without loading the parser (yargs is most of a start-up). Only a
// command line ending in a help flag loads the pages' reader, so no other pays for it.
const args = process.argv.slice(2);
const help = ["--help", "-h"].includes(args.at(-1) ?? "")
  ? (await import("./prebuilt-help.js")).prebuiltHelp(args, process.env, () => process.stdout.columns)
  : undefined;
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${version}\n`);
} else if (help !== undefined) {
  process.stdout.write(help);
} else {
  const [{ main }, { hideBin }, { removePendingTemporaryFiles }] = await Promise.all([
    import("./main.js"),
    import("yargs/helpers"),
    import("../util/atomic-write.js"),
  ]);
  // Ctrl-C or a kill while an output is written: remove its temporary file, then die of the signal as
  // usual. A command with its own handler (sweep's graceful stop, a service) keeps it and finishes.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      removePendingTemporaryFiles();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
  process.exitCode = await main(hideBin(process.argv));
}
