/** @module A control session: proves a server still serves others after a test threw bad input at it. */

import { Socket as ClientSocket } from "engine.io-client";
import { once, type Listenable } from "./events.js";

/** An official client on one transport that can prove, by echo, that the server still works. */
export class ControlSession {
  readonly client: ClientSocket;
  #counter = 0;

  private constructor(client: ClientSocket) {
    this.client = client;
  }

  /** Connects an official client (the server must echo messages). */
  static async open(url: string, transports: string[] = ["websocket"]): Promise<ControlSession> {
    const client = new ClientSocket(url, { transports });
    client.on("error", () => {});
    await once(client as unknown as Listenable, "open");
    return new ControlSession(client);
  }

  /** Sends a unique message and waits for its echo. */
  async assertWorks(timeoutMs = 3000): Promise<void> {
    if (this.client.readyState !== "open") throw new Error(`control session is ${this.client.readyState}`);
    const text = `control-${++this.#counter}`;
    const echoed = once(this.client as unknown as Listenable, "message", { timeoutMs, filter: (m: unknown) => m === text });
    this.client.send(text);
    await echoed;
  }

  /** Closes the client. */
  close(): void {
    this.client.close();
  }
}
