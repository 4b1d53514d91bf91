/**
 * @module `parse(uri)`: engine.io-client's URI splitter, which socket.io-client imports to build its
 * manager ids. Lenient like it: no scheme is needed, and an IPv6 host may come without brackets.
 */

import { HeartwireError } from "@heartwire/shared";

/** The parts of a URI, named as engine.io-client names them; absent parts are `""`. */
export interface ParsedUri {
  /** The string given. */
  readonly source: string;
  /** `http`, `https`, `ws` or `wss` (without `:`), or `""`. */
  readonly protocol: string;
  /** `user:password@host:port` (IPv6 host without brackets). */
  readonly authority: string;
  readonly userInfo: string;
  readonly user: string;
  readonly password: string;
  /** Host name or IPv6 address (without brackets). */
  readonly host: string;
  readonly port: string;
  /** Path, query and fragment. */
  readonly relative: string;
  readonly path: string;
  /** The path up to its last segment when that segment is a file name (has a dot), else the path. */
  readonly directory: string;
  /** The last path segment when it has a dot (`index.html`), else `""`. */
  readonly file: string;
  /** The query string, without `?`. */
  readonly query: string;
  /** The fragment, without `#`. */
  readonly anchor: string;
  /** Non-empty path segments. */
  readonly pathNames: string[];
  /** Query parameters, not decoded (last one wins). */
  readonly queryKey: Record<string, string>;
  /** Set when the host was a bracketed IPv6 address. */
  readonly ipv6uri?: true;
}

/** Longest URI accepted (a guard against pathological input). */
const MAX_URI_LENGTH = 8000;

/** Splits `host[:port]` where the host may be an IPv6 address with or without brackets. */
function splitHost(hostPort: string): [host: string, port: string, bracketed: boolean] {
  if (hostPort[0] === "[") {
    const end = hostPort.indexOf("]");
    return [hostPort.slice(1, end), /^:(\d*)$/.exec(hostPort.slice(end + 1))?.[1] ?? "", true];
  }
  const groups = hostPort.split(":");
  if (groups.length < 3) return [groups[0]!, groups[1] ?? "", false];
  // Unbracketed IPv6: only a ninth group after eight full ones can be a port.
  return groups.length === 9 && !hostPort.includes("::") && /^\d+$/.test(groups[8]!)
    ? [groups.slice(0, 8).join(":"), groups[8]!, false]
    : [hostPort, "", false];
}

/** Splits `uri` into its parts; throws for a URI longer than 8000 characters. */
export function parse(uri: string): ParsedUri {
  if (uri.length > MAX_URI_LENGTH) throw new HeartwireError("HW_ERR_INVALID_OPTION", "URI too long");
  const scheme = /^(https?|wss?):\/\//.exec(uri);
  const rest = scheme ? uri.slice(scheme[0].length) : uri;
  const authorityEnd = rest.search(/[/?#]/);
  const rawAuthority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const relative = authorityEnd < 0 ? "" : rest.slice(authorityEnd);
  const at = rawAuthority.lastIndexOf("@");
  const userInfo = at < 0 ? "" : rawAuthority.slice(0, at);
  const [user = "", password = ""] = userInfo ? [userInfo.split(":")[0], userInfo.split(":").slice(1).join(":")] : [];
  const [host, port, bracketed] = splitHost(rawAuthority.slice(at + 1));
  const hash = relative.indexOf("#");
  const beforeHash = hash < 0 ? relative : relative.slice(0, hash);
  const mark = beforeHash.indexOf("?");
  const path = mark < 0 ? beforeHash : beforeHash.slice(0, mark);
  const query = mark < 0 ? "" : beforeHash.slice(mark + 1);
  const last = path.slice(path.lastIndexOf("/") + 1);
  const file = last.includes(".") ? last : "";
  const queryKey: Record<string, string> = {};
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key) queryKey[key] = eq < 0 ? "" : pair.slice(eq + 1);
  }
  return {
    source: uri,
    protocol: scheme?.[1] ?? "",
    authority: bracketed ? rawAuthority.replace(/[[\]]/g, "") : rawAuthority,
    userInfo,
    user,
    password,
    host,
    port,
    relative,
    path,
    directory: path.slice(0, path.length - file.length),
    file,
    query,
    anchor: hash < 0 ? "" : relative.slice(hash + 1),
    pathNames: path.split("/").filter(Boolean),
    queryKey,
    ...(bracketed ? { ipv6uri: true as const } : {}),
  };
}
