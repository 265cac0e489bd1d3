// runMatrix with sessions kept open (MatrixOptions.sessions): a second run reuses the first run's session, and the caller closes it.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';
import { runningKernel } from '../../../src/core/kernels';
import { matrixPrograms, runMatrix, type MatrixProgram } from '../../../src/core/matrix';
import type { LoadSession } from '../../../src/core/matrix/session';
import { findAgentBinary } from '../../../src/core/remote/agent-binary';
import { hasClang } from '../../helpers/clang';
import { isRoot, requirePrereq } from '../../helpers/prereq';

const SRC = path.resolve(__dirname, '../../fixtures/matrix/meta_ok.bpf.c');

describe('matrix: sessions kept across runs', function () {
  this.timeout(120_000);
  let dir: string;
  let programs: MatrixProgram[];
  before(async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, isRoot, 'root (loads into the running kernel)');
    let agent = true;
    try { findAgentBinary(); } catch { agent = false; }
    requirePrereq(this, agent, 'the agent (make -C agent)');
    dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-sessions-'));
    programs = await matrixPrograms([SRC], { outDir: dir, includes: [multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'] });
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('starts the kernel once for two runs and leaves the session to the caller', async () => {
    const sessions = new Map<string, LoadSession>();
    const k = runningKernel();
    const said: string[] = [];
    try {
      const first = await runMatrix(programs, [k], { noCache: true, sessions, onProgress: (m) => said.push(m) });
      assert.equal(first.results[0]!.load.verdict, 'accepted');
      const session = sessions.get('running');
      assert.ok(session, 'the session is kept');
      const second = await runMatrix(programs, [k], { noCache: true, sessions, onProgress: (m) => said.push(m) });
      assert.equal(second.results[0]!.load.verdict, 'accepted');
      assert.equal(sessions.get('running'), session);
      assert.equal(said.filter((m) => /starting the local agent/.test(m)).length, 1, said.join('\n'));
    } finally {
      for (const s of sessions.values()) await s.close();
    }
  });
});
