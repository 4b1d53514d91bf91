/** @module Self-signed certificates for TLS tests, made by the openssl command line. */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A PEM key and its certificate. */
export interface KeyPair {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** A self-signed certificate made by openssl, or undefined where openssl is missing. */
export function selfSigned(commonName: string, subjectAltName?: string): KeyPair | undefined {
  const dir = mkdtempSync(join(tmpdir(), "hw-tls-"));
  try {
    const san = subjectAltName === undefined ? [] : ["-addext", `subjectAltName=${subjectAltName}`];
    const args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "1", "-subj", `/CN=${commonName}`, ...san];
    execFileSync("openssl", args, { stdio: "ignore", timeout: 10_000 });
    return { key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
