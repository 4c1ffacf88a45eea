// [privileges]: a tracker started as root (to bind ports below 1024) gives root up once every
// socket of every worker is bound: chroot (from the native addon), then the user's groups,
// gid and uid (process.*). glibc applies set*id calls to every thread of the process, so the
// worker threads change user with the main thread.
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { AquaticError, ErrorCode } from '../errors.js';
import { loadNativeAddon } from '../transport/udp/binding.js';
import type { Logger } from '../util/log.js';

export interface PrivilegesConfig {
  readonly drop_privileges: boolean;
  readonly chroot_path: string;
  readonly user: string;
}

/** The calls a privilege drop makes, injectable so that tests can check the order and the failures. */
export interface PrivilegeSystem {
  geteuid(): number;
  /** uid and primary gid of a user name, or null when there is no such user. */
  lookupUser(name: string): { readonly uid: number; readonly gid: number } | null;
  /** chroot and chdir("/"), or the reason it is not available. */
  readonly chroot: ((path: string) => void) | string;
  isDirectory(path: string): boolean;
  initgroups(user: string, gid: number): void;
  setgid(gid: number): void;
  setuid(uid: number): void;
  /** Whether the effective uid can be set back to root (it must not be, after a drop). */
  canRegainRoot(): boolean;
}

/** What is left to do once the sockets are bound. */
export interface PrivilegeDrop {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  /** Throws an AquaticError when any step fails; the process must then stop. */
  apply(): void;
}

/**
 * Checks [privileges] before anything is bound, so that a mistake (not root, unknown user,
 * missing chroot directory or addon) stops the tracker before it serves: returns the drop to
 * apply once every socket is bound, or null when there is none. A root process that keeps
 * root gets a warning, not a refusal, so that `npx aquatic_udp` starts with the defaults.
 */
export function preparePrivilegeDrop(config: PrivilegesConfig, log: Logger, system: PrivilegeSystem = processPrivileges()): PrivilegeDrop | null {
  const euid = system.geteuid();
  if (!config.drop_privileges) {
    if (euid === 0) {
      log.warn('running as root: set [privileges] drop_privileges = true (with user, and chroot_path if wanted) to give root up once the sockets are bound');
    }
    return null;
  }
  if (euid !== 0) {
    throw new AquaticError(ErrorCode.NOT_ROOT, `[privileges] drop_privileges needs root, but this process runs as uid ${euid}: start it as root or set drop_privileges = false`);
  }
  const ids = system.lookupUser(config.user);
  if (ids === null) throw new AquaticError(ErrorCode.UNKNOWN_USER, `[privileges] user: no user named ${JSON.stringify(config.user)} on this system`);
  if (ids.uid === 0) throw new AquaticError(ErrorCode.UNKNOWN_USER, `[privileges] user: ${JSON.stringify(config.user)} is root; name an unprivileged user`);
  const path = config.chroot_path;
  let chroot: ((path: string) => void) | null = null;
  if (path !== '') {
    if (!system.isDirectory(path)) throw new AquaticError(ErrorCode.CHROOT, `[privileges] chroot_path: ${path} is not a directory`);
    if (typeof system.chroot === 'string') throw new AquaticError(ErrorCode.CHROOT, `[privileges] chroot_path needs the native addon: ${system.chroot}`);
    chroot = system.chroot;
  }
  const { uid, gid } = ids;
  const user = config.user;
  return {
    user,
    uid,
    gid,
    apply() {
      // initgroups reads the group database, which the chroot may not have: before it.
      step(ErrorCode.PRIVILEGE_DROP, 'initgroups', () => system.initgroups(user, gid));
      if (chroot !== null) step(ErrorCode.CHROOT, `chroot to ${path}`, () => chroot(path));
      // Numeric ids from here on: a name lookup would read files inside the chroot.
      step(ErrorCode.PRIVILEGE_DROP, 'setgid', () => system.setgid(gid));
      step(ErrorCode.PRIVILEGE_DROP, 'setuid', () => system.setuid(uid));
      if (system.canRegainRoot()) throw new AquaticError(ErrorCode.PRIVILEGE_DROP, `dropping privileges to ${user} left a way back to root`);
      log.info(`dropped privileges: now ${user} (uid ${uid}, gid ${gid})${path === '' ? '' : `, chrooted to ${path}`}`);
      if (path !== '') log.info(`files read from now on (SIGUSR1 reloads) are looked up inside ${path}`);
    },
  };
}

function step(code: ErrorCode, what: string, call: () => void): void {
  try {
    call();
  } catch (error) {
    throw new AquaticError(code, `cannot drop privileges: ${what} failed: ${(error as Error).message}`, [], { cause: error });
  }
}

/** process.initgroups exists on POSIX since Node 0.9 but is missing from @types/node 20. */
type ProcessWithInitgroups = NodeJS.Process & { initgroups?: (user: string | number, extraGroup: string | number) => void };

/** The real calls: process.* and the addon's chroot. */
export function processPrivileges(): PrivilegeSystem {
  const { addon, reason } = loadNativeAddon();
  return {
    geteuid: () => process.geteuid?.() ?? -1,
    lookupUser,
    chroot: typeof addon?.chroot === 'function' ? addon.chroot.bind(addon) : addon === null ? reason : 'the native addon has no chroot (built before it existed): rebuild it (npm run build:native)',
    isDirectory: (path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() === true,
    initgroups: (user, gid) => (process as ProcessWithInitgroups).initgroups!(user, gid),
    setgid: (gid) => process.setgid!(gid),
    setuid: (uid) => process.setuid!(uid),
    canRegainRoot() {
      try {
        process.seteuid!(0);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Node has no getpwnam; os.userInfo() reads the passwd entry of the effective uid (through
 * NSS, so LDAP users work too). As root, switch the effective uid to the user for the lookup
 * and straight back; nothing else runs in between.
 */
function lookupUser(name: string): { uid: number; gid: number } | null {
  try {
    process.seteuid!(name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_CREDENTIAL') return null;
    throw error;
  }
  try {
    const { uid, gid } = userInfo();
    return { uid, gid };
  } finally {
    process.seteuid!(0);
  }
}
