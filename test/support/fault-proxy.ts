import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "pass" | "throttle" | "error500" | "reset" | "slow" | "unprocessed" | "stuck" | "denied";

/**
 * An HTTP proxy between the SDK and a DynamoDB endpoint that injects the faults AWS can produce and
 * the embedded engine never does: throttling, 500s, dropped connections, slow answers, and
 * BatchWriteItem and BatchGetItem answers that leave items or keys unprocessed (it forwards only
 * some of them and hands the rest back, or all of them: "stuck"). `choose` decides the fault for
 * each request.
 */
export class FaultProxy {
  private server: Server | undefined;
  readonly seen: Record<Fault, number> = {
    pass: 0,
    throttle: 0,
    error500: 0,
    reset: 0,
    slow: 0,
    unprocessed: 0,
    stuck: 0,
    denied: 0,
  };

  constructor(
    private readonly target: string,
    public choose: (operation: string) => Fault,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
    let fault = this.choose(operation);
    const batch = operation === "BatchWriteItem" || operation === "BatchGetItem";
    if ((fault === "unprocessed" || fault === "stuck") && !batch) fault = "pass";
    const left = operation === "BatchGetItem" ? "UnprocessedKeys" : "UnprocessedItems";
    this.seen[fault]++;
    switch (fault) {
      case "throttle":
        return reply(res, 400, {
          __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
          message: "The level of configured provisioned throughput for the table was exceeded.",
        });
      case "denied":
        return reply(res, 400, {
          __type: "com.amazon.coral.service#UnrecognizedClientException",
          message: "The security token included in the request is invalid.",
        });
      case "error500":
        return reply(res, 500, {
          __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
          message: "Internal server error",
        });
      case "reset":
        req.socket.destroy();
        return;
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, 60));
        break;
      case "stuck": {
        // Every item handed back, as a table throttled for longer than the client retries.
        const input = JSON.parse(body.toString());
        return reply(res, 200, { [left]: input.RequestItems });
      }
      case "unprocessed": {
        const input = JSON.parse(body.toString());
        const [table, asked] = Object.entries(input.RequestItems)[0] as [string, unknown];
        // BatchWriteItem asks a list of requests; BatchGetItem `{ Keys, ConsistentRead }`.
        const requests = (Array.isArray(asked) ? asked : (asked as { Keys: unknown[] }).Keys) as unknown[];
        const part = (list: unknown[]) =>
          Array.isArray(asked) ? list : { ...(asked as object), Keys: list };
        const keep = Math.ceil(requests.length / 2);
        input.RequestItems[table] = part(requests.slice(0, keep));
        if (keep === 0) return reply(res, 200, { [left]: { [table]: part(requests) } });
        body = Buffer.from(JSON.stringify(input));
        const answer = await forward(this.target, req, body);
        const parsed = JSON.parse(answer.body.toString());
        parsed[left] = { [table]: part(requests.slice(keep)) };
        return reply(res, answer.status, parsed);
      }
    }
    const answer = await forward(this.target, req, body);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.0",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function forward(
  target: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, "content-length": String(body.length) } as Record<
      string,
      string | string[] | undefined
    >;
    delete headers["x-amz-crc32"];
    const out = request(new URL(req.url ?? "/", target), { method: req.method, headers }, async (answer) => {
      const chunks: Buffer[] = [];
      for await (const chunk of answer) chunks.push(chunk as Buffer);
      const h = { ...answer.headers };
      // The body may be rewritten, so its checksum header would no longer match.
      delete h["x-amz-crc32"];
      resolve({ status: answer.statusCode ?? 500, headers: h, body: Buffer.concat(chunks) });
    });
    out.on("error", reject);
    out.end(body);
  });
}
