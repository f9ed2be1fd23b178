/**
 * Bundles what pagetrack needs besides its compiled sources: the dashboard (served by `pagetrack
 * serve`, or deployed as static files; shipped in the package) and the two Lambda functions (one
 * minified ES module each, deployed by infra/; not in the package), built from the same sources as
 * the CLI.
 */
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");

export const LAMBDAS = { api: "src/lambda/api.ts", ingest: "src/lambda/ingest.ts" };

export async function bundleLambdas(
  out = join(root, "dist/lambda-bundles"),
): Promise<Record<string, number>> {
  await rm(out, { recursive: true, force: true });
  const sizes: Record<string, number> = {};
  for (const [name, entry] of Object.entries(LAMBDAS)) {
    const dir = join(out, name);
    await mkdir(dir, { recursive: true });
    const file = join(dir, "index.mjs");
    await build({
      entryPoints: [join(root, entry)],
      outfile: file,
      bundle: true,
      minify: true,
      platform: "node",
      target: "node22",
      format: "esm",
      legalComments: "none",
      // CommonJS dependencies bundled into an ES module still call require() for Node built-ins.
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    await writeFile(join(dir, "package.json"), '{"type":"module"}\n');
    sizes[name] = (await stat(file)).size;
  }
  return sizes;
}

/**
 * The CLI's modules, compiled file by file into dist/ (the dashboard is bundled apart). A compile
 * without a type check: `npm run typecheck` (part of `npm test`) checks the types, once. What an
 * earlier build left is removed first, so a module deleted from src/ cannot be imported from dist/.
 */
export async function compileCli(out = join(root, "dist")): Promise<number> {
  await mkdir(out, { recursive: true });
  for (const entry of await readdir(out))
    if (entry !== "web" && entry !== "lambda-bundles")
      await rm(join(out, entry), { recursive: true, force: true });
  const src = join(root, "src");
  const entryPoints = (await readdir(src, { recursive: true }))
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.startsWith("web"))
    .map((file) => join(src, file));
  await build({
    entryPoints,
    outdir: out,
    outbase: src,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: false,
  });
  return entryPoints.length;
}

/** The dashboard: index.html, one script (uPlot inside), one stylesheet. No CDN at run time. */
export async function bundleWeb(out = join(root, "dist/web")): Promise<number> {
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, "assets"), { recursive: true });
  await build({
    entryPoints: [join(root, "src/web/app.ts")],
    outfile: join(out, "assets/app.js"),
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    legalComments: "none",
  });
  const css = await Promise.all(
    ["node_modules/uplot/dist/uPlot.min.css", "src/web/style.css"].map((f) =>
      readFile(join(root, f), "utf8"),
    ),
  );
  await writeFile(join(out, "assets/app.css"), css.join("\n"));
  await copyFile(join(root, "src/web/index.html"), join(out, "index.html"));
  return (await stat(join(out, "assets/app.js"))).size;
}

/**
 * `tsx scripts/bundle.ts [cli] [web] [lambdas]`, all without arguments: `npm run build` (and a
 * clone's first run) makes the CLI and the dashboard, which the CLI serves; the CDK app (cdk.json)
 * and the tests make the Lambda bundles, which only a deployment needs.
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  const asked = process.argv.slice(2);
  const wanted = (part: string) => asked.length === 0 || asked.includes(part);
  for (const part of asked)
    if (!["cli", "web", "lambdas"].includes(part))
      throw new Error(`unknown part ${part}: cli, web or lambdas`);
  if (wanted("cli")) console.log(`cli: ${await compileCli()} modules`);
  if (wanted("web")) console.log(`dashboard: ${((await bundleWeb()) / 1024).toFixed(0)} KiB of script`);
  if (wanted("lambdas")) {
    const sizes = await bundleLambdas();
    for (const [name, size] of Object.entries(sizes))
      console.log(`lambda ${name}: ${(size / 1024).toFixed(0)} KiB`);
  }
}
