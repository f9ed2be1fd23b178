/** The part of ua-parser-js 1.x (MIT) that pagetrack uses; the package ships no types of its own. */
declare module "ua-parser-js" {
  export interface UAResult {
    browser: { name?: string };
    os: { name?: string };
    device: { type?: string };
  }
  export class UAParser {
    constructor(userAgent?: string);
    getResult(): UAResult;
  }
}
