/**
 * An error the user can fix (bad option, bad input, unreachable endpoint): printed as one line,
 * never with a stack trace.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "UserError";
  }
}

const CODES: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied (check the file's permissions)",
  EPERM: "operation not permitted (check the file's permissions)",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  EMFILE: "too many open files (raise `ulimit -n`)",
  Z_BUF_ERROR: "truncated gzip data: the file was cut off (fetch it again)",
  Z_DATA_ERROR: "corrupt gzip data (fetch the file again)",
};

/** One line describing an error of the file system, zlib or a library, without its stack. */
export function describeError(error: unknown): string {
  if (error instanceof UserError) return error.message;
  const code = (error as { code?: string } | undefined)?.code;
  if (code && CODES[code]) return CODES[code];
  if (
    code === "Z_DATA_ERROR" ||
    /incorrect header check|invalid (block|distance|stored)/.test(String(error))
  ) {
    return CODES.Z_DATA_ERROR;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}
