#!/usr/bin/env node
import { version } from "../version.js";

// `hotspot --version` alone prints what the parser would, without loading it (yargs is most of a start-up).
if (process.argv.length === 3 && process.argv[2] === "--version") {
  process.stdout.write(`${version}\n`);
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
