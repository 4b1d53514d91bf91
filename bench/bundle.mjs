// @module Scenario 6: browser bundle size, minified + gzip, of @heartwire/client (full and
// websocket-only) against engine.io-client's Socket. It reuses the package's own measurement
// (packages/client/scripts/bundle.mjs: esbuild, ESM, ES2022, browser conditions, gzip -9), so the
// figures here are the ones `npm test` prints.

/** Scenario 6 (see module comment). */
export const bundle = {
  name: "bundle",
  title: "browser bundle size (esbuild, minified + gzip)",
  async run({ impls, log }) {
    let measureSizes;
    try {
      ({ measureSizes } = await import("../packages/client/scripts/bundle.mjs"));
    } catch (error) {
      log(`bundle measurement unavailable (${error.message}): scenario skipped`);
      return [];
    }
    const sizes = await measureSizes();
    log(`${sizes.tool}`);
    const kb = (bytes) => [bytes / 1000];
    const engine = sizes.engineio && impls.includes("engine.io") ? kb(sizes.engineio.gzip) : undefined;
    const ours = impls.includes("heartwire");
    const row = (metric, value) => ({ metric, digits: 2, values: { ...(ours ? { heartwire: value } : {}), ...(engine ? { "engine.io": engine } : {}) } });
    log(`heartwire full ${sizes.heartwire.min} B min, ${sizes.heartwire.gzip} B gzip; websocket-only ${sizes.heartwireWebsocketOnly.gzip} B gzip; engine.io-client ${sizes.engineio?.gzip ?? "–"} B gzip`);
    return [
      row("full client { Socket }: kB min+gzip", kb(sizes.heartwire.gzip)),
      // engine.io-client has no smaller entry: its Socket always carries every transport.
      row("websocket-only { Socket }: kB min+gzip (engine.io-client: its Socket)", kb(sizes.heartwireWebsocketOnly.gzip)),
    ];
  },
};
