const plainWord = /^[\w@%+=:,./-]+$/;

/** Words as one POSIX shell command line: words with shell syntax in them are single-quoted. */
export function shellCommandLine(words: readonly string[]): string {
  return words
    .map((word) => (word !== "" && plainWord.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}
