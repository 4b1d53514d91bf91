/**
 * @module `deploy/echo-server.mjs` as a child process: started with an environment (and optionally
 * an inherited listening socket as fd 3, as systemd passes it), waited for on its "listening on"
 * line, and always killed after.
 */

import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import type { Server as NetServer } from "node:net";
import { fileURLToPath } from "node:url";

/** Path of the example, from the compiled test tree. */
export const ECHO_SERVER = fileURLToPath(new URL("../../../deploy/echo-server.mjs", import.meta.url));

/** A running (or exited) echo-server child. */
export interface EchoServerChild extends AsyncDisposable {
  readonly process: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the first stdout line matching `pattern`; rejects if the child exits first or after `timeoutMs`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (a signal name if killed by one); rejects after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number | string>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
}

/** Options of {@link spawnEchoServer}. */
export interface SpawnOptions {
  /** A listening server whose socket the child gets as fd 3, with LISTEN_PID/LISTEN_FDS set as systemd does. */
  readonly activate?: NetServer;
}

/** Starts `node deploy/echo-server.mjs` with `env` added to this process's environment. */
export function spawnEchoServer(env: Record<string, string>, options: SpawnOptions = {}): EchoServerChild {
  const base = { ...process.env };
  for (const name of ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "SOCKET_PATH", "PORT", "HOST", "NODE_ID"]) delete base[name];
  let child: ChildProcess;
  if (options.activate !== undefined) {
    // systemd sets LISTEN_PID to the service's pid after forking; `exec` keeps the shell's pid.
    // The listening socket's own fd, inherited as the child's fd 3 (spawn shares an fd given as a number).
    const { fd } = (options.activate as unknown as { _handle: { fd: number } })._handle;
    const stdio: StdioOptions = ["ignore", "pipe", "pipe", fd];
    child = spawn("/bin/sh", ["-c", 'LISTEN_PID=$$ exec "$0" "$@"', process.execPath, ECHO_SERVER], { env: { ...base, ...env, LISTEN_FDS: "1" }, stdio });
  } else {
    child = spawn(process.execPath, [ECHO_SERVER], { env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  }
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  let exit: number | string | undefined;
  const exitWaiters = new Set<() => void>();
  child.once("exit", (code, signal) => {
    exit = code ?? signal ?? "unknown";
    for (const waiter of exitWaiters) waiter();
  });

  const line = (pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = out.split("\n").map((l) => l.match(pattern)).find((m) => m !== null);
        if (match) return finish(() => resolve(match));
        if (exit !== undefined) finish(() => reject(new Error(`echo-server exited (${exit}) before printing ${pattern}; stderr: ${err}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`echo-server printed no ${pattern} within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`))), timeoutMs);
      const finish = (then: () => void): void => {
        clearTimeout(timer);
        child.stdout!.off("data", check);
        exitWaiters.delete(check);
        then();
      };
      child.stdout!.on("data", check);
      exitWaiters.add(check);
      check();
    });

  const exited = (timeoutMs = 10_000): Promise<number | string> =>
    new Promise((resolve, reject) => {
      if (exit !== undefined) return resolve(exit);
      const timer = setTimeout(() => (exitWaiters.delete(done), reject(new Error(`echo-server still running after ${timeoutMs} ms; stdout: ${out}`))), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        exitWaiters.delete(done);
        resolve(exit!);
      };
      exitWaiters.add(done);
    });

  const kill = async (): Promise<void> => {
    if (exit !== undefined) return;
    child.kill("SIGKILL");
    await exited();
  };

  return { process: child, stdout: () => out, stderr: () => err, line, exited, kill, [Symbol.asyncDispose]: kill };
}
