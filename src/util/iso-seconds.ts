/** Epoch seconds as an ISO 8601 UTC time, as every document and log line of ours writes times. */
export function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
