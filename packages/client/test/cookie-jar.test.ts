/** @module The minimal cookie jar: Set-Cookie parsing, domain/path/secure matching, expiry on the jar's clock. */

import { expect } from "chai";
import { CookieJar } from "@heartwire/client";

function jarAt(start = 0) {
  let now = start;
  const jar = new CookieJar(() => now);
  return { jar, advance: (ms: number) => (now += ms) };
}

describe("CookieJar", () => {
  it("parses name=value and attributes, and builds the Cookie header", () => {
    const { jar } = jarAt();
    jar.setCookies(["io=abc123; Path=/; HttpOnly; SameSite=Lax", 'q="quoted"', "bad", "=novalue"], "http://h.test/engine.io/?EIO=4");
    expect(jar.list().map((c) => [c.name, c.value, c.path, c.httpOnly])).to.deep.equal([
      ["io", "abc123", "/", true],
      ["q", "quoted", "/engine.io", false],
    ]);
    expect(jar.cookieHeader("http://h.test/engine.io/?sid=1")).to.equal("q=quoted; io=abc123");
    expect(jar.cookieHeader("http://h.test/other")).to.equal("io=abc123");
  });

  it("matches paths on segment boundaries", () => {
    const { jar } = jarAt();
    jar.setCookies(["a=1; Path=/app"], "http://h/");
    expect(jar.cookieHeader("http://h/app")).to.equal("a=1");
    expect(jar.cookieHeader("http://h/app/x")).to.equal("a=1");
    expect(jar.cookieHeader("http://h/application")).to.equal(undefined);
  });

  it("host-only vs Domain cookies, and rejects foreign domains", () => {
    const { jar } = jarAt();
    jar.setCookies(["host=1", "dom=2; Domain=.example.com", "evil=3; Domain=other.com"], "http://api.example.com/");
    expect(jar.cookieHeader("http://api.example.com/")).to.equal("host=1; dom=2");
    expect(jar.cookieHeader("http://www.example.com/")).to.equal("dom=2");
    expect(jar.cookieHeader("http://other.com/")).to.equal(undefined);
  });

  it("Secure cookies go over https/wss only", () => {
    const { jar } = jarAt();
    jar.setCookies(["s=1; Secure"], "https://h/");
    expect(jar.cookieHeader("http://h/")).to.equal(undefined);
    expect(jar.cookieHeader("https://h/")).to.equal("s=1");
    expect(jar.cookieHeader("wss://h/")).to.equal("s=1");
  });

  it("Max-Age expires on the jar's clock; Max-Age=0 deletes; a new value replaces", () => {
    const { jar, advance } = jarAt(1000);
    jar.setCookies(["a=1; Max-Age=10", "b=1"], "http://h/");
    jar.setCookies(["b=2"], "http://h/");
    advance(9999);
    expect(jar.cookieHeader("http://h/")).to.equal("a=1; b=2");
    advance(1);
    expect(jar.cookieHeader("http://h/")).to.equal("b=2");
    jar.setCookies(["b=gone; Max-Age=0"], "http://h/");
    expect(jar.size).to.equal(0);
  });

  it("Expires counts from the response Date header; without one it is ignored", () => {
    const { jar, advance } = jarAt();
    const date = "Wed, 21 Oct 2015 07:28:00 GMT";
    jar.setCookies(["e=1; Expires=Wed, 21 Oct 2015 07:28:30 GMT"], "http://h/", date);
    jar.setCookies(["old=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"], "http://h/", date);
    jar.setCookies(["session=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"], "http://h/");
    expect(jar.cookieHeader("http://h/")).to.equal("e=1; session=1");
    advance(30_000);
    expect(jar.cookieHeader("http://h/")).to.equal("session=1");
  });
});
