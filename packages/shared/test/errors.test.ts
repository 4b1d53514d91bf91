/** @module Unit tests for the protocol error table and HeartwireError. */

import { expect } from "chai";
import { HeartwireError, ProtocolError, protocolErrorByCode } from "@heartwire/shared";

describe("errors", () => {
  it("holds engine.io's six codes with their messages and statuses", () => {
    expect(Object.values(ProtocolError).map((e) => [e.code, e.message, e.status])).to.deep.equal([
      [0, "Transport unknown", 400],
      [1, "Session ID unknown", 400],
      [2, "Bad handshake method", 400],
      [3, "Bad request", 400],
      [4, "Forbidden", 403],
      [5, "Unsupported protocol version", 400],
    ]);
  });

  it("looks rows up by code", () => {
    expect(protocolErrorByCode(4)).to.equal(ProtocolError.FORBIDDEN);
    expect(protocolErrorByCode(6)).to.equal(undefined);
  });

  it("HeartwireError carries a stable code and its cause", () => {
    const cause = new Error("low level");
    const e = new HeartwireError("HW_ERR_TRANSPORT", "transport failed", { cause });
    expect(e).to.be.instanceOf(Error);
    expect(e.code).to.equal("HW_ERR_TRANSPORT");
    expect(e.cause).to.equal(cause);
    expect(e.name).to.equal("HeartwireError");
  });
});
