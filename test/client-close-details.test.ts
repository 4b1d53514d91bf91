/**
 * The details a client gets when the server refuses it, as engine.io-client reports them (its
 * suite checks them): a message over the server's maxHttpBufferSize, and an unknown session id in
 * the query, over polling and over websocket; through real sockets against the official server.
 */

import { expect } from "chai";
import { Socket, TransportError, type SocketOptions } from "@heartwire/client";
import { once } from "./helpers/events.js";
import { startOfficialServer } from "./helpers/servers.js";

type Running = Awaited<ReturnType<typeof startOfficialServer>>;

describe("close details when the official server refuses the client", () => {
  let official: Running;
  let socket: Socket | undefined;

  beforeEach(async () => {
    official = await startOfficialServer({ maxHttpBufferSize: 100 });
  });

  afterEach(async () => {
    socket?.close();
    await official[Symbol.asyncDispose]();
  });

  /** Opens a socket, runs `onOpen` once open (if given), and returns its errors and its close. */
  async function closeOf(options: SocketOptions, onOpen?: (socket: Socket) => void) {
    socket = new Socket(official.url, options);
    const errors: unknown[] = [];
    socket.on("error", (e) => errors.push(e));
    if (onOpen) socket.on("open", () => onOpen(socket!));
    const [reason, details] = await once<[string, unknown]>(socket, "close", { timeoutMs: 10_000 });
    return { errors, reason, details };
  }

  it("polling, message over maxHttpBufferSize: xhr post error 413, then close 'transport error' with it", async () => {
    const { errors, reason, details } = await closeOf({ transports: ["polling"] }, (s) => s.send("a".repeat(101)));
    expect(errors).to.have.length(1);
    const error = errors[0] as TransportError;
    expect(error).to.be.an.instanceOf(TransportError);
    expect(error).to.include({ type: "TransportError", message: "xhr post error", description: 413 });
    expect(error.context).to.deep.equal({ readyState: 4, status: 413, responseText: "" });
    expect(reason).to.equal("transport error");
    expect(details).to.equal(error);
  });

  it("websocket, message over maxHttpBufferSize: close 'transport close' with the 1009 close event", async () => {
    const { reason, details } = await closeOf({ transports: ["websocket"] }, (s) => s.send("a".repeat(101)));
    expect(reason).to.equal("transport close");
    expect(details).to.deep.include({ description: "websocket connection closed" });
    expect((details as { context: { code: number; reason: string } }).context).to.deep.equal({ code: 1009, reason: "" });
  });

  it("polling, unknown sid in the query: xhr poll error 400 with the server's body", async () => {
    const { errors, reason, details } = await closeOf({ transports: ["polling"], query: { sid: "abc" } });
    const error = errors[0] as TransportError;
    expect(error).to.include({ type: "TransportError", message: "xhr poll error", description: 400, protocolCode: 1 });
    expect((error.context as { responseText: string }).responseText).to.equal('{"code":1,"message":"Session ID unknown"}');
    expect(reason).to.equal("transport error");
    expect(details).to.equal(error);
  });

  it("websocket, unknown sid in the query: websocket error whose description is the error event", async () => {
    const { errors, reason, details } = await closeOf({ transports: ["websocket"], query: { sid: "abc" } });
    const error = errors[0] as TransportError;
    expect(error).to.include({ type: "TransportError", message: "websocket error", status: 400 });
    expect((error.description as { type: string }).type).to.equal("error");
    expect(reason).to.equal("transport error");
    expect(details).to.equal(error);
  });
});
