// The one error style: a problem the user can fix is a UserError whose message is one line naming
// the file or key and what is wrong. The CLIs print it without a stack trace and exit with its
// code; the Pulumi program turns it into a RunError (one line, no stack). Anything else is a bug.

export class UserError extends Error {
  override name = "UserError";
  /** What a command-line tool exits with when this error stops it. */
  readonly exitCode: number = 1;
}
