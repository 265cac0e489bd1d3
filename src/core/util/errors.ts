// Typed errors shared by the core: each says what was being read, where, and what was expected.

/** Base of every error the core throws on purpose; front ends print `message` and never a stack. */
export class XdpMetaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Malformed binary input (ELF, BTF, BTF.ext, instructions): names the source and byte offset. */
export class FormatError extends XdpMetaError {
  constructor(
    readonly source: string,
    readonly offset: number,
    readonly expected: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: at byte offset ${offset} (0x${offset.toString(16)}): ${expected}`, options);
  }
}

/** Bad command-line use: printed with the command's usage, exit status 2. */
export class UsageError extends XdpMetaError {}

/** A required external tool (clang, bpftool, ssh) is missing or unusable. */
export class ToolError extends XdpMetaError {}

/** True when `e` is one of our own errors (print the message) rather than a bug (print the stack). */
export function isXdpMetaError(e: unknown): e is XdpMetaError {
  return e instanceof XdpMetaError;
}
