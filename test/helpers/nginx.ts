/**
 * @module Debian's nginx as a child of the test, in front of three echo server processes, all on
 * loopback ports of their own; the nginx configuration is `deploy/nginx/heartwire.conf` with only
 * its ports and proxy timeouts replaced.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { once as onceEvent } from "node:events";
import { createServer, connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The nginx binary, or undefined when nginx is not installed. */
export const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"].find((path) => existsSync(path));

const TEMPLATE = fileURLToPath(new URL("../../../deploy/nginx/heartwire.conf", import.meta.url));
/** The backend process, as the config's comment runs it. */
const BACKEND = fileURLToPath(new URL("../../../deploy/echo-server.mjs", import.meta.url));

/** One backend process. */
export interface Backend {
  readonly id: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** SIGSTOP: frozen, its sockets stay open. */
  freeze(): void;
  /** SIGKILL (after SIGCONT), and waits for the exit. */
  kill(): Promise<void>;
}

/** nginx and its three backends. */
export interface NginxStack extends AsyncDisposable {
  readonly url: string;
  readonly backends: readonly Backend[];
  /** The configuration nginx runs with. */
  readonly config: string;
  close(): Promise<void>;
}

/** Kills a child (thawed first) and waits for its exit; `signal` first, SIGKILL if it is still alive after `graceMs`. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL", graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = onceEvent(child, "exit");
  child.kill("SIGCONT");
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Starts `deploy/echo-server.mjs` on a free port with `env`; resolves with its port once it serves. */
async function startBackend(id: string, env: Record<string, string>, timeoutMs = 10_000): Promise<Backend> {
  const child = spawn(process.execPath, [BACKEND], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env, PORT: "0", NODE_ID: id } });
  const port = await new Promise<number>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`backend ${id}: not listening within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      text += chunk;
      const match = /listening on http:\/\/[^\s]+:(\d+)/.exec(text);
      if (match === null) return;
      clearTimeout(timer);
      resolve(Number(match[1]));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`backend ${id} exited (${String(code)}) before listening`));
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return { id, port, process: child, freeze: () => void child.kill("SIGSTOP"), kill: () => stopChild(child) };
}

/** A port nobody listens on right now (bound on 0, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts on `port`, or rejects after `timeoutMs`. */
async function waitForListener(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (accepted) return;
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}) before listening`);
    if (Date.now() > deadline) throw new Error(`nginx not listening on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Replaces `from` (which must occur) by `to` everywhere in `text`. */
function substitute(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`deploy/nginx/heartwire.conf no longer contains ${JSON.stringify(from)}`);
  return text.split(from).join(to);
}

/** Options of {@link startNginxStack}. */
export interface StackOptions {
  /** Environment of every backend (heartbeat). */
  readonly backendEnv: Record<string, string>;
  /** nginx's proxy read/send timeout, seconds (the shipped config says 60). */
  readonly proxyTimeoutSeconds: number;
}

/** Starts backends a, b, c and nginx in front of them, on free loopback ports. */
export async function startNginxStack(options: StackOptions): Promise<NginxStack> {
  if (NGINX === undefined) throw new Error("nginx is not installed");
  const prefix = mkdtempSync(join(tmpdir(), "heartwire-nginx-"));
  // Under root, nginx's worker runs as an unprivileged user that must reach its temporary paths.
  chmodSync(prefix, 0o755);
  const backends: Backend[] = [];
  let nginx: ChildProcess | undefined;
  let stderr = "";
  // If the test process ends without close() (mocha killed on a timeout), stop nginx and the
  // backends anyway: nginx's worker would otherwise outlive everything.
  const onExit = (): void => {
    nginx?.kill("SIGTERM");
    for (const backend of backends) backend.process.kill("SIGKILL");
  };
  process.once("exit", onExit);
  const close = async (): Promise<void> => {
    process.off("exit", onExit);
    // SIGTERM: nginx's fast shutdown, which takes its worker process along (SIGKILL would orphan it).
    if (nginx !== undefined) await stopChild(nginx, "SIGTERM");
    await Promise.all(backends.map((b) => b.kill()));
    rmSync(prefix, { recursive: true, force: true });
  };
  try {
    backends.push(...(await Promise.all(["a", "b", "c"].map((id) => startBackend(id, options.backendEnv)))));
    const port = await freePort();
    let config = readFileSync(TEMPLATE, "utf8");
    config = substitute(config, "listen 127.0.0.1:8080;", `listen 127.0.0.1:${port};`);
    backends.forEach((backend, i) => (config = substitute(config, `127.0.0.1:${3001 + i};`, `127.0.0.1:${backend.port};`)));
    config = substitute(config, "proxy_read_timeout 60s;", `proxy_read_timeout ${options.proxyTimeoutSeconds}s;`);
    config = substitute(config, "proxy_send_timeout 60s;", `proxy_send_timeout ${options.proxyTimeoutSeconds}s;`);
    const configPath = join(prefix, "heartwire.conf");
    writeFileSync(configPath, config);
    nginx = spawn(NGINX, ["-c", configPath, "-p", `${prefix}/`, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
    nginx.stderr!.setEncoding("utf8");
    nginx.stderr!.on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    await waitForListener(port, nginx, 10_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
    return { url: `http://127.0.0.1:${port}`, backends, config, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close();
    throw error;
  }
}
