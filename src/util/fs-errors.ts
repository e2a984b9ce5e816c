/** A file-system error code in words, for messages that name the file (no stack trace). */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const words: Readonly<Record<string, string>> = {
    ENOENT: "no such file or folder",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EISDIR: "is a directory",
    ENOTDIR: "a part of the path is not a folder",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    EEXIST: "already exists",
  };
  return code === undefined ? String((error as Error)?.message ?? error) : (words[code] ?? code);
}

/** True for the errors of a file-system call (they carry a code and a syscall). */
export function isFsError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === "string" &&
    typeof (error as NodeJS.ErrnoException).syscall === "string"
  );
}
