// The privilege drop's decisions and order, with the system calls replaced by a recorder:
// every refusal is an AquaticError with its code, before anything is bound where possible.
// (test/cli/operations.test.ts drops privileges for real, in spawned trackers, as root.)
import test from 'ava';
import { ErrorCode } from '../../src/errors.js';
import { type PrivilegeSystem, type PrivilegesConfig, preparePrivilegeDrop } from '../../src/cli/privileges.js';
import { Logger } from '../../src/util/log.js';

function recorder(overrides: Partial<PrivilegeSystem> = {}) {
  const calls: string[] = [];
  const lines: string[] = [];
  const system: PrivilegeSystem = {
    geteuid: () => 0,
    lookupUser: (name) => (name === 'nobody' ? { uid: 65534, gid: 65533 } : name === 'root' ? { uid: 0, gid: 0 } : null),
    chroot: (path) => void calls.push(`chroot ${path}`),
    isDirectory: (path) => path === '/var/empty',
    initgroups: (user, gid) => void calls.push(`initgroups ${user} ${gid}`),
    setgid: (gid) => void calls.push(`setgid ${gid}`),
    setuid: (uid) => void calls.push(`setuid ${uid}`),
    canRegainRoot: () => false,
    ...overrides,
  };
  const log = new Logger('info', 'test', { write: (line) => void lines.push(line) });
  return { system, calls, lines, log };
}

const drop = (overrides: Partial<PrivilegesConfig> = {}): PrivilegesConfig => ({ drop_privileges: true, user: 'nobody', chroot_path: '', ...overrides });

test('groups, chroot, gid, then uid, with numeric ids after the chroot', (t) => {
  const { system, calls, lines, log } = recorder();
  const plan = preparePrivilegeDrop(drop({ chroot_path: '/var/empty' }), log, system);
  t.like(plan, { user: 'nobody', uid: 65534, gid: 65533 });
  t.deepEqual(calls, [], 'nothing happens before apply');
  plan!.apply();
  t.deepEqual(calls, ['initgroups nobody 65533', 'chroot /var/empty', 'setgid 65533', 'setuid 65534']);
  t.regex(lines.join(''), /dropped privileges: now nobody \(uid 65534, gid 65533\), chrooted to \/var\/empty/);
  t.regex(lines.join(''), /SIGUSR1 reloads\) are looked up inside \/var\/empty/);
});

test('without chroot_path there is no chroot, and no addon is needed', (t) => {
  const { system, calls, log } = recorder({ chroot: 'native addon not loaded: test' });
  preparePrivilegeDrop(drop(), log, system)!.apply();
  t.deepEqual(calls, ['initgroups nobody 65533', 'setgid 65533', 'setuid 65534']);
});

test('root without drop_privileges is warned about, not refused; others hear nothing', (t) => {
  const root = recorder();
  t.is(preparePrivilegeDrop(drop({ drop_privileges: false }), root.log, root.system), null);
  t.regex(root.lines.join(''), /WARN .*running as root: set \[privileges\] drop_privileges = true/);
  const user = recorder({ geteuid: () => 1000 });
  t.is(preparePrivilegeDrop(drop({ drop_privileges: false }), user.log, user.system), null);
  t.deepEqual(user.lines, []);
});

test('refusals before anything is bound: not root, unknown user, root as the user, chroot problems', (t) => {
  const refuse = (config: PrivilegesConfig, overrides: Partial<PrivilegeSystem>, code: string, message: RegExp) => {
    const { system, log, calls } = recorder(overrides);
    t.throws(() => preparePrivilegeDrop(config, log, system), { code, message });
    t.deepEqual(calls, []);
  };
  refuse(drop(), { geteuid: () => 1000 }, ErrorCode.NOT_ROOT, /drop_privileges needs root, but this process runs as uid 1000/);
  refuse(drop({ user: 'nosuchuser' }), {}, ErrorCode.UNKNOWN_USER, /no user named "nosuchuser"/);
  refuse(drop({ user: 'root' }), {}, ErrorCode.UNKNOWN_USER, /"root" is root/);
  refuse(drop({ chroot_path: '/nonexistent' }), {}, ErrorCode.CHROOT, /\/nonexistent is not a directory/);
  refuse(drop({ chroot_path: '/var/empty' }), { chroot: 'native addon not loaded: No native build was found' }, ErrorCode.CHROOT, /chroot_path needs the native addon: native addon not loaded/);
});

test('a failing step or a way back to root is an error that names it', (t) => {
  const failing = recorder({
    setuid: () => {
      throw new Error('EPERM, Operation not permitted');
    },
  });
  t.throws(() => preparePrivilegeDrop(drop(), failing.log, failing.system)!.apply(), { code: ErrorCode.PRIVILEGE_DROP, message: /setuid failed: EPERM/ });
  const leaky = recorder({ canRegainRoot: () => true });
  t.throws(() => preparePrivilegeDrop(drop(), leaky.log, leaky.system)!.apply(), { code: ErrorCode.PRIVILEGE_DROP, message: /left a way back to root/ });
});
