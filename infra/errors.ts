// The one error style: a problem the user can fix is a UserError whose message is one line naming
// the file or key and what is wrong. The CLIs print it without a stack trace and exit with its
// code; the Pulumi program turns it into a RunError (one line, no stack). Anything else is a bug.
// A failure of the machine rather than of the code — a full disk, a permission, a name the file system
// refuses — is the user's to fix too: `ioFailure` recognises one, `IoError` says it in one line.
import { isAbsolute, relative, sep } from "node:path";
import { getSystemErrorMessage } from "node:util";

export class UserError extends Error {
  override name = "UserError";
  /** What a command-line tool exits with when this error stops it. */
  readonly exitCode: number = 1;
}

/** The system error codes that come from the machine, not from the code, with what to do about each. */
const IO_HINTS: Readonly<Record<string, string>> = {
  ENOSPC: "free space on the disk and run again",
  EDQUOT: "free space within the disk quota and run again",
  EFBIG: "the file system refuses a file that large",
  EACCES: "this user lacks the permission: change the owner or mode (of it or of its folder) and run again",
  EPERM: "this user lacks the permission: change the owner or mode (of it or of its folder) and run again",
  EROFS: "the file system is mounted read-only",
  ENAMETOOLONG:
    "a name is longer than the file system allows (255 bytes a folder or file; a stack's syncPath names the output folder): shorten it",
  ELOOP: "a symlink is in the way, and it is never followed: replace it with a real file or folder",
  EIO: "the disk reported an input/output error",
  EMFILE: "too many open files: raise the limit (ulimit -n) and run again",
  ENFILE: "too many open files on the system: run again later",
  EBUSY: "it is in use (a mount point?)",
};

/** The error when it is a system error in IO_HINTS (a Node `ErrnoException` with its code), else undefined. */
export function ioFailure(err: unknown): NodeJS.ErrnoException | undefined {
  const e = err as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === "string" && Object.hasOwn(IO_HINTS, e.code) ? e : undefined;
}

const VERBS: Readonly<Record<string, string>> = {
  open: "open",
  read: "read",
  write: "write",
  mkdir: "create the folder",
  rename: "rename",
  unlink: "remove",
  rmdir: "remove",
  rm: "remove",
  scandir: "list the folder",
  opendir: "list the folder",
  lstat: "look up",
  stat: "look up",
  fstat: "look up",
  realpath: "resolve",
  symlink: "create the symlink",
  chmod: "change the mode of",
  fchmod: "change the mode of",
  copyfile: "copy",
};

/** `path` as the user reads it: relative to `base` when below it; a very long segment shortened. */
export function shownPath(path: string, base: string): string {
  const rel = relative(base, path);
  const shown = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
  return shown
    .split(sep)
    .map((s) => (s.length > 64 ? `${s.slice(0, 32)}…(${s.length} characters)` : s))
    .join(sep);
}

/**
 * One line for a system error: what could not be done to which path, the system's reason and code, what the
 * run left or removed (`after`), what to do.
 */
export function ioFailureText(err: NodeJS.ErrnoException & { dest?: string }, base: string, after?: string): string {
  const code = err.code!;
  const verb = VERBS[err.syscall ?? ""] ?? err.syscall ?? "use";
  const what =
    err.path === undefined ? "" : ` ${shownPath(err.path, base)}${err.dest === undefined ? "" : ` to ${shownPath(err.dest, base)}`}`;
  // libuv's errors carry a negative errno, some of Node's own calls (rmSync) a positive one.
  const reason = typeof err.errno === "number" && err.errno !== 0 ? getSystemErrorMessage(-Math.abs(err.errno)) : code;
  return `cannot ${verb}${what}: ${reason} (${code})${after === undefined ? "" : `; ${after}`} — ${IO_HINTS[code]}`;
}

/** A system error the user can fix, in one line; `after` says what the failing run left or removed. */
export class IoError extends UserError {
  override name = "IoError";
  readonly code: string;
  constructor(err: NodeJS.ErrnoException, base: string, after?: string) {
    super(ioFailureText(err, base, after), { cause: err });
    this.code = err.code!;
  }
}
