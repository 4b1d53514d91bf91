/**
 * @module Detection of a frozen, black-holed or departed peer, once per case, with allowances only
 * a real bug can miss: a silent peer is closed with "ping timeout" (never not at all, never with
 * another reason) and a departed one with a transport reason. The tight bound (+75 ms, three trials)
 * is a load test: `npm run test:load` (test/load/liveness-fault.load.ts).
 */

import { describeLivenessFaults } from "./helpers/liveness-fault.js";

describeLivenessFaults("liveness: detection with real timers and frozen peers", { trials: 1, allowance: 3000, promptWithin: 3000 });
