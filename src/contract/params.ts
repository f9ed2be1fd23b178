/**
 * Input validation for every surface: the CLI's options, the HTTP API's query parameters, the Lambda
 * functions' environment and the CDK configuration. Each kind of value is one piece, which says what
 * a good value is once; the surfaces read it as text (query strings, environment variables, options)
 * or as JSON (the CDK configuration), and every message names the parameter as the user wrote it
 * (`--tz`, `tz`, `PAGETRACK_TIME_ZONE`, `timeZone`) and says what to give instead.
 *
 * zod/mini keeps the Lambda bundles small; this module does not load commander (src/cli/options.ts
 * makes the pieces into option parsers).
 */
import * as z from "zod/mini";
import { DIMENSIONS } from "../counters/registry.js";
import { UserError } from "../errors.js";
import { isValidZone } from "../query/zone.js";
import {
  INTERVALS,
  type Interval,
  type Limit,
  MAX_CURSOR_LENGTH,
  MAX_PATH_LENGTH,
  TOTALS_PAGE_LIMIT,
} from "./rules.js";

/** One kind of value: what a good one is, and how its text is read. */
export interface Piece<T> {
  /** With its article: "an IANA time zone". */
  what: string;
  example?: string;
  /** Said last: "(no scheme, no path)". */
  note?: string;
  /** The value, or undefined when the text is not one. */
  parse: (text: string) => T | undefined;
}

/** The requirement, as the API and the configurations say it after the parameter's name. */
export function mustBe(piece: Omit<Piece<unknown>, "parse">): string {
  return `must be ${piece.what}${piece.example ? ` such as ${piece.example}` : ""}${piece.note ? ` ${piece.note}` : ""}`;
}

/** The same, as the CLI says it of the value given (commander names the option before it). */
export function isNot(piece: Omit<Piece<unknown>, "parse">, value: string): string {
  return `"${value}" is not ${piece.what}${piece.example ? `, e.g. ${piece.example}` : ""}${piece.note ? ` ${piece.note}` : ""}`;
}

// --- The pieces -------------------------------------------------------------------------------

export const zone: Piece<string> = {
  what: "an IANA time zone",
  example: "Europe/Paris",
  parse: (text) => (isValidZone(text) ? text : undefined),
};

/** A site id: it is a part of every key of the table (src/store/keys.ts). */
export const site: Piece<string> = {
  what: "1 to 64 letters, digits, '_', '.' or '-'",
  parse: (text) => (/^[A-Za-z0-9_.-]{1,64}$/.test(text) ? text : undefined),
};

/** A page or a prefix of pages, as the logs' paths are. */
export const path: Piece<string> = {
  what: 'a path starting with "/"',
  example: "/blog/",
  parse: (text) => (text.startsWith("/") ? text : undefined),
};

/** A host of the site, as referrers name it. */
export const host: Piece<string> = {
  what: "a host name",
  example: "example.com",
  note: "(no scheme, no path)",
  parse: (text) => (/^[A-Za-z0-9.-]+(:\d+)?$/.test(text) ? text : undefined),
};

/** The HTTP statuses whose requests count as views. */
export const statuses: Piece<number[]> = {
  what: "a list of HTTP statuses",
  example: "200,304",
  parse: (text) => {
    const list = splitList(text).map(Number);
    return list.length > 0 && list.every((n) => Number.isInteger(n) && n >= 100 && n <= 599)
      ? list
      : undefined;
  },
};

export const interval: Piece<Interval> = {
  what: `one of ${INTERVALS.join(", ")}`,
  parse: (text) => INTERVALS.find((i) => i === text),
};

/** A whole number from min to max (a limit, a number of seconds or days). */
export function whole(min: number, max: number): Piece<number> {
  return {
    what: `a whole number from ${min} to ${max}`,
    parse: (text) => {
      const n = Number(text);
      return text.trim() !== "" && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
    },
  };
}

/** Seconds (or days) between min and max. */
export const seconds = (min: number, max: number) => whole(min, max);

/** Most days that raw view items (DynamoDB's TTL) or log files are kept: a century. */
export const MAX_RETENTION_DAYS = 36500;

/** Days that raw view items are kept. */
export const retentionDays = whole(1, MAX_RETENTION_DAYS);

/** A list's `limit`: 1 to its most. */
export const limit = (rule: Limit) => whole(1, rule.max);

/** Comma-separated values, each one of `item` (empty parts are left out). */
export function listOf<T>(item: Piece<T>, what: string, example: string): Piece<T[]> {
  return {
    what,
    example,
    note: item.note,
    parse: (text) => {
      const values = splitList(text).map(item.parse);
      return values.every((v) => v !== undefined) ? (values as T[]) : undefined;
    },
  };
}

export const paths = listOf(path, 'paths starting with "/", comma-separated,', "/blog/,/docs/");
export const hosts = listOf(host, "host names, comma-separated,", "example.com,blog.example.com");

export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

// --- Read as text: query parameters and environment variables ---------------------------------

/** A piece read from text; its message says what to give. Longer than `maxLength`: "is too long". */
export function text<T>(piece: Piece<T>, maxLength?: number) {
  const message = mustBe(piece);
  return z.pipe(
    z.string(message).check(
      ...(maxLength === undefined ? [] : [z.maxLength(maxLength, "is too long")]),
      z.refine((t: string) => piece.parse(t) !== undefined, message),
    ),
    z.transform((t: string) => piece.parse(t) as T),
  );
}

/** `true` or `false`. */
export const flag = z.pipe(
  z.enum(["true", "false"], "must be true or false"),
  z.transform((v) => v === "true"),
);

/** A page or a prefix in a query string. */
export const pathParam = text(path, MAX_PATH_LENGTH);

/** A page that a route needs: `why` says what it is for. */
export const requiredPage = (why: string) =>
  z.string(`is required: ${why}`).check(
    z.maxLength(MAX_PATH_LENGTH, "is too long"),
    z.refine((t: string) => path.parse(t) !== undefined, mustBe(path)),
  );

/** A range's end: a date or a time, read with the time zone by resolveRange (src/query/range.ts). */
export const moment = z.optional(z.string().check(z.maxLength(40, "is too long")));

/** The `cursor` of the previous answer, passed back as it was. */
export const cursor = z.optional(z.string().check(z.maxLength(MAX_CURSOR_LENGTH, "is too long")));

/** A `limit` with its default when left out. */
export const limitParam = (rule: Limit & { default: number }) => z._default(text(limit(rule)), rule.default);

export const dimension = z.enum(DIMENSIONS, {
  error: (issue) =>
    `${issue.input === undefined ? "is required:" : "must be"} one of ${DIMENSIONS.join(", ")}`,
});

/** `limit` of /pagetotals and /pages (listPages says more: with a range, at most RANGE_PAGES). */
export const pagesLimit = z.optional(text(limit({ max: TOTALS_PAGE_LIMIT })));

/** Reads an HTTP API query string; a bad parameter is one line that names it (a 400). */
export function readQuery<T extends z.ZodMiniType>(schema: T, params: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UserError(`${issue.path.join(".") || "query"}: ${issue.message}`);
}

/** Reads settings from environment variables; every problem is named in one line. Empty ones count as unset. */
export function parseEnv<T extends z.ZodMiniType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
  throw new Error(`bad configuration: ${problems.join("; ")}`);
}

// --- Read as JSON: the CDK configuration --------------------------------------------------------

/** A string piece in a JSON configuration. */
export function jsonText(piece: Piece<unknown>) {
  return z
    .string("must be a string")
    .check(z.refine((t: string) => piece.parse(t) !== undefined, mustBe(piece)));
}

/** A whole number from min to max in a JSON configuration. */
export function jsonWhole(min: number, max: number) {
  const message = mustBe(whole(min, max));
  return z.int(message).check(z.minimum(min, message), z.maximum(max, message));
}

// --- Ranges ------------------------------------------------------------------------------------

/**
 * Refuses an empty range, and one longer than `maxDays` (what it reads grows with its days): `what`
 * names the question, "a breakdown", "/pages with from or to".
 */
export function checkRange(range: { from: number; to: number }, maxDays: number, what: string): void {
  if (!(range.to > range.from)) throw new UserError("the range is empty: `to` must be after `from`");
  if ((range.to - range.from) / 86400 > maxDays)
    throw new UserError(`${what} covers at most ${maxDays} days; narrow the range`);
}
