// Folders reached through an open descriptor instead of by their path, so that a racing process cannot turn the
// renderer's writes elsewhere: each folder of an output folder's path is opened once, one part at a time, with
// O_NOFOLLOW | O_DIRECTORY (a symlink is ELOOP, a file ENOTDIR), and from then on reached as
// `/proc/self/fd/<fd>/…` — the kernel resolves that to the folder that was opened, whatever is later renamed,
// removed or put in its place under its name (Linux proc(5), /proc/pid/fd). Every name below an anchor is
// still resolved when used: the renderer opens or creates each file there without following a symlink.
// Where /proc/self/fd is not there (macOS), the path itself is used after the same checks: the folder is
// refused when it is a symlink, but a swap between the check and a write is not caught.
import { closeSync, constants, existsSync, mkdirSync, openSync } from "node:fs";
import { join, sep } from "node:path";

const PROC_FD = "/proc/self/fd";
const FOLDER = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

export class Anchors {
  private readonly fds: number[] = [];
  /** Anchored path → the real path it stood for when opened (for messages). */
  private readonly real = new Map<string, string>();
  private readonly viaDescriptor = existsSync(PROC_FD);

  private readonly realRoot: string;

  constructor(realRoot: string) {
    this.realRoot = realRoot;
  }

  /** The folder `name` in the anchored folder `at`, itself anchored; `create` makes it first when it is not there. */
  child(at: string, name: string, options: { create?: boolean } = {}): { path: string; created: boolean } {
    const path = join(at, name);
    let created = false;
    if (options.create) {
      try {
        mkdirSync(path); // mkdir(2) never follows a symlink in the last part: EEXIST
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
    const fd = openSync(path, FOLDER);
    if (!this.viaDescriptor) {
      closeSync(fd);
      return { path, created };
    }
    this.fds.push(fd);
    const anchored = `${PROC_FD}/${fd}`;
    this.real.set(anchored, this.shown(path));
    return { path: anchored, created };
  }

  /**
   * The folder `rel` (below the repository root) anchored; `create` makes the parts that are not there, and the
   * first one it made is returned (anchored in its parent) so that a failed run can remove it again.
   */
  folder(rel: string, options: { create?: boolean } = {}): { path: string; firstCreated?: string } {
    let at = this.child(this.realRoot, ".").path;
    let firstCreated: string | undefined;
    for (const part of rel.split(sep)) {
      const parent = at;
      const next = this.child(at, part, options);
      if (next.created && firstCreated === undefined) firstCreated = join(parent, part);
      at = next.path;
    }
    return { path: at, ...(firstCreated !== undefined && { firstCreated }) };
  }

  /** `path` as it was when its anchor was opened (a real path below the repository root, for messages). */
  shown(path: string): string {
    for (const [anchored, real] of this.real) {
      if (path === anchored || path.startsWith(`${anchored}/`)) return real + path.slice(anchored.length);
    }
    return path;
  }

  /** The error with its paths as the user knows them (a system error names the anchored path). */
  unanchor<E>(err: E): E {
    const e = err as (NodeJS.ErrnoException & { dest?: string }) | null;
    if (e instanceof Error) {
      for (const key of ["path", "dest"] as const) {
        const value = e[key];
        if (typeof value === "string") {
          const shown = this.shown(value);
          if (shown !== value) {
            e.message = e.message.replaceAll(value, shown);
            e[key] = shown;
          }
        }
      }
    }
    return err;
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
  }
}

/** A path that reaches the folder open as `fd` (anchored), or `path` where there is no /proc/self/fd. */
export function descriptorPath(fd: number, path: string): string {
  return existsSync(PROC_FD) ? `${PROC_FD}/${fd}` : path;
}
