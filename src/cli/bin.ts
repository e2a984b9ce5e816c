#!/usr/bin/env node
import { hideBin } from "yargs/helpers";
import { main } from "./main.js";
import { removePendingTemporaryFiles } from "../util/atomic-write.js";

// Ctrl-C or a kill while an output is written: remove its temporary file, then die of the signal as
// usual. A command with its own handler (sweep's graceful stop) keeps it and finishes its writes.
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
