import { spawn } from "node:child_process";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { tempDir } from "./paths.js";

/**
 * A real S3-compatible server on loopback (s3rver) in a child process. s3rver encrypts its listing
 * continuation tokens with DES, which OpenSSL 3 only offers through its legacy provider.
 */
const SERVER = `
const S3rver = require("s3rver");
const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: process.argv[1] });
server.run().then(({ port }) => process.stdout.write(port + "\\n"));
`;

export async function startS3(): Promise<{ endpoint: string; client: S3Client; stop(): Promise<void> }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const child = spawn(
    process.execPath,
    ["--openssl-legacy-provider", "-e", SERVER, await tempDir("pagetrack-s3-")],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      child.kill();
    },
  };
}

export async function putObjects(
  client: S3Client,
  bucket: string,
  objects: Record<string, Buffer | string>,
): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error) => {
    if (error.name !== "BucketAlreadyExists" && error.name !== "BucketAlreadyOwnedByYou") throw error;
  });
  const keys = Object.keys(objects);
  // A few at a time: s3rver writes each object to disk.
  for (let i = 0; i < keys.length; i += 20) {
    await Promise.all(
      keys
        .slice(i, i + 20)
        .map((key) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: objects[key] }))),
    );
  }
}

/** The environment a pagetrack process needs to reach the server. */
export function s3Env(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1",
  };
}
