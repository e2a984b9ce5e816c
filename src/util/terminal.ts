/**
 * Text from input (tags, names, paths) made safe for a terminal: control characters, which could move
 * the cursor or rewrite the screen, are shown as escapes (`\x1b`) instead of acting.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : c,
  );
}
