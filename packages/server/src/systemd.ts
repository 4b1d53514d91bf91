/** @module systemd socket activation: the listening sockets a service manager passed in (`LISTEN_FDS`). */

/** The first file descriptor a service manager passes (`SD_LISTEN_FDS_START`): 0–2 are stdio. */
const FIRST_FD = 3;

/** One socket passed by the service manager; `listen(fd)` takes it as it is. */
export interface ListenFd {
  /** The file descriptor, from 3 up. */
  readonly fd: number;
  /** Its name (`FileDescriptorName=` of the `.socket` unit, from `LISTEN_FDNAMES`); "unknown" if unnamed, as systemd says. */
  readonly name: string;
}

/** Options of {@link systemdListenFds}. */
export interface SystemdListenFdsOptions {
  /** Where to read `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** This process's id; the variables count only when `LISTEN_PID` names it. @default process.pid */
  readonly pid?: number;
}

/**
 * The sockets systemd (or any manager speaking its protocol) passed to this process: fds 3 to
 * 3 + `LISTEN_FDS` - 1, when `LISTEN_PID` is this process. Empty without socket activation, or when
 * the variables were meant for another process (a parent that did not unset them).
 * `listen(systemdListenFds()[0])` serves on the first one.
 */
export function systemdListenFds(options: SystemdListenFdsOptions = {}): ListenFd[] {
  const { env = process.env, pid = process.pid } = options;
  if (env["LISTEN_PID"] !== String(pid)) return [];
  const count = env["LISTEN_FDS"];
  if (count === undefined || !/^[1-9]\d{0,3}$/.test(count)) return [];
  const names = env["LISTEN_FDNAMES"]?.split(":") ?? [];
  return Array.from({ length: Number(count) }, (_, i) => ({ fd: FIRST_FD + i, name: names[i] || "unknown" }));
}
