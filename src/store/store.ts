import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ResourceInUseException,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandOutput,
  PutCommand,
  type PutCommandInput,
  type PutCommandOutput,
  paginatedBatchGet,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
  type UpdateCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import { BACKOFF_MS, backoff, type Limiter, limiter, sleep } from "./async.js";
import { itemId, type Key, keyCondition, PK, SK } from "./keys.js";
import { PatientRetryStrategy } from "./retry.js";

export type Item = Record<string, unknown> & Key;

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

export interface QueryPage {
  items: Item[];
  /** Matching items (the only answer of a `Select: COUNT` query). */
  count: number;
  next: Record<string, unknown> | undefined;
  units: number;
}

export interface QueryResult {
  items: Item[];
  /** Read capacity units consumed. */
  units: number;
}

export interface StoreConfig {
  table: string;
  /** Extra SDK settings: endpoint, region, credentials, retries. */
  client?: DynamoDBClientConfig;
  /** How many requests run at once. */
  concurrency?: number;
  /** The first step of the backoff between attempts, in milliseconds (25). */
  backoffMs?: number;
  /** Answers requests without the SDK where it can: the embedded engine, in the process that runs it. */
  local?: LocalEngine;
}

/**
 * Answers a document-client request (`GetItem` with GetCommand's input) as the document client
 * would, or throws what it would throw. Returns undefined where it cannot answer (the request then
 * goes through the SDK), or resolves undefined when it stopped before answering.
 */
export interface LocalEngine {
  send(operation: string, input: object): Promise<Record<string, unknown> | undefined> | undefined;
}

type Operation = "GetItem" | "PutItem" | "UpdateItem" | "BatchWriteItem" | "BatchGetItem" | "Query";

/** What a run has cost: requests by kind and the capacity units DynamoDB reported. */
export interface Usage {
  readRequests: number;
  writeRequests: number;
  readUnits: number;
  writeUnits: number;
  itemsWritten: number;
  /** Units by DynamoDB operation (`GetItem`, `PutItem`, ...): what each kind of request cost. */
  byOperation: Record<string, number>;
}

const BATCH_SIZE = 25;
const BATCH_GET_SIZE = 100;
const BATCH_ATTEMPTS = 10;

/**
 * The one table, through the AWS SDK's document client: every read and write pagetrack makes goes
 * through here, against AWS, a compatible server or the embedded engine alike.
 */
export class Store {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
  readonly usage: Usage = {
    readRequests: 0,
    writeRequests: 0,
    readUnits: 0,
    writeUnits: 0,
    itemsWritten: 0,
    byOperation: {},
  };
  private readonly limit: Limiter;
  private readonly backoffMs: number;
  private readonly local: LocalEngine | undefined;

  constructor(config: StoreConfig) {
    this.local = config.local;
    this.table = config.table;
    this.backoffMs = config.backoffMs ?? BACKOFF_MS;
    this.client = new DynamoDBClient({
      retryStrategy: new PatientRetryStrategy(10, this.backoffMs),
      ...config.client,
    });
    this.doc = DynamoDBDocumentClient.from(this.client, { marshallOptions: { removeUndefinedValues: true } });
    this.limit = limiter(config.concurrency ?? 24);
  }

  destroy(): void {
    this.client.destroy();
  }

  /**
   * A document client whose `send` is the Store's own, for lib-dynamodb's paginators. paginateQuery
   * (createPaginator in @smithy/core) only checks `client instanceof DynamoDBDocumentClient` and then
   * calls `client.send(command)`; paginatedBatchGet only calls `client.send`. An object whose
   * prototype is the document client and whose own `send` goes through the concurrency limit and the
   * local engine keeps every page on the one request path below.
   */
  private via(operation: "Query" | "BatchGetItem"): DynamoDBDocumentClient {
    const send = (command: { input: object }) => this.limit(() => this.send(operation, command));
    return Object.create(this.doc, { send: { value: send } });
  }

  /** Sends a document-client command: to the local engine when there is one to answer, else through the SDK. */
  private async send<Output>(operation: Operation, command: { input: object }): Promise<Output> {
    const answer = await this.local?.send(operation, command.input);
    return (answer ??
      (await this.doc.send(command as Parameters<DynamoDBDocumentClient["send"]>[0]))) as Output;
  }

  async get(key: Key, consistent = true): Promise<Item | undefined> {
    const out = await this.limit(() =>
      this.send<GetCommandOutput>(
        "GetItem",
        new GetCommand({
          TableName: this.table,
          Key: key,
          ConsistentRead: consistent,
          ReturnConsumedCapacity: "TOTAL",
        }),
      ),
    );
    this.read("GetItem", out.ConsumedCapacity?.CapacityUnits);
    return out.Item as Item | undefined;
  }

  /**
   * Sets list attributes `[count, merged, ...]` (rollup slots) of one item, each only where the
   * stored one merged fewer (`merged` is the list's second element), all or none. Returns the item
   * as it stands after, or undefined when a slot was not older.
   */
  async setSlotsIfNewer(
    key: Key,
    slots: Record<string, [unknown, number, ...number[]]>,
  ): Promise<Record<string, unknown> | undefined> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const conditions: string[] = [];
    Object.entries(slots).forEach(([attribute, slot], i) => {
      names[`#s${i}`] = attribute;
      values[`:s${i}`] = slot;
      values[`:m${i}`] = slot[1];
      sets.push(`#s${i} = :s${i}`);
      conditions.push(`(attribute_not_exists(#s${i}) OR #s${i}[1] < :m${i})`);
    });
    try {
      const out = await this.limit(() =>
        this.send<UpdateCommandOutput>(
          "UpdateItem",
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${sets.join(", ")}`,
            ConditionExpression: conditions.join(" AND "),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
            ReturnConsumedCapacity: "TOTAL",
          }),
        ),
      );
      this.wrote("UpdateItem", 1, out.ConsumedCapacity?.CapacityUnits);
      return out.Attributes;
    } catch (error) {
      // A failed condition still costs the write.
      if (error instanceof ConditionalCheckFailedException) {
        this.wrote("UpdateItem", 0, 1);
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Puts `item` only if the stored item's `version` is still `expected` (or, with `expected`
   * undefined, if there is no item yet): a compare-and-swap. Returns whether it wrote.
   */
  async putIfVersion(item: Item, expected: number | undefined): Promise<boolean> {
    const condition: Pick<
      PutCommandInput,
      "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    > =
      expected === undefined
        ? { ConditionExpression: "attribute_not_exists(#k)", ExpressionAttributeNames: { "#k": PK } }
        : {
            ConditionExpression: "#v = :v",
            ExpressionAttributeNames: { "#v": "version" },
            ExpressionAttributeValues: { ":v": expected },
          };
    return this.conditionally("PutItem", () =>
      this.send<PutCommandOutput>(
        "PutItem",
        new PutCommand({
          TableName: this.table,
          Item: item,
          ...condition,
          ReturnConsumedCapacity: "TOTAL",
        }),
      ),
    );
  }

  /** An UpdateItem with the given expression; returns the item as it stands after. */
  async update(
    key: Key,
    expression: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const out = await this.limit(() =>
      this.send<UpdateCommandOutput>(
        "UpdateItem",
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
          ReturnConsumedCapacity: "TOTAL",
        }),
      ),
    );
    this.wrote("UpdateItem", 1, out.ConsumedCapacity?.CapacityUnits);
    return out.Attributes ?? {};
  }

  /** An UpdateItem made only where `condition` holds; returns whether it wrote. */
  async updateIf(
    key: Key,
    expression: string,
    condition: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return this.conditionally("UpdateItem", () =>
      this.send<UpdateCommandOutput>(
        "UpdateItem",
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnConsumedCapacity: "TOTAL",
        }),
      ),
    );
  }

  /** Sends a conditional write; returns whether it wrote (a failed condition still costs the write). */
  private async conditionally(
    operation: "PutItem" | "UpdateItem",
    send: () => Promise<{ ConsumedCapacity?: { CapacityUnits?: number } }>,
  ): Promise<boolean> {
    try {
      const out = await this.limit(send);
      this.wrote(operation, 1, out.ConsumedCapacity?.CapacityUnits);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        this.wrote(operation, 0, 1);
        return false;
      }
      throw error;
    }
  }

  /**
   * Writes items with BatchWriteItem, 25 to a request, and writes again whatever DynamoDB leaves
   * unprocessed, after an exponential backoff with full jitter.
   */
  batchWrite(items: Item[]): Promise<void> {
    return this.batch(items.map((Item) => ({ PutRequest: { Item } })));
  }

  /** Deletes items by key with BatchWriteItem, as batchWrite writes them. */
  batchDelete(keys: Key[]): Promise<void> {
    return this.batch(keys.map((Key) => ({ DeleteRequest: { Key } })));
  }

  private async batch(requests: WriteRequest[]): Promise<void> {
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
    await Promise.all(batches.map((batch) => this.writeBatch(batch)));
  }

  private async writeBatch(batch: WriteRequest[]): Promise<void> {
    let requests = batch;
    for (let attempt = 1; ; attempt++) {
      const out = await this.limit(() =>
        this.send<BatchWriteCommandOutput>(
          "BatchWriteItem",
          new BatchWriteCommand({
            RequestItems: { [this.table]: requests },
            ReturnConsumedCapacity: "TOTAL",
          }),
        ),
      );
      const left = (out.UnprocessedItems?.[this.table] ?? []) as WriteRequest[];
      this.wrote(
        "BatchWriteItem",
        requests.length - left.length,
        out.ConsumedCapacity?.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0),
      );
      if (left.length === 0) return;
      if (attempt === BATCH_ATTEMPTS) {
        throw new Error(
          `DynamoDB left ${left.length} items unprocessed after ${attempt} attempts (the table is throttled)`,
        );
      }
      await sleep(backoff(attempt, this.backoffMs));
      requests = left;
    }
  }

  /**
   * Reads items by key with BatchGetItem, 100 to a request, and asks again for whatever DynamoDB
   * leaves unprocessed (lib-dynamodb's paginatedBatchGet), after an exponential backoff with full
   * jitter: the paginator sends the next request only when the loop asks for it. Returns the items
   * found, by `itemId`.
   */
  async batchGet(keys: Key[], consistent: boolean): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    for (let i = 0; i < keys.length; i += BATCH_GET_SIZE) {
      const input = {
        RequestItems: {
          [this.table]: { Keys: keys.slice(i, i + BATCH_GET_SIZE), ConsistentRead: consistent },
        },
        ReturnConsumedCapacity: "TOTAL" as const,
      };
      let attempt = 1;
      for await (const out of paginatedBatchGet({ client: this.via("BatchGetItem") }, input)) {
        this.read(
          "BatchGetItem",
          out.ConsumedCapacity?.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0),
        );
        for (const item of (out.Responses?.[this.table] ?? []) as Item[]) found.set(itemId(item), item);
        const left = out.UnprocessedKeys?.[this.table]?.Keys?.length ?? 0;
        if (left === 0) break;
        if (attempt === BATCH_ATTEMPTS)
          throw new Error(`DynamoDB left ${left} reads unprocessed after ${BATCH_ATTEMPTS} attempts`);
        attempt++;
        await sleep(backoff(attempt, this.backoffMs));
      }
    }
    return found;
  }

  /** One page of a Query (DynamoDB returns at most 1 MB), with the capacity it cost. */
  async queryPage(input: Omit<QueryCommandInput, "TableName">): Promise<QueryPage> {
    const out = await this.limit(() =>
      this.send<QueryCommandOutput>(
        "Query",
        new QueryCommand({ ...input, TableName: this.table, ReturnConsumedCapacity: "TOTAL" }),
      ),
    );
    return this.queried(out);
  }

  /**
   * The pages of a Query, from `input.ExclusiveStartKey` on, following LastEvaluatedKey
   * (lib-dynamodb's paginateQuery); a page is read only when the loop asks for it, so breaking off
   * reads no more. `limit`, when given, is asked before each page for its `Limit`: what the loop
   * still wants.
   */
  async *pages(input: Omit<QueryCommandInput, "TableName">, limit?: () => number): AsyncGenerator<QueryPage> {
    const request: QueryCommandInput = { ...input, TableName: this.table, ReturnConsumedCapacity: "TOTAL" };
    const withCommand = limit
      ? (command: { input: QueryCommandInput }) => {
          command.input.Limit = limit();
          return command;
        }
      : undefined;
    const paginator = paginateQuery(
      { client: this.via("Query"), withCommand: withCommand as never },
      request,
    );
    for await (const out of paginator) yield this.queried(out);
  }

  private queried(out: QueryCommandOutput): QueryPage {
    const units = out.ConsumedCapacity?.CapacityUnits ?? 0;
    this.read("Query", units);
    return { items: (out.Items ?? []) as Item[], count: out.Count ?? 0, next: out.LastEvaluatedKey, units };
  }

  /** Every item a Query matches, page after page. */
  async queryAll(input: Omit<QueryCommandInput, "TableName">): Promise<QueryResult> {
    const result: QueryResult = { items: [], units: 0 };
    for await (const page of this.pages(input)) {
      result.items.push(...page.items);
      result.units += page.units;
    }
    return result;
  }

  /** Items of one partition whose sort keys start with `prefix`. */
  withPrefix(partition: string, prefix: string, consistent = false): Promise<QueryResult> {
    return this.queryAll({ ...keyCondition(partition, { prefix }), ConsistentRead: consistent });
  }

  /** Whether the table exists (and is usable). */
  async tableExists(): Promise<boolean> {
    try {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.table }));
      // Being created by another process: there once it is active.
      if (out.Table?.TableStatus === "CREATING") await this.waitActive();
      return true;
    } catch (error) {
      if ((error as Error).name === "ResourceNotFoundException") return false;
      throw error;
    }
  }

  /**
   * Whether DynamoDB deletes items whose `expiresAt` has passed (raw views with a retention):
   * `enabled` (or being enabled) or `disabled` (the embedded engine always says disabled: it cannot
   * expire items).
   */
  async ttlStatus(): Promise<"enabled" | "disabled"> {
    const out = await this.client.send(new DescribeTimeToLiveCommand({ TableName: this.table }));
    const status = out.TimeToLiveDescription?.TimeToLiveStatus;
    return status === "ENABLED" || status === "ENABLING" ? "enabled" : "disabled";
  }

  /** Turns TTL on for `expiresAt`; says `unsupported` where the engine cannot. */
  async enableTtl(): Promise<"enabled" | "unsupported"> {
    if ((await this.ttlStatus()) === "enabled") return "enabled";
    try {
      await this.client.send(
        new UpdateTimeToLiveCommand({
          TableName: this.table,
          TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        }),
      );
      return "enabled";
    } catch (error) {
      ignoreUnsupported(error as Error);
      return "unsupported";
    }
  }

  /**
   * Creates the table if it is absent: on-demand, encrypted, with point-in-time recovery where the
   * engine has it. Returns whether it created it. (TTL: `enableTtl`.)
   */
  async createTable(): Promise<boolean> {
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.table,
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: [
            { AttributeName: PK, KeyType: "HASH" },
            { AttributeName: SK, KeyType: "RANGE" },
          ],
          AttributeDefinitions: [
            { AttributeName: PK, AttributeType: "S" },
            { AttributeName: SK, AttributeType: "S" },
          ],
          SSESpecification: { Enabled: true },
        }),
      );
    } catch (error) {
      // Another process is creating it (several ingests started at once on one data directory):
      // it can be used once it is active, not before.
      if (error instanceof ResourceInUseException) {
        await this.waitActive();
        return false;
      }
      throw error;
    }
    await this.waitActive();
    await this.client
      .send(
        new UpdateContinuousBackupsCommand({
          TableName: this.table,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      )
      .catch(ignoreUnsupported);
    return true;
  }

  private async waitActive(): Promise<void> {
    for (let i = 0; i < 120; i++) {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.table }));
      if (out.Table?.TableStatus === "ACTIVE") return;
      await sleep(500);
    }
  }

  private read(operation: string, units = 0): void {
    this.usage.readRequests++;
    this.usage.readUnits += units;
    this.usage.byOperation[operation] = (this.usage.byOperation[operation] ?? 0) + units;
  }

  private wrote(operation: string, items: number, units = 0): void {
    this.usage.writeRequests++;
    this.usage.writeUnits += units;
    this.usage.itemsWritten += items;
    this.usage.byOperation[operation] = (this.usage.byOperation[operation] ?? 0) + units;
  }
}

/** Compatible engines (the embedded one among them) lack backups and TTL; the table works without. */
function ignoreUnsupported(error: Error): void {
  if (
    !/UnknownOperation|not supported|UnrecognizedClient|ValidationException/i.test(
      `${error.name} ${error.message}`,
    )
  )
    throw error;
}
