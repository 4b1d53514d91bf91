/**
 * @module The soak in a size any machine handles: `scripts/soak.mjs` with 200 WebSocket + 20
 * long-polling sessions at pingInterval 2 s / pingTimeout 2 s for 15 s, its load generator in a
 * process of its own. Asserted: every session opens, pings are answered, and nothing times out or
 * closes on either side. The 10,000 + 500 session version with its event-loop lag bound is a load
 * test (test/load/soak.load.ts, `npm run test:load`); the 10-minute run is the script's default.
 */

import { expect } from "chai";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SOAK_SCRIPT = fileURLToPath(new URL("../../scripts/soak.mjs", import.meta.url));
const DURATION_S = 15;
const WS = 200;
const POLLING = 20;

/** What scripts/soak.mjs prints as JSON before its PASS/FAIL line (the fields asserted here). */
interface SoakResult {
  readonly sessions: { readonly websocket: number; readonly polling: number; readonly failedOpens: number };
  readonly pingsAnswered: number;
  readonly pongPostFailures: number;
  readonly falseTimeouts: { readonly server: number; readonly client: number; readonly serverExcused: number };
  readonly unexpectedCloses: { readonly server: number; readonly client: number };
}

/** Runs the soak script to its end (bounded) and returns its JSON report. */
function runSoak(args: readonly string[], limitMs: number): Promise<SoakResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SOAK_SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`soak did not finish within ${limitMs} ms\n${stderr.slice(-2000)}`));
    }, limitMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const start = stdout.indexOf("{");
      const end = stdout.lastIndexOf("}");
      if (start === -1 || end < start) reject(new Error(`soak printed no report (exit ${code})\n${stderr.slice(-2000)}`));
      else resolve(JSON.parse(stdout.slice(start, end + 1)) as SoakResult);
    });
  });
}

describe("soak (small: 200 websocket + 20 polling sessions for 15 s)", function () {
  this.timeout((DURATION_S + 120) * 1000);

  it("every session opens and answers pings; nothing times out or closes on either side", async () => {
    const result = await runSoak(["--duration", String(DURATION_S), "--ws", String(WS), "--polling", String(POLLING)], (DURATION_S + 100) * 1000);
    const passed =
      result.pongPostFailures === 0 &&
      result.falseTimeouts.server === 0 &&
      result.falseTimeouts.client === 0 &&
      result.unexpectedCloses.server === 0 &&
      result.unexpectedCloses.client === 0;
    if (!passed) console.log(JSON.stringify(result, null, 2));
    expect(result.sessions).to.include({ websocket: WS, polling: POLLING, failedOpens: 0 });
    // At least one answered ping per session (each gets about DURATION_S / 2).
    expect(result.pingsAnswered).to.be.at.least(WS + POLLING);
    expect(result.pongPostFailures).to.equal(0);
    expect(result.falseTimeouts.server).to.equal(0);
    expect(result.falseTimeouts.client).to.equal(0);
    expect(result.unexpectedCloses.server).to.equal(0);
    expect(result.unexpectedCloses.client).to.equal(0);
  });
});
