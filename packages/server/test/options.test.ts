/** @module Option defaults and validation. */

import { expect } from "chai";
import { defaults, resolveOptions, Server } from "@heartwire/server";

describe("server options", () => {
  it("has engine.io's defaults", () => {
    const o = resolveOptions();
    expect(o.pingInterval).to.equal(25_000);
    expect(o.pingTimeout).to.equal(20_000);
    expect(o.upgradeTimeout).to.equal(10_000);
    expect(o.maxHttpBufferSize).to.equal(1e6);
    expect(o.transports).to.deep.equal(["polling", "websocket"]);
    expect(o.allowUpgrades).to.equal(true);
    expect(o.perMessageDeflate).to.equal(false);
    expect(o.httpCompression).to.deep.equal({ threshold: 1024, level: -1 });
    expect(o.cors).to.equal(false);
    expect(o.cookie).to.equal(false);
    expect(o.path).to.equal("/engine.io/");
    expect(o.destroyUpgradeTimeout).to.equal(1000);
    expect(defaults.httpBodyTimeout).to.equal(10_000);
  });

  it("fills cookie and perMessageDeflate defaults", () => {
    expect(resolveOptions({ cookie: true }).cookie).to.deep.equal({ name: "io", path: "/", httpOnly: true, sameSite: "lax" });
    expect(resolveOptions({ cookie: { name: "sid", secure: true } }).cookie).to.include({ name: "sid", secure: true, httpOnly: true });
    expect(resolveOptions({ perMessageDeflate: true }).perMessageDeflate).to.deep.equal({ threshold: 1024 });
  });

  it("computes the path with and without a trailing slash", () => {
    expect(resolveOptions({ path: "/rt/" }).path).to.equal("/rt/");
    expect(resolveOptions({ path: "/rt", addTrailingSlash: false }).path).to.equal("/rt");
  });

  it("rejects nonsense values with a message naming them", () => {
    const bad: [string, object][] = [
      ["pingInterval", { pingInterval: 0 }],
      ["pingTimeout", { pingTimeout: -5 }],
      ["pingTimeout", { pingTimeout: 1.5 }],
      ["maxHttpBufferSize", { maxHttpBufferSize: Number.NaN }],
      ["transports", { transports: ["flash"] }],
      ["transports", { transports: [] }],
      ["allowEIO3", { allowEIO3: "yes" }],
      ["pingIntervalRange", { pingIntervalRange: [100, 50] }],
      ["timerResolution", { timerResolution: -1 }],
      ["wsEngine", { wsEngine: "ws" }],
    ];
    for (const [name, options] of bad) {
      expect(() => new Server(options), name)
        .to.throw(new RegExp(`option ${name}`))
        .with.property("code", "HW_ERR_INVALID_OPTION");
    }
  });
});
