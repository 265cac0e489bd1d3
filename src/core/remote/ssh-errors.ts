// Maps OpenSSH and sudo stderr text to typed RemoteErrors that say what to do.
import { RemoteError } from './errors';

/** The first matching diagnosis of ssh/sudo stderr, or undefined when nothing known matched. */
export function diagnoseSshStderr(host: string, stderr: string): RemoteError | undefined {
  const text = stderr.trim();
  const first = (re: RegExp) => text.split('\n').find((l) => re.test(l))?.trim() ?? '';
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(text)) {
    return new RemoteError('host-key-changed', host,
      `the host key changed since it was recorded in known_hosts (possible man-in-the-middle, or the host was reinstalled). ` +
      `Verify the new key out of band, then remove the old one with \`ssh-keygen -R ${hostOnly(host)}\` and connect once with \`ssh ${host}\`.`);
  }
  if (/Host key verification failed|No .* host key is known for|host key for .* is not known/i.test(text)) {
    return new RemoteError('host-key-unknown', host,
      `the host key is not in known_hosts and xdp-meta never accepts unknown keys (BatchMode). ` +
      `Connect once with \`ssh ${host}\`, check the fingerprint, and accept it; then retry.`);
  }
  if (/Permission denied \(/.test(text)) {
    return new RemoteError('auth-refused', host,
      `the server refused our keys (${first(/Permission denied/)}). Load a key into ssh-agent, pass --identity FILE, ` +
      `or set IdentityFile for this host in ~/.ssh/config; password prompts are disabled (BatchMode).`);
  }
  if (/Connection refused/.test(text)) {
    return new RemoteError('connection-refused', host,
      `connection refused: nothing listens for SSH there (is sshd running, is the port right?).`);
  }
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/.test(text)) {
    return new RemoteError('unresolved-host', host,
      `could not resolve the host name: check the name or add a Host entry in ~/.ssh/config.`);
  }
  if (/Connection timed out|Operation timed out|timed out during banner exchange|No route to host|Network is unreachable/.test(text)) {
    return new RemoteError('timeout', host, `cannot reach the host (${first(/timed out|No route|unreachable/)}): check the network path, VPN or ProxyJump.`);
  }
  if (/sudo: (a password is required|a terminal is required)|sudo: .*password/.test(text)) {
    return new RemoteError('sudo-password', host,
      `sudo wants a password, and xdp-meta runs \`sudo -n\` (non-interactive). Connect as root, or install the agent ` +
      `once where only root can write and allow just that: \`sudo install -D -o root -g root -m 0755 ` +
      `~/.cache/xdp-meta/agent-HASH /usr/local/lib/xdp-meta/agent-HASH\` and a sudoers rule ` +
      `\`USER ALL=(root) NOPASSWD: /usr/local/lib/xdp-meta/agent-*\` (xdp-meta checks its sha256 before every start). ` +
      `Never allow ~/.cache/xdp-meta/agent-* without a password: the user can write there, so that is root for the account.`);
  }
  if (/is not in the sudoers file|may not run sudo|not allowed to execute/.test(text)) {
    return new RemoteError('no-sudo', host,
      `the remote user may not use sudo (${first(/sudoers|may not|not allowed/)}). Connect as root or grant sudo for the agent.`);
  }
  if (/sudo: (command )?not found|sudo: not found/.test(text)) {
    return new RemoteError('no-sudo', host, `sudo is not installed and the remote user is not root: connect as root.`);
  }
  return undefined;
}

function hostOnly(dest: string): string {
  const at = dest.lastIndexOf('@');
  return at >= 0 ? dest.slice(at + 1) : dest;
}
