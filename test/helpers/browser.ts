/**
 * @module Real-browser fixtures: Debian's Chromium driven by playwright-core, the browser bundle
 * built on demand, and a "harness" page (fixtures/browser-harness.mjs) served by the test server
 * itself (fixtures/browser-server.mjs), so polling needs no CORS and Chromium's Local Network Access
 * checks see a loopback page. Everything is AsyncDisposable and closed by the test.
 */

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { fixturePath, startChildPeer, type ChildPeer } from "./child-peer.js";

/** Where `.ci/run` (apt) puts Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Flags from issue 8: headless, no sandbox (root in CI), no GPU, no background traffic. */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

const require = createRequire(import.meta.url);
const clientDir = dirname(require.resolve("@heartwire/client/package.json"));

/** `packages/client/dist/browser`, where the bundles are written. */
export const bundleDir = join(clientDir, "dist", "browser");

let bundles: Promise<void> | undefined;

/**
 * Builds the browser bundles once per test process (esbuild takes ~0.2 s), so `npx mocha` works
 * even when `npm test`'s bundle step did not run.
 */
export function ensureBundles(): Promise<void> {
  bundles ??= (async () => {
    const script = pathToFileURL(join(clientDir, "scripts", "bundle.mjs")).href;
    const { buildBundles } = (await import(script)) as { buildBundles: () => Promise<string[]> };
    await buildBundles();
  })();
  return bundles;
}

/**
 * True when Chromium is installed. Without it, browser suites skip locally but fail in CI (`CI`
 * set), where `.ci/run` must have installed it.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env["CI"]) throw new Error(`${CHROMIUM_PATH} is missing: .ci/run should have installed chromium`);
  return false;
}

/** Launches Chromium with the flags. Close it with `browser.close()` in `after`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 15_000 });
}

/**
 * Starts fixtures/browser-server.mjs (echo server + harness page) in a child process on
 * 127.0.0.1:`port` (0: any); `ready.port` is the port. Freeze, kill and restart it from the test.
 */
export function startBrowserServer(pingInterval = 300, pingTimeout = 200, port = 0): Promise<ChildPeer> {
  return startChildPeer(fixturePath("browser-server.mjs"), [String(port), String(pingInterval), String(pingTimeout)]);
}

/** `http://127.0.0.1:<port>` of a server started by {@link startBrowserServer}. */
export function originOf(server: ChildPeer): string {
  return `http://127.0.0.1:${String(server.ready["port"])}`;
}

/** Serialisable options handed to `new Socket(options)` in the page. */
export type PageSocketOptions = Record<string, unknown>;

/** One recorded event in the page: name, page time (`performance.now()`), plain arguments. */
export interface PageEvent {
  readonly event: string;
  readonly at: number;
  readonly args: unknown[];
  /** The transport in use when the event fired. */
  readonly transport?: string;
  /** Position in the socket's log (from `waitFor`). */
  readonly index: number;
}

/** State snapshot of a page socket. */
export interface PageSocketState {
  readonly state: string;
  readonly readyState?: string;
  readonly transport?: string;
  readonly sid?: string | null;
  readonly pingInterval?: number;
  readonly pingTimeout?: number;
  readonly rtt?: number;
  readonly smoothedRtt?: number;
  /** The page's `performance.now()` at the snapshot. */
  readonly now: number;
}

/** Message data in and out of the page: text, or bytes as a number array. */
export type PageData = { readonly text: string } | { readonly bytes: readonly number[] };

/** The harness functions the page exposes (see fixtures/browser-harness.mjs). */
interface Harness {
  open(options: PageSocketOptions, kind: "socket" | "reconnecting"): number;
  waitFor(id: number, event: string, opts: { timeoutMs: number; from: number; count: number }): Promise<PageEvent>;
  send(id: number, data: PageData): void;
  state(id: number): PageSocketState;
  log(id: number): PageEvent[];
  closeAll(): void;
}

interface HarnessGlobals {
  readonly harness: Harness;
  setVisibility(state: "visible" | "hidden"): void;
}

/** A socket living in the page, driven from the test. */
export interface PageSocket {
  readonly id: number;
  /** Resolves with the `count`-th `event` at or after log index `from`; bounded by `timeoutMs`. */
  waitFor(event: string, opts?: { timeoutMs?: number; from?: number; count?: number }): Promise<PageEvent>;
  send(data: PageData): Promise<void>;
  state(): Promise<PageSocketState>;
  log(): Promise<PageEvent[]>;
}

/** A page loaded with the bundle and the harness, at a server's origin. */
export interface HarnessPage extends AsyncDisposable {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Opens `new Socket(options)` (or a ReconnectingSocket) in the page; `uri` defaults to the page origin. */
  open(options?: PageSocketOptions, kind?: "socket" | "reconnecting"): Promise<PageSocket>;
  /** Sets `document.visibilityState` and dispatches `visibilitychange`. */
  setVisibility(state: "visible" | "hidden"): Promise<void>;
  /** The page's `performance.now()`. */
  now(): Promise<number>;
  close(): Promise<void>;
}

const HARNESS_PATH = "/__heartwire_test__/";

/**
 * Opens a fresh context and a page on the harness served by the server at `origin` (e.g.
 * `http://127.0.0.1:1234`, a fixtures/browser-server.mjs), once the harness has loaded.
 */
export async function openHarnessPage(browser: Browser, origin: string): Promise<HarnessPage> {
  const context = await browser.newContext();
  const close = async (): Promise<void> => {
    await context.close().catch(() => {});
  };
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${origin}${HARNESS_PATH}index.html`);
    await page.waitForFunction("document.title === 'harness ready'", undefined, { timeout: 10_000 }).catch((error: unknown) => {
      throw new Error(`harness did not load: ${pageErrors.join("; ") || String(error)}`);
    });
    // Each callback runs in the page (playwright serialises it); the cast only informs TypeScript.
    const socketHandle = (id: number): PageSocket => ({
      id,
      waitFor: (event, opts = {}) =>
        page.evaluate((a) => (globalThis as unknown as HarnessGlobals).harness.waitFor(a.id, a.event, a.opts), {
          id,
          event,
          opts: { timeoutMs: opts.timeoutMs ?? 5000, from: opts.from ?? 0, count: opts.count ?? 1 },
        }),
      send: (data) => page.evaluate((a) => (globalThis as unknown as HarnessGlobals).harness.send(a.id, a.data), { id, data }),
      state: () => page.evaluate((a) => (globalThis as unknown as HarnessGlobals).harness.state(a), id),
      log: () => page.evaluate((a) => (globalThis as unknown as HarnessGlobals).harness.log(a), id),
    });
    const dispose = async (): Promise<void> => {
      await page.evaluate(() => (globalThis as unknown as HarnessGlobals).harness.closeAll()).catch(() => {});
      await close();
    };
    return {
      page,
      context,
      open: async (options = {}, kind = "socket") =>
        socketHandle(await page.evaluate((a) => (globalThis as unknown as HarnessGlobals).harness.open(a.options, a.kind), { options, kind })),
      setVisibility: (state) => page.evaluate((a) => (globalThis as unknown as HarnessGlobals).setVisibility(a), state),
      now: () => page.evaluate(() => performance.now()),
      close: dispose,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
