// The renderer's one error type. Its own module, so the builders and the writer both use it
// without importing each other.
import { UserError } from "../errors.ts";

/** Bad input to the renderer; the message is one line meant for the user. */
export class RenderError extends UserError {
  override name = "RenderError";
}
