import { parentPort, workerData } from "node:worker_threads";
import type { Trace } from "../traces/types.js";
import type { SweepConfig } from "./config.js";
import { createItemContext, runItem } from "./item.js";
import { errorMessage, type FromWorker } from "./messages.js";

/** Worker thread: builds its context once, then runs the item indexes the pool sends, one at a time. */
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);
const { config, trace } = workerData as { config: SweepConfig; trace: Trace };

try {
  const context = await createItemContext(config, trace);
  port.on("message", (index: number) => {
    runItem(context, index).then(
      (result) => post({ kind: "result", result }),
      (error: unknown) => post(errorMessage(error)),
    );
  });
  post({ kind: "ready" });
} catch (error) {
  post(errorMessage(error));
}
