/** A bench target: a ratio measured in the same run, bounded above or below. */
export type Target = { readonly atMost: number } | { readonly atLeast: number };

/** One line: the ratio, its target and whether it was met. */
export function ratioLine(label: string, ratio: number, target: Target): string {
  const met = "atMost" in target ? ratio <= target.atMost : ratio >= target.atLeast;
  const bound = "atMost" in target ? `≤ ${target.atMost}×` : `≥ ${target.atLeast}×`;
  return `  ratio ${label}: ${ratio.toFixed(2)}× (target ${bound}): ${met ? "met" : "MISSED"}\n`;
}

/**
 * This process's CPU milliseconds so far: timings of single-threaded work use it instead of the wall
 * clock, so that a shared machine descheduling the bench does not count as the code's time.
 */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
