import type { MessagePort } from "node:worker_threads";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import * as dynamodb from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";

type Wire = Record<string, unknown>;
type AttributeMap = Record<string, AttributeValue>;

/**
 * This process's requests to the engine thread it runs, over a message port: a document-client
 * request is marshalled here as the document client marshals it, and goes over as the JSON the SDK
 * would send; dynalite's answer comes back as that JSON parsed, and is unmarshalled here. (The
 * marshalling is the document client's own, util-dynamodb.) The port holds the process open only
 * while a request is out, as a socket would.
 */
export class LocalChannel {
  private next = 0;
  private readonly pending = new Map<
    number,
    { ok: (answer: Wire | undefined) => void; fail: (error: Error) => void }
  >();

  constructor(private readonly port: MessagePort) {
    port.on("message", ({ id, output, error }) => {
      const request = this.pending.get(id);
      if (!request) return;
      this.pending.delete(id);
      if (this.pending.size === 0) port.unref();
      try {
        if (error) throw serviceError(error.name, error.message);
        request.ok(this.unmarshalled(output));
      } catch (failure) {
        request.fail(failure as Error);
      }
    });
    port.unref();
  }

  /** Sends `GetItem` with the input GetCommand takes (and so on); resolves undefined if the engine stops first. */
  send(operation: string, input: object): Promise<Wire | undefined> {
    const id = this.next++;
    return new Promise((ok, fail) => {
      const body = JSON.stringify(this.marshalled(input as Wire), base64);
      if (this.pending.size === 0) this.port.ref();
      this.pending.set(id, { ok, fail });
      this.port.postMessage({ id, operation, body });
    });
  }

  /** The engine thread stopped: what was out gets no answer, and goes the SDK's way. */
  stop(): void {
    for (const { ok } of this.pending.values()) ok(undefined);
    this.pending.clear();
    this.port.close();
  }

  private marshalled(input: Wire): Wire {
    const map = (value: unknown) => marshall(value as Wire, { removeUndefinedValues: true });
    const data: Wire = { ...input };
    for (const field of ["Item", "Key", "ExpressionAttributeValues", "ExclusiveStartKey"])
      if (data[field]) data[field] = map(data[field]);
    if (data.RequestItems) {
      const requests: Wire = {};
      for (const [table, value] of Object.entries(data.RequestItems as Wire))
        requests[table] = Array.isArray(value)
          ? value.map((r) =>
              r.PutRequest
                ? { PutRequest: { Item: map(r.PutRequest.Item) } }
                : { DeleteRequest: { Key: map(r.DeleteRequest.Key) } },
            )
          : { ...(value as Wire), Keys: (value as { Keys: unknown[] }).Keys.map(map) };
      data.RequestItems = requests;
    }
    return data;
  }

  private unmarshalled(output: Wire): Wire {
    const item = (map: AttributeMap) => unmarshall(binary(map));
    for (const field of ["Item", "Attributes", "LastEvaluatedKey"])
      if (output[field]) output[field] = item(output[field] as AttributeMap);
    if (output.Items) output.Items = (output.Items as AttributeMap[]).map(item);
    const responses = (output.Responses ?? {}) as Record<string, AttributeMap[]>;
    for (const table in responses) responses[table] = responses[table].map(item);
    const keys = (output.UnprocessedKeys ?? {}) as Record<string, { Keys: AttributeMap[] }>;
    for (const table in keys) keys[table] = { ...keys[table], Keys: keys[table].Keys.map(item) };
    const items = (output.UnprocessedItems ?? {}) as Record<string, Wire[]>;
    for (const table in items)
      items[table] = items[table].map((r) => {
        const put = r.PutRequest as { Item: AttributeMap } | undefined;
        const del = r.DeleteRequest as { Key: AttributeMap };
        return put ? { PutRequest: { Item: item(put.Item) } } : { DeleteRequest: { Key: item(del.Key) } };
      });
    return output;
  }
}

/** JSON.stringify's replacer for binary values: base64, as the SDK sends them (a Buffer's own toJSON is not). */
function base64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Uint8Array
    ? Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString("base64")
    : value;
}

/** An attribute map as JSON gives it, with its binary values as bytes, as the SDK gives them. */
function binary(map: AttributeMap): AttributeMap {
  const out: AttributeMap = {};
  for (const name in map) out[name] = bytes(map[name]);
  return out;
}

function bytes(value: AttributeValue): AttributeValue {
  const json = value as { B?: string; BS?: string[] };
  // A plain Uint8Array, as the SDK gives: not a Buffer.
  const decode = (b: string) => new Uint8Array(Buffer.from(b, "base64"));
  if (json.B !== undefined) return { B: decode(json.B) };
  if (json.BS) return { BS: json.BS.map(decode) };
  if (value.L) return { L: value.L.map(bytes) };
  if (value.M) return { M: binary(value.M) };
  return value;
}

/** The error the SDK throws for a DynamoDB error of this name (`ConditionalCheckFailedException`, ...). */
function serviceError(name: string, message: string): Error {
  const known = (dynamodb as Record<string, unknown>)[name];
  const options = { message, $metadata: {} };
  if (typeof known === "function" && known.prototype instanceof dynamodb.DynamoDBServiceException)
    return new (known as new (o: typeof options) => Error)(options);
  return new dynamodb.DynamoDBServiceException({ ...options, name, $fault: "client" });
}
