/**
 * @module The detection bound measured (load test, `npm run test:load`): three trials per case, each
 * detection within pingInterval + pingTimeout + 75 ms, a departed peer noticed within pingInterval.
 * 75 ms covers Node timers firing a few ms late and this machine's two cores being shared by the
 * test runner, the child peer and the server; the measured figures (README, "Liveness") are far
 * inside it. Needs an otherwise idle machine.
 */

import { describeLivenessFaults } from "../helpers/liveness-fault.js";

describeLivenessFaults("liveness (load): detection bound with real timers and frozen peers", { trials: 3, allowance: 75, promptWithin: 200 });
