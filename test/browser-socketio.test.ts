/**
 * socket.io-client 4.8.3 in real Chromium on our browser bundle: socket.io-client's ESM build is
 * bundled with esbuild, `engine.io-client` aliased to `@heartwire/client` (which resolves to
 * `dist/browser/heartwire.js` through the `browser` condition), as an application would do it, and
 * served with a page by an official socket.io 4.8.3 server on 127.0.0.1.
 */

import { expect } from "chai";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { Server as SocketIoServer } from "socket.io";
import { chromiumAvailable, ensureBundles, launchChromium } from "./helpers/browser.js";

const require = createRequire(import.meta.url);
const testDir = dirname(fileURLToPath(import.meta.url)).replace(/\/dist(\/.*)?$/, "");

/** The part of esbuild's build result this test reads (esbuild is a devDependency of the client). */
interface EsbuildResult {
  readonly outputFiles: ReadonlyArray<{ readonly text: string }>;
  readonly metafile: { readonly inputs: Record<string, unknown> };
}

/** Bundles `export { io } from "socket.io-client"` for the browser with engine.io-client aliased to our client. */
async function bundleSocketIoClient(): Promise<string> {
  const esbuildPath = createRequire(require.resolve("@heartwire/client/package.json")).resolve("esbuild");
  const esbuild = (await import(esbuildPath)) as { build(options: object): Promise<EsbuildResult> };
  const result = await esbuild.build({
    stdin: { contents: 'export { io } from "socket.io-client";', resolveDir: testDir, loader: "js" },
    bundle: true,
    format: "iife",
    globalName: "SIO",
    platform: "browser",
    target: "es2022",
    alias: { "engine.io-client": "@heartwire/client" },
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  // The alias took: our browser bundle is in, the official engine.io-client is not.
  expect(inputs.some((i) => i.endsWith("dist/browser/heartwire.js")), "our client bundled").to.equal(true);
  expect(inputs.some((i) => i.includes("node_modules/engine.io-client/")), "official client bundled").to.equal(false);
  return result.outputFiles[0]!.text;
}

describe("browser: socket.io-client on @heartwire/client in Chromium", function () {
  let browser: Browser | undefined;
  let bundle: string;
  let http: HttpServer;
  let server: SocketIoServer;
  let origin: string;
  let page: Page | undefined;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    await ensureBundles();
    bundle = await bundleSocketIoClient();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  beforeEach(async function () {
    if (!browser) return this.skip();
    http = createServer((req, res) => {
      if (req.url === "/sio.js") {
        res.writeHead(200, { "content-type": "text/javascript" });
        res.end(bundle);
      } else if (req.url === "/") {
        res.writeHead(200, { "content-type": "text/html" });
        res.end('<!doctype html><script src="/sio.js"></script>');
      }
    });
    server = new SocketIoServer(http);
    server.on("connection", (socket) => socket.on("echo", (value: unknown, ack: (value: unknown) => void) => ack(value)));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    page = await browser.newPage();
    await page.goto(origin + "/");
  });

  afterEach(async () => {
    await page?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  for (const transports of [["polling", "websocket"], ["websocket"], ["polling"]]) {
    it(`connects with io() and gets acknowledgements over ${transports.join(" + ")}`, async () => {
      const result = await page!.evaluate(async (transports) => {
        type Engine = { transport: { name: string }; once(event: string, fn: () => void): void };
        type ClientSocket = {
          io: { engine: Engine };
          once(event: string, fn: (...args: unknown[]) => void): void;
          timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
          disconnect(): void;
        };
        const { io } = (globalThis as unknown as { SIO: { io: (options: object) => ClientSocket } }).SIO;
        const socket = io({ transports, reconnection: false });
        await new Promise<void>((resolve, reject) => {
          socket.once("connect", () => resolve());
          socket.once("connect_error", (error) => reject(new Error(String(error))));
        });
        const first = await socket.timeout(5000).emitWithAck("echo", { text: "héllo", n: [1, 2] });
        const engine = socket.io.engine;
        if (transports.length === 2 && engine.transport.name !== "websocket") await new Promise<void>((resolve) => engine.once("upgrade", resolve));
        const second = await socket.timeout(5000).emitWithAck("echo", "after");
        const ours = "smoothedRtt" in engine; // a getter only @heartwire/client's Socket has
        const transport = engine.transport.name;
        socket.disconnect();
        return { first, second, ours, transport };
      }, transports);
      expect(result).to.deep.equal({ first: { text: "héllo", n: [1, 2] }, second: "after", ours: true, transport: transports.at(-1) });
    });
  }
});
