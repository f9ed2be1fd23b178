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

const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

const AWS_NAMES: Record<string, string> = {
  CredentialsProviderError:
    "no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
  UnrecognizedClientException: "AWS rejected the credentials (check AWS_PROFILE or AWS_ACCESS_KEY_ID)",
  InvalidSignatureException: "AWS rejected the request signature (check AWS_SECRET_ACCESS_KEY)",
  ExpiredTokenException: "the AWS session token has expired (log in again)",
  AccessDeniedException: "access denied by IAM",
  ResourceNotFoundException: "the table does not exist (create it with `pagetrack init`)",
  NoSuchBucket: "no such S3 bucket",
  NoSuchKey: "no such S3 object",
};

/** One line describing an error of the file system, zlib, the network or AWS, without its stack. */
export function describeError(error: unknown): string {
  if (error instanceof UserError) return error.message;
  const name = (error as { name?: string } | undefined)?.name;
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (name && AWS_NAMES[name])
    return name === "AccessDeniedException" ? `${AWS_NAMES[name]}: ${message}` : AWS_NAMES[name];
  const code =
    (error as { code?: string } | undefined)?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (code && NETWORK.has(code)) return `cannot connect (${code})`;
  if (code && CODES[code]) return CODES[code];
  if (
    code === "Z_DATA_ERROR" ||
    /incorrect header check|invalid (block|distance|stored)/.test(String(error))
  ) {
    return CODES.Z_DATA_ERROR;
  }
  return message;
}

/**
 * Whether an error reading a file is the file's own (corrupt or truncated gzip, binary, another
 * compression, a web log of an unknown format): reading it again cannot help, unlike an error of
 * the disk, the network or AWS.
 */
export function isUnreadable(error: unknown): boolean {
  if (error instanceof UserError) return true;
  const code = (error as { code?: string } | undefined)?.code;
  return code === "Z_BUF_ERROR" || code === "Z_DATA_ERROR" || describeError(error) === CODES.Z_DATA_ERROR;
}
