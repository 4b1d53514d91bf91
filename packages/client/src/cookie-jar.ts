/**
 * @module A minimal cookie jar for Node (`withCredentials`), enough for sticky sessions: Set-Cookie
 * parsing, domain/path matching, Secure, Max-Age/Expires expiry and the Cookie request header.
 * Expiry runs on the socket's monotonic clock: Max-Age directly, and Expires as its distance from
 * the response's own `Date` header (so no wall clock is read; without a `Date` header an Expires
 * attribute is ignored and the cookie lives as long as the jar).
 */

/** One stored cookie. */
export interface StoredCookie {
  readonly name: string;
  readonly value: string;
  /** Lower-case domain without a leading dot. */
  readonly domain: string;
  /** True when the cookie had no Domain attribute: it goes back to that exact host only. */
  readonly hostOnly: boolean;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** Expiry on the jar's clock, or undefined for a session cookie. */
  readonly expiresAt: number | undefined;
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

function defaultPath(pathname: string): string {
  if (!pathname.startsWith("/")) return "/";
  const last = pathname.lastIndexOf("/");
  return last <= 0 ? "/" : pathname.slice(0, last);
}

function domainMatches(host: string, cookie: StoredCookie): boolean {
  if (cookie.hostOnly || isIp(host)) return host === cookie.domain;
  return host === cookie.domain || host.endsWith(`.${cookie.domain}`);
}

function pathMatches(path: string, cookiePath: string): boolean {
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || path[cookiePath.length] === "/";
}

/** Cookies received from servers, replayed on later requests to matching URLs. */
export class CookieJar {
  readonly #now: () => number;
  readonly #cookies = new Map<string, StoredCookie>();

  /** `now` is a monotonic clock in ms (the socket's scheduler). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Number of live cookies. */
  get size(): number {
    this.#purge();
    return this.#cookies.size;
  }

  /** Live cookies, for inspection. */
  list(): StoredCookie[] {
    this.#purge();
    return [...this.#cookies.values()];
  }

  /**
   * Stores the cookies of a response to `url`. `dateHeader` is the response's `Date` header,
   * used to turn Expires dates into lifetimes. Invalid or foreign-domain cookies are ignored.
   */
  setCookies(setCookieHeaders: readonly string[], url: string | URL, dateHeader?: string | null): void {
    const target = new URL(url);
    for (const header of setCookieHeaders) this.#store(header, target, dateHeader ?? undefined);
  }

  /** The `Cookie` header for a request to `url`, or undefined when no cookie applies. */
  cookieHeader(url: string | URL): string | undefined {
    this.#purge();
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    // Loopback counts as a secure origin, as browsers treat it (Secure cookies go to http://localhost).
    const secure = target.protocol === "https:" || target.protocol === "wss:" || /^(localhost|.*\.localhost|127(\.\d+){3}|::1)$/.test(host);
    const matching = [...this.#cookies.values()]
      .filter((c) => domainMatches(host, c) && pathMatches(target.pathname || "/", c.path) && (!c.secure || secure))
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length > 0 ? matching.map((c) => `${c.name}=${c.value}`).join("; ") : undefined;
  }

  #store(header: string, url: URL, dateHeader: string | undefined): void {
    const [pair = "", ...attributes] = header.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    if (name.length === 0) return;
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    let domain = host;
    let hostOnly = true;
    let path = defaultPath(url.pathname);
    let secure = false;
    let httpOnly = false;
    let maxAge: number | undefined;
    let expires: number | undefined;
    for (const attribute of attributes) {
      const i = attribute.indexOf("=");
      const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
      const val = i === -1 ? "" : attribute.slice(i + 1).trim();
      if (key === "domain" && val.length > 0) {
        domain = val.replace(/^\./, "").toLowerCase();
        hostOnly = false;
      } else if (key === "path" && val.startsWith("/")) path = val;
      else if (key === "secure") secure = true;
      else if (key === "httponly") httpOnly = true;
      else if (key === "max-age" && /^-?\d+$/.test(val)) maxAge = Number(val);
      else if (key === "expires") {
        const at = Date.parse(val);
        const sent = dateHeader === undefined ? NaN : Date.parse(dateHeader);
        if (!Number.isNaN(at) && !Number.isNaN(sent)) expires = at - sent;
      }
    }
    const cookie: StoredCookie = { name, value, domain, hostOnly, path, secure, httpOnly, expiresAt: undefined };
    if (!domainMatches(host, { ...cookie, hostOnly: hostOnly || isIp(host) })) return;
    const key = `${domain};${path};${name}`;
    const lifetime = maxAge !== undefined ? maxAge * 1000 : expires;
    if (lifetime !== undefined && lifetime <= 0) {
      this.#cookies.delete(key);
      return;
    }
    this.#cookies.set(key, { ...cookie, expiresAt: lifetime === undefined ? undefined : this.#now() + lifetime });
  }

  #purge(): void {
    const now = this.#now();
    for (const [key, cookie] of this.#cookies) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) this.#cookies.delete(key);
    }
  }
}
