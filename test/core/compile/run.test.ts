import { strict as assert } from 'node:assert';
import { CancelledError, runTool } from '../../../src/core/compile/run';
import { ToolError } from '../../../src/core/util/errors';

describe('core/compile/run', () => {
  it('feeds stdin and collects stdout, stderr and the exit status', async () => {
    const r = await runTool('/bin/sh', ['-c', 'cat; echo oops >&2; exit 3'], { input: 'héllo\n' });
    assert.deepEqual(r, { code: 3, stdout: 'héllo\n', stderr: 'oops\n' });
  });

  it('names a missing tool and a missing working directory', async () => {
    await assert.rejects(runTool('compile-test-no-such-tool', []), (e: unknown) => e instanceof ToolError && /not found$/.test(e.message));
    await assert.rejects(runTool('/bin/sh', ['-c', 'true'], { cwd: '/nonexistent/dir' }), /working directory \/nonexistent\/dir does not exist/);
  });

  it('kills the tool on abort and on time-out', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(runTool('/bin/sh', ['-c', 'exec sleep 30'], { signal: ac.signal }), CancelledError);
    await assert.rejects(runTool('/bin/sh', ['-c', 'exec sleep 30'], { timeoutMs: 50 }), /no answer within 50 ms/);
  });
});
