// Our cpio newc writer, read back by busybox cpio (the same format the kernel unpacks).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeCpio } from '../../../src/core/vm/cpio';
import { findStaticBusybox } from '../../../src/core/vm/initramfs';
import { requirePrereq } from '../../helpers/prereq';

describe('vm: cpio newc writer', () => {
  it('writes directories, files (any length, padded), symlinks and the trailer that busybox cpio reads back', function () {
    let busybox = '';
    try { busybox = findStaticBusybox(); } catch { /* reported below */ }
    requirePrereq(this, !!busybox, 'busybox-static (apt-get install busybox-static)');
    const data = Buffer.alloc(4099, 7);
    const archive = writeCpio([
      { name: 'bin', type: 'dir' },
      { name: 'bin/tool', type: 'file', data, perm: 0o751 },
      { name: 'bin/sh', type: 'symlink', data: Buffer.from('tool') },
      { name: 'odd-name.txt', type: 'file', data: Buffer.from('abc') },
      { name: 'empty', type: 'file' },
    ]);
    assert.equal(archive.length % 4, 0);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-cpio-test-'));
    try {
      const file = path.join(dir, 'a.cpio');
      writeFileSync(file, archive);
      const list = execFileSync(busybox, ['cpio', '-t', '-F', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      assert.deepEqual(list.trim().split('\n'), ['bin', 'bin/tool', 'bin/sh', 'odd-name.txt', 'empty']);
      execFileSync(busybox, ['cpio', '-i', '-d', '-F', file], { cwd: dir, stdio: 'ignore' });
      assert.deepEqual(readFileSync(path.join(dir, 'bin/tool')), data);
      assert.equal(statSync(path.join(dir, 'bin/tool')).mode & 0o777, 0o751);
      assert.equal(readlinkSync(path.join(dir, 'bin/sh')), 'tool');
      assert.equal(readFileSync(path.join(dir, 'odd-name.txt'), 'utf8'), 'abc');
      assert.equal(statSync(path.join(dir, 'empty')).size, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
