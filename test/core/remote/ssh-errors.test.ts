// Unit tests: OpenSSH/sudo stderr → typed RemoteErrors naming the host and saying what to do.
import { strict as assert } from 'node:assert';
import { diagnoseSshStderr } from '../../../src/core/remote/ssh-errors';

describe('core/remote/ssh-errors', () => {
  const cases: [string, string, RegExp][] = [
    ['Host key verification failed.\r\n', 'host-key-unknown', /Connect once with `ssh user@box`/],
    ['No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.', 'host-key-unknown', /known_hosts/],
    ['@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.', 'host-key-changed', /ssh-keygen -R box/],
    ['root@box: Permission denied (publickey).', 'auth-refused', /--identity FILE/],
    ['ssh: connect to host box port 22: Connection refused', 'connection-refused', /sshd running/],
    ['ssh: Could not resolve hostname box: Name or service not known', 'unresolved-host', /~\/\.ssh\/config/],
    ['ssh: connect to host box port 22: Connection timed out', 'timeout', /network path/],
    ['sudo: a password is required', 'sudo-password', /NOPASSWD/],
    ['sudo: a terminal is required to read the password; either use the -S option', 'sudo-password', /sudo -n/],
    ['bob is not in the sudoers file.  This incident will be reported.', 'no-sudo', /Connect as root/],
    ['sh: 1: exec: sudo: not found', 'no-sudo', /not installed/],
  ];
  for (const [stderr, kind, hint] of cases) {
    it(`${kind}: ${stderr.trim().split('\n').pop()!.slice(0, 50)}`, () => {
      const e = diagnoseSshStderr('user@box', stderr);
      assert.ok(e, 'diagnosed');
      assert.equal(e.kind, kind);
      assert.ok(e.message.startsWith('user@box: '), e.message);
      assert.match(e.message, hint);
    });
  }
  it('the sudo advice names a root-owned install, never a NOPASSWD rule for the user-writable cache', () => {
    const e = diagnoseSshStderr('user@box', 'sudo: a password is required');
    assert.match(String(e?.message), /sudo install -D -o root -g root -m 0755 .* \/usr\/local\/lib\/xdp-meta\/agent-HASH/);
    assert.match(String(e?.message), /NOPASSWD: \/usr\/local\/lib\/xdp-meta\/agent-\*/);
    assert.doesNotMatch(String(e?.message), /NOPASSWD[^.]*~\/\.cache/);
  });
  it('leaves unknown text undiagnosed', () => {
    assert.equal(diagnoseSshStderr('box', 'some other failure'), undefined);
  });
});
