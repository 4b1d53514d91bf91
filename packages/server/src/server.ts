/** @module The Server: session table, request/upgrade dispatch, handshake, and shutdown. */

import type { IncomingMessage, OutgoingHttpHeaders, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { EventEmitter } from "eventemitter3";
import { negotiateHeartbeat, ProtocolError, type HeartbeatTiming, type ProtocolErrorInfo, type Scheduler } from "@heartwire/shared";
import { askAllowRequest } from "./allow-request.js";
import { attachToHttpServer, kShuttingDown } from "./attach.js";
import { serializeCookie } from "./cookie.js";
import { applyCors } from "./cors.js";
import { abortUpgrade, sendProtocolError } from "./http-responses.js";
import { LoopWatch } from "./loop-watch.js";
import { kOwnListener, type OwnedListener } from "./owned-listener.js";
import { runMiddlewares, UpgradeResponse, type Middleware } from "./middleware.js";
import { defaults, resolveOptions, type AttachOptions, type ResolvedOptions, type ServerOptions, type TransportName } from "./options.js";
import { parseEngineQuery, queryObject, type EngineQuery, type EngineRequest } from "./request-query.js";
import { createSessionId, defaultGenerateId } from "./session-id.js";
import { Shutdown } from "./shutdown.js";
import { Socket } from "./socket.js";
import { kMaybeUpgrade, kOpen, kRequestArrived, type SocketHost } from "./socket-types.js";
import { TimerWheel } from "./timer-wheel.js";
import { PollingTransport, type PollingOptions } from "./transports/polling.js";
import type { ServerTransport, TransportHooks } from "./transports/transport.js";
import { WebSocketTransport, type WebSocketCloseBound, type WebSocketLike } from "./transports/websocket.js";
import { verifyRequest } from "./verify.js";
import { createWebSocketServer, type WebSocketEngineServer } from "./websocket-server.js";
import type { CloseOptions, ServerEvents } from "./server-types.js";

interface RequestState {
  readonly query: EngineQuery;
  upgradeResponse?: UpgradeResponse;
}

function noop(): void {}

/** The refusal for handshakes beyond `maxSessions` or `maxPendingHandshakes` (code 3, as engine.io has no code for it). */
const SERVER_AT_CAPACITY: ProtocolErrorInfo = Object.freeze({ code: 3, message: "Server at capacity", status: 503 });

/** The refusal for handshakes after {@link Server.close} (code 3, as engine.io has no code for it). */
const SERVER_SHUTTING_DOWN: ProtocolErrorInfo = Object.freeze({ code: 3, message: "Server shutting down", status: 503 });

const NO_UPGRADES: readonly TransportName[] = Object.freeze([]);
const WEBSOCKET_UPGRADE: readonly TransportName[] = Object.freeze(["websocket"]);

/** Internal: sets the prefix put in front of `sessionIdPrefix` (a cluster worker's `w<id>.`). */
export const kSessionIdPrefix = Symbol("heartwire.sessionIdPrefix");

/** An Engine.IO v4 server; a drop-in for engine.io's `Server`. */
export class Server extends EventEmitter<ServerEvents> {
  /**
   * Open sessions by id. A null-prototype object (engine.io exposes a plain object), kept in step
   * with an internal Map that every lookup uses, so no peer string ever reaches an object key.
   */
  readonly clients: Record<string, Socket> = Object.create(null) as Record<string, Socket>;
  /** The http.Server created by `listen()`, if any. */
  httpServer: HttpServer | undefined;
  /** The resolved options. */
  readonly opts: ResolvedOptions;
  readonly #sessions = new Map<string, Socket>();
  /** Handshakes between the request checks and their session (or refusal): bounded by maxPendingHandshakes. */
  #pendingHandshakes = 0;
  readonly #middlewares: Middleware[] = [];
  readonly #requests = new WeakMap<IncomingMessage, RequestState>();
  readonly #heartbeatScheduler: Scheduler;
  /** Ticks while any pong is awaited, so heartbeats can tell our own blocks from slow clients. */
  readonly #loopWatch: LoopWatch;
  readonly #options: ServerOptions;
  /** The timing of every session that proposed none (the common case), shared. */
  readonly #defaultTiming: HeartbeatTiming;
  /** What every socket of this server reports to: one object, no per-socket closures. */
  readonly #socketHost: SocketHost = {
    socketClosed: (socket) => this.#forget(socket),
    socketFlushed: (socket, buffer) => this.emit("flush", socket, buffer),
    socketDrained: (socket) => this.emit("drain", socket),
  };
  #wss: WebSocketEngineServer | undefined;
  #sharedPollingOptions: PollingOptions | undefined;
  #sharedWsCloseBound: WebSocketCloseBound | undefined;
  /** Begun by close(): no new sessions from then on. */
  readonly #shutdown: Shutdown;
  /** Put before `opts.sessionIdPrefix` (set by `setupWorker()`). */
  #outerIdPrefix = "";
  /** The http.Server listen() made for this server: close() closes it too. */
  #listener: OwnedListener | undefined;

  /** Creates a server; attach it with {@link Server.attach} or feed it requests yourself. */
  constructor(options: ServerOptions = {}) {
    super();
    this.#options = options;
    this.opts = resolveOptions(options);
    const { scheduler, timerResolution } = this.opts;
    this.#heartbeatScheduler = timerResolution > 0 ? new TimerWheel(scheduler, timerResolution) : scheduler;
    this.#loopWatch = new LoopWatch(this.#heartbeatScheduler);
    this.#shutdown = new Shutdown(this.#sessions, scheduler);
    this.#defaultTiming = Object.freeze(negotiateHeartbeat({}, this.opts));
  }

  /**
   * The WebSocket server behind every WebSocket handshake (an instance of `wsEngine`), or
   * `undefined` when the websocket transport is off. Made on first use.
   */
  get ws(): WebSocketEngineServer | undefined {
    return this.opts.transports.includes("websocket") ? this.#ws() : undefined;
  }

  /** Number of open sessions. */
  get clientsCount(): number {
    return this.#sessions.size;
  }

  /** Adds an Express-style middleware run on every request and upgrade (an error refuses with code 3). */
  use(middleware: Middleware): this {
    this.#middlewares.push(middleware);
    return this;
  }

  /** Transports a session on `transport` may upgrade to. */
  upgrades(transport: TransportName): TransportName[] {
    if (!this.opts.allowUpgrades || transport !== "polling" || !this.opts.transports.includes("websocket")) return [];
    return ["websocket"];
  }

  /** {@link Server.upgrades} as a shared read-only array, for the sockets' open packets. */
  #upgradesOf(transport: TransportName): readonly TransportName[] {
    const list = this.upgrades(transport);
    if (list.length === 0) return NO_UPGRADES;
    return list.length === 1 && list[0] === "websocket" ? WEBSOCKET_UPGRADE : list;
  }

  /** Picks a new session id; override (or pass `generateId`) to choose your own. May return a Promise. */
  generateId(req: IncomingMessage): string | PromiseLike<string> {
    return this.opts.generateId ? this.opts.generateId(req) : defaultGenerateId();
  }

  /** Internal (`setupWorker()`): every later session id starts with `prefix`, then `sessionIdPrefix`. */
  [kSessionIdPrefix](prefix: string): void {
    this.#outerIdPrefix = prefix;
  }

  /** Hooks this server onto an http.Server under `options.path` (default: the constructor's path). */
  attach(httpServer: HttpServer, options: AttachOptions = {}): this {
    attachToHttpServer(this, httpServer, { ...this.#options, ...options }, this.opts.scheduler);
    return this;
  }

  /**
   * Stops taking new sessions (handshakes get `503 {"code":3,"message":"Server shutting down"}`) and
   * closes every session (see {@link CloseOptions}) and the WebSocket server. The http.Server that
   * `listen()` made is closed too: at once without `graceful`; with it, once the last session has
   * ended, since a draining polling session may still need new connections. `callback` runs once the
   * last session has ended: at once without `graceful`, after the flushes with it.
   */
  close(options: CloseOptions = {}, callback?: () => void): this {
    const listener = this.#listener?.closingItself === false ? this.#listener : undefined;
    const ended = listener === undefined ? callback : () => (listener.sessionsEnded(), callback?.());
    this.#shutdown.begin(options, ended);
    listener?.stop(options.graceful === true);
    this.#wss?.close();
    this.#wss = undefined;
    return this;
  }

  /** True from {@link Server.close} until its last session ended. */
  get [kShuttingDown](): boolean {
    return this.#shutdown.begun;
  }

  /** `listen()` hands over the http.Server it made, which {@link Server.close} then closes. */
  [kOwnListener](listener: OwnedListener): void {
    this.#listener = listener;
  }

  /**
   * Readies a request before any check: sets `req._query` (the query string as an object, kept if
   * something before us set it), which socket.io reads for `socket.handshake.query`.
   */
  prepare(req: IncomingMessage): void {
    const engineReq = req as EngineRequest;
    engineReq._query ??= queryObject(req);
  }

  /** Handles an HTTP request for the engine path (polling and preflights). */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    req.on("error", noop);
    res.on("error", noop);
    this.prepare(req);
    const state: RequestState = { query: parseEngineQuery(req) };
    // The common case (a poll of an open session, no CORS, no middleware) needs no promise.
    if (!this.opts.cors && this.#middlewares.length === 0 && state.query.sid !== null) {
      this.#routeSessionRequest(req, res, state);
      return;
    }
    this.#requests.set(req, state);
    this.#dispatchRequest(req, res, state).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  }

  /** Checks a request that names a session and hands it to the session's polling transport, or refuses it. */
  #routeSessionRequest(req: IncomingMessage, res: ServerResponse, state: RequestState): void {
    const verdict = verifyRequest({ method: req.method, query: state.query, origin: req.headers.origin, upgrade: false }, this.opts.transports, (sid) => this.#view(sid));
    if (!verdict.ok) return this.#refuseRequest(req, res, verdict.error, verdict.context);
    const transport = verdict.kind === "session" ? this.#sessions.get(verdict.sid)?.transport : undefined;
    if (transport instanceof PollingTransport) transport.onRequest(req, res);
    else this.#refuseRequest(req, res, ProtocolError.BAD_REQUEST, { name: "TRANSPORT_MISMATCH" });
  }

  /** Handles an HTTP Upgrade for the engine path (WebSocket handshakes and upgrades). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    req.on("error", noop);
    socket.on("error", noop);
    this.prepare(req);
    // Only middlewares need the response stand-in; without them it would just be retained per socket.
    const upgradeResponse = this.#middlewares.length > 0 ? new UpgradeResponse(socket) : undefined;
    const state: RequestState = upgradeResponse === undefined ? { query: parseEngineQuery(req) } : { query: parseEngineQuery(req), upgradeResponse };
    this.#requests.set(req, state);
    this.#dispatchUpgrade(req, socket, Buffer.from(head ?? []), state).catch(() => socket.destroy());
  }

  async #dispatchRequest(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> {
    if (this.opts.cors && (await applyCors(this.opts.cors, req, res))) return;
    if (!(await this.#middlewaresPass(req, res, (info, context) => this.#refuseRequest(req, res, info, context)))) return;
    if (state.query.sid !== null) return this.#routeSessionRequest(req, res, state);
    // Without a sid the verdict can only be a handshake or a refusal.
    const verdict = verifyRequest({ method: req.method, query: state.query, origin: req.headers.origin, upgrade: false }, this.opts.transports, (sid) => this.#view(sid));
    if (!verdict.ok) return this.#refuseRequest(req, res, verdict.error, verdict.context);
    const id = await this.#admit(req, state, (info, context, message) => this.#refuseRequest(req, res, info, context, message));
    if (id === undefined) return;
    const timing = this.#timingOf(state);
    const bodyTimeout = this.opts.httpBodyTimeout ?? Math.min(timing.pingTimeout, defaults.httpBodyTimeout);
    const transport = new PollingTransport(this.#pollingOptions(), id, bodyTimeout);
    const socket = this.#open(id, req, state, transport, timing);
    // socket.request keeps the handshake request alive; its state is only needed until the answer.
    res.once("close", () => this.#requests.delete(req));
    // The handshake GET carries the open packet alone; sends in `connection` wait for the next GET.
    transport.onRequest(req, res);
    this.#announce(socket);
  }

  async #dispatchUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, state: RequestState): Promise<void> {
    const refuse = (info: ProtocolErrorInfo, context: Record<string, unknown>, message?: string): void => {
      this.#emitError(req, info, context);
      abortUpgrade(socket, message ?? info.message, info.status === 503 ? 503 : 400);
    };
    if (!this.opts.transports.includes("websocket")) return refuse(ProtocolError.UNKNOWN_TRANSPORT, { transport: state.query.transport });
    if (state.upgradeResponse !== undefined && !(await this.#middlewaresPass(req, state.upgradeResponse.asResponse(), refuse))) return;
    const verdict = verifyRequest({ method: req.method, query: state.query, origin: req.headers.origin, upgrade: true }, this.opts.transports, (sid) => this.#view(sid));
    if (!verdict.ok) return refuse(verdict.error, verdict.context);
    const supportsBinary = !state.query.b64;
    if (verdict.kind === "session") {
      // A session that was not offered the upgrade (allowUpgrades: false) may not take it.
      if (!this.upgrades("polling").includes("websocket")) return refuse(ProtocolError.BAD_REQUEST, { name: "TRANSPORT_MISMATCH", transport: "websocket" });
      this.#upgradeSocket(req, socket, head, (ws) => {
        const transport = new WebSocketTransport(ws, supportsBinary, this.#wsCloseBound(), this.opts.perMessageDeflate !== false);
        const client = this.#sessions.get(verdict.sid);
        if (client === undefined) transport.close();
        else client[kMaybeUpgrade](transport);
      });
      return;
    }
    const id = await this.#admit(req, state, refuse);
    if (id === undefined) return;
    this.#upgradeSocket(req, socket, head, (ws) => {
      // The 101 is written: the request state is no longer needed, though socket.request keeps req.
      this.#requests.delete(req);
      this.#announce(this.#open(id, req, state, new WebSocketTransport(ws, supportsBinary, this.#wsCloseBound(), this.opts.perMessageDeflate !== false)));
    });
  }

  /** Runs the middlewares; on failure refuses with code 3 and returns false. */
  async #middlewaresPass(
    req: IncomingMessage,
    res: ServerResponse,
    refuse: (info: ProtocolErrorInfo, context: Record<string, unknown>) => void,
  ): Promise<boolean> {
    if (this.#middlewares.length === 0) return true;
    try {
      return await runMiddlewares(this.#middlewares, req, res);
    } catch (error) {
      refuse(ProtocolError.BAD_REQUEST, { name: "MIDDLEWARE_FAILURE", error });
      return false;
    }
  }

  /**
   * The checks shared by both handshakes: allowRequest, EIO version, session id. Resolves the new id,
   * or `undefined` once the request has been refused.
   */
  async #admit(
    req: IncomingMessage,
    state: RequestState,
    refuse: (info: ProtocolErrorInfo, context: Record<string, unknown>, message?: string) => void,
  ): Promise<string | undefined> {
    if (this.#shutdown.begun) {
      refuse(SERVER_SHUTTING_DOWN, { name: "SERVER_SHUTTING_DOWN" });
      return undefined;
    }
    const pending = this.#pendingHandshakes;
    if (pending >= this.opts.maxPendingHandshakes || this.#sessions.size + pending >= this.opts.maxSessions) {
      refuse(SERVER_AT_CAPACITY, { name: "SERVER_AT_CAPACITY", sessions: this.#sessions.size, pendingHandshakes: pending });
      return undefined;
    }
    this.#pendingHandshakes++;
    const closes = this.#shutdown.count;
    try {
      const id = await this.#admitChecked(req, state, refuse);
      // close() may have come while allowRequest or generateId ran.
      if (id === undefined || (!this.#shutdown.begun && this.#shutdown.count === closes)) return id;
      refuse(SERVER_SHUTTING_DOWN, { name: "SERVER_SHUTTING_DOWN" });
      return undefined;
    } finally {
      this.#pendingHandshakes--;
    }
  }

  async #admitChecked(
    req: IncomingMessage,
    state: RequestState,
    refuse: (info: ProtocolErrorInfo, context: Record<string, unknown>, message?: string) => void,
  ): Promise<string | undefined> {
    if (this.opts.allowRequest) {
      const decision = await askAllowRequest(this.opts.allowRequest, req);
      if (!decision.allowed) {
        refuse(ProtocolError.FORBIDDEN, { message: decision.message }, decision.message);
        return undefined;
      }
    }
    if (state.query.eio !== "4") {
      // engine.io reports the revision it took the request for: anything but "4" reads as 3.
      refuse(ProtocolError.UNSUPPORTED_PROTOCOL_VERSION, { protocol: 3 });
      return undefined;
    }
    try {
      return await createSessionId(
        (r) => this.generateId(r),
        req,
        (candidate) => this.#sessions.has(candidate),
        this.#outerIdPrefix + this.opts.sessionIdPrefix,
      );
    } catch (error) {
      refuse(ProtocolError.BAD_REQUEST, { name: "ID_GENERATION_ERROR", error });
      return undefined;
    }
  }

  /** How long a lingering WebSocket close may wait (one object per server). */
  #wsCloseBound(): WebSocketCloseBound {
    return (this.#sharedWsCloseBound ??= Object.freeze({ scheduler: this.opts.scheduler, closeTimeout: this.opts.closeTimeout }));
  }

  /** What every polling transport of this server shares (made on first use, not per session). */
  #pollingOptions(): PollingOptions {
    if (this.#sharedPollingOptions !== undefined) return this.#sharedPollingOptions;
    const { maxHttpBufferSize, maxPacketsPerPayload, closeTimeout, httpCompression, scheduler } = this.opts;
    const hooks: TransportHooks = { headers: (headers, req, sid) => this.#decorateHeaders(headers, req, sid) };
    return (this.#sharedPollingOptions = Object.freeze({ maxHttpBufferSize, maxPacketsPerPayload, closeTimeout, httpCompression, scheduler, hooks }));
  }

  /** The heartbeat timing of a new session: the server's, or the client's proposal clamped into the ranges. */
  #timingOf(state: RequestState): HeartbeatTiming {
    const pingInterval = state.query.params.getAll("pingInterval").pop() ?? null;
    const pingTimeout = state.query.params.getAll("pingTimeout").pop() ?? null;
    return pingInterval === null && pingTimeout === null
      ? this.#defaultTiming
      : negotiateHeartbeat({ pingInterval: pingInterval ?? undefined, pingTimeout: pingTimeout ?? undefined }, this.opts);
  }

  /** Registers a session on its first transport and queues the open packet; `undefined` if the id got taken. */
  #open(id: string, req: IncomingMessage, state: RequestState, transport: ServerTransport, timing = this.#timingOf(state)): Socket | undefined {
    if (this.#sessions.has(id)) {
      transport.close();
      return undefined;
    }
    const socket = new Socket({
      id,
      request: req,
      transport,
      options: this.opts,
      timing,
      heartbeatScheduler: this.#heartbeatScheduler,
      loopStalls: this.#loopWatch,
      upgrades: this.#upgradesOf(transport.name),
      host: this.#socketHost,
    });
    this.#sessions.set(id, socket);
    this.clients[id] = socket;
    socket[kOpen]();
    return socket;
  }

  #announce(socket: Socket | undefined): void {
    if (socket !== undefined && socket.readyState === "open") this.emit("connection", socket);
  }

  #forget(socket: Socket): void {
    if (this.#sessions.get(socket.id) !== socket) return;
    this.#sessions.delete(socket.id);
    delete this.clients[socket.id];
    this.#shutdown.sessionEnded();
  }

  #view(sid: string): { transportName: TransportName; upgraded: boolean; upgrading: boolean } | undefined {
    const socket = this.#sessions.get(sid);
    // A session whose pong is overdue is gone for this request, even if its timer has yet to run.
    if (socket === undefined || !socket[kRequestArrived]()) return undefined;
    return { transportName: socket.transport.name, upgraded: socket.upgraded, upgrading: socket.upgrading };
  }

  #upgradeSocket(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WebSocketLike) => void): void {
    // Middlewares such as express-session set their headers when writeHead() is called.
    this.#requests.get(req)?.upgradeResponse?.asResponse().writeHead(101);
    if (socket.destroyed) return;
    // The transport made in `done` listens for ws errors itself.
    this.#ws().handleUpgrade(req, socket, head, done);
  }

  #ws(): WebSocketEngineServer {
    this.#wss ??= createWebSocketServer(this.opts.wsEngine, this.opts, (headers, req) => {
      const state = this.#requests.get(req);
      Object.assign(headers, state?.upgradeResponse?.headers);
      if (state !== undefined && state.query.sid === null) this.emit("initial_headers", headers, req);
      this.emit("headers", headers, req);
    });
    return this.#wss;
  }

  /** Adds the sid cookie (handshake only) and lets listeners edit the headers. */
  #decorateHeaders(headers: OutgoingHttpHeaders, req: IncomingMessage, id: string): void {
    const handshake = this.#requests.get(req)?.query.sid === null;
    if (handshake) {
      if (this.opts.cookie) headers["Set-Cookie"] = [serializeCookie(id, this.opts.cookie)];
      this.emit("initial_headers", headers, req);
    }
    this.emit("headers", headers, req);
  }

  #emitError(req: IncomingMessage, info: ProtocolErrorInfo, context: Record<string, unknown>): void {
    this.emit("connection_error", { req, code: info.code, message: info.message, context });
  }

  #refuseRequest(req: IncomingMessage, res: ServerResponse, info: ProtocolErrorInfo, context: Record<string, unknown>, message?: string): void {
    this.#emitError(req, info, context);
    // While draining, a refused request's connection is not kept: kept alive, it would carry the
    // client's next try (a new handshake) back here instead of to a server that stays.
    if (this.#shutdown.begun) res.shouldKeepAlive = false;
    sendProtocolError(res, info, message);
  }
}
