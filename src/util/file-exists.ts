import { access } from "node:fs/promises";

/** Whether `path` exists (and is reachable): for files whose presence is the question, not an error. */
export function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
