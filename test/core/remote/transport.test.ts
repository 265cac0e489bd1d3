// Unit tests of the ssh client's environment: glibc malloc tunables added, the user's own GLIBC_TUNABLES kept and winning.
import { strict as assert } from 'node:assert';
import { sshEnv } from '../../../src/core/remote/transport';

describe('core/remote/transport', () => {
  it('adds the malloc thresholds to an environment without GLIBC_TUNABLES, keeping the rest', () => {
    const env = sshEnv({ PATH: '/usr/bin', HOME: '/root' });
    assert.equal(env.GLIBC_TUNABLES, 'glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=67108864');
    assert.equal(env.PATH, '/usr/bin');
    assert.equal(env.HOME, '/root');
  });

  it('keeps the user\'s tunables; a threshold the user sets is not overridden', () => {
    const env = sshEnv({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1:glibc.cpu.hwcaps=-AVX512F' });
    assert.equal(env.GLIBC_TUNABLES, 'glibc.malloc.trim_threshold=1:glibc.cpu.hwcaps=-AVX512F:glibc.malloc.mmap_threshold=4194304');
  });
});
