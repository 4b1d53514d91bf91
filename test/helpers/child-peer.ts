/**
 * @module Runs a peer (server or client) in a child Node process so a test can freeze it with
 * SIGSTOP — the process keeps its sockets open but answers nothing — and always kills it after.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { once as onceEvent } from "node:events";

/** A running child peer. */
export interface ChildPeer extends AsyncDisposable {
  readonly process: ChildProcess;
  /** The first JSON line the child printed (its "ready" report, e.g. `{ "port": 1234 }`). */
  readonly ready: Record<string, unknown>;
  /** Every later JSON line the child prints, in order. */
  readonly reports: Array<Record<string, unknown>>;
  /** Writes one line to the child's standard input (a command for fixtures that read it). */
  send(line: string): void;
  /** SIGSTOP: the process and its event loop freeze; its TCP connections stay open. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** Waits for a report matching `predicate`, up to `timeoutMs`. */
  waitForReport(predicate: (report: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Kills the child (thawing it first so it can die) and waits for it to exit. */
  kill(): Promise<void>;
}

/** Path of a fixture script under `test/fixtures/`, resolved from the compiled test tree. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
}

/**
 * Spawns `node <script> ...args` (with `env` added to this process's environment) and resolves once
 * it prints its first JSON line on stdout. The child is killed if it does not report within `timeoutMs`.
 */
export async function startChildPeer(script: string, args: string[] = [], timeoutMs = 10_000, env: Record<string, string> = {}): Promise<ChildPeer> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...env } });
  child.stdin!.on("error", () => {});
  const reports: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let buffered = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (!line.startsWith("{")) continue;
      try {
        reports.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        continue;
      }
      for (const w of waiters) w();
    }
  });

  let exited = child.exitCode !== null;
  child.once("exit", () => {
    exited = true;
    for (const w of waiters) w();
  });

  const waitForReport = (predicate: (r: Record<string, unknown>) => boolean, waitMs = 5000, from = 0): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = reports.slice(from).find(predicate);
        if (found) {
          done();
          resolve(found);
        } else if (exited) {
          done();
          reject(new Error(`child ${script} exited before reporting`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`child ${script}: no matching report within ${waitMs} ms`));
      }, waitMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const kill = async (): Promise<void> => {
    if (exited) return;
    child.kill("SIGCONT");
    child.kill("SIGKILL");
    await onceEvent(child, "exit");
  };

  let ready: Record<string, unknown>;
  try {
    ready = await waitForReport(() => true, timeoutMs);
  } catch (error) {
    await kill();
    throw error;
  }

  return {
    process: child,
    ready,
    reports,
    send: (line) => void child.stdin!.write(`${line}\n`),
    freeze: () => void child.kill("SIGSTOP"),
    thaw: () => void child.kill("SIGCONT"),
    waitForReport: (predicate, waitMs) => waitForReport(predicate, waitMs, 1),
    kill,
    [Symbol.asyncDispose]: kill,
  };
}
