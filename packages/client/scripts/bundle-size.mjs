// @module Prints the browser bundle sizes as JSON (for bench/'s table): ours full and websocket-only,
// and engine.io-client's Socket, each bundled the same way (see bundle.mjs). Needs `tsc -b` first.
// usage: node packages/client/scripts/bundle-size.mjs  →  {"heartwire":{"min":…,"gzip":…},…}
import { measureSizes } from "./bundle.mjs";

console.log(JSON.stringify(await measureSizes(), null, 2));
