// Unit tests of the ~/.ssh/config host list: aliases, wildcards left out, Include (relative, glob, nested, loops), first match wins.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sshConfigHosts } from '../../../src/core/remote/ssh-config';

describe('core/remote/ssh-config', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-sshcfg-'));
    mkdirSync(path.join(home, '.ssh/config.d'), { recursive: true });
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const w = (rel: string, text: string) => writeFileSync(path.join(home, rel), text);

  it('lists concrete aliases with HostName, User and Port from their block; skips wildcards and negations', () => {
    w('.ssh/config', [
      '# lab machines', 'Host lab-box lab2', '  HostName 10.0.0.5', '  User root', '  Port=2222',
      'Host *.internal !bastion', '  User ops', 'Host "quoted-host"', '\tHostName q.example', 'Host *', '  ServerAliveInterval 30', '',
    ].join('\n'));
    assert.deepEqual(sshConfigHosts(undefined, home).map((h) => [h.alias, h.hostName, h.user, h.port, h.line]), [
      ['lab-box', '10.0.0.5', 'root', 2222, 2],
      ['lab2', '10.0.0.5', 'root', 2222, 2],
      ['quoted-host', 'q.example', undefined, undefined, 8],
    ]);
  });

  it('follows Include (relative to ~/.ssh, globs in order, nested) where it appears, and survives loops', () => {
    w('.ssh/config', 'Include config.d/*.conf\nHost after\n  HostName a\nInclude ~/.ssh/config\n');
    w('.ssh/config.d/20-b.conf', 'Host b-host\n  HostName b\nInclude nested\n');
    w('.ssh/config.d/10-a.conf', 'Host a-host\n  Port 22\n');
    w('.ssh/nested', 'Host n-host\nHost a-host\n  HostName ignored\n');
    w('.ssh/config.d/skip.txt', 'Host not-included\n');
    assert.deepEqual(sshConfigHosts(undefined, home).map((h) => [h.alias, path.basename(h.file), h.hostName]), [
      ['a-host', '10-a.conf', undefined],
      ['b-host', '20-b.conf', 'b'],
      ['n-host', 'nested', undefined],
      ['after', 'config', 'a'],
    ]);
  });

  it('a missing config gives no hosts; Match blocks do not leak settings', () => {
    assert.deepEqual(sshConfigHosts(undefined, home), []);
    w('.ssh/config', 'Host one\nMatch user x\n  HostName leaked\n');
    assert.deepEqual(sshConfigHosts(undefined, home).map((h) => h.hostName), [undefined]);
  });
});
