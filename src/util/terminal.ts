// C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that can make
// text read differently than it is stored.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to print on a terminal: every control character shown as a `\uXXXX` escape. */
export function terminalSafe(text: string): string {
  return text.replace(unsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
