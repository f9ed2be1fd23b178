import { UAParser } from "ua-parser-js";

/** What a user agent reads with, under the names docs/page-views.md gives. */
export interface Agent {
  browser: string;
  os: string;
  device: string;
}

export const UNKNOWN = "(unknown)";

// The parser's names that pagetrack shows otherwise (docs/page-views.md).
const BROWSERS: Record<string, string> = { "Mobile Safari": "Safari", "Samsung Browser": "Samsung Internet" };
const SYSTEMS: Record<string, string> = { "Mac OS": "macOS", "Chromium OS": "ChromeOS", iPadOS: "iOS" };
// Distributions the parser names: a site owner reads them as Linux.
const LINUX = new Set([
  "Arch",
  "CentOS",
  "Debian",
  "Deepin",
  "elementary OS",
  "Fedora",
  "Gentoo",
  "Kubuntu",
  "Linpus",
  "Linspire",
  "Mageia",
  "Mandriva",
  "Manjaro",
  "Mint",
  "PCLinuxOS",
  "RedHat",
  "Red Hat",
  "Slackware",
  "SUSE",
  "openSUSE",
  "Ubuntu",
  "VectorLinux",
  "Xubuntu",
  "Zenwalk",
]);

/** The browser, OS and device of a user agent, with ua-parser-js 1.x: desktop when it names no device. */
export function agentOf(userAgent: string): Agent {
  const { browser, os, device } = new UAParser(userAgent).getResult();
  const osName = os.name && (LINUX.has(os.name) ? "Linux" : (SYSTEMS[os.name] ?? os.name));
  return {
    browser: browser.name ? (BROWSERS[browser.name] ?? browser.name) : UNKNOWN,
    os: osName || UNKNOWN,
    device: device.type ?? "desktop",
  };
}
