// `xdp-meta lsp --stdio` fed bytes that are not JSON-RPC: one line on stderr, never the library's stack.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

describe('cli: xdp-meta lsp with a client that is not speaking JSON-RPC', () => {
  before(function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: node scripts/build.mjs`);
  });

  for (const [what, input] of [
    ['a body that is not JSON', 'Content-Length: 5\r\n\r\nhello'],
    ['JSON that is not a message', 'Content-Length: 2\r\n\r\n{}Content-Length: 3\r\n\r\n[1]'],
    ['a header without a length', 'garbage\r\n\r\n'],
  ] as const) {
    it(`${what}, then the client hangs up`, () => {
      for (let i = 0; i < 3; i++) {
        const r = spawnSync(process.execPath, [CLI, 'lsp', '--stdio'], { input, encoding: 'utf8', timeout: 20_000 });
        assert.equal(r.signal, null, 'ended by itself');
        assert.doesNotMatch(r.stderr, /\n\s+at /, r.stderr);
        assert.ok(r.stderr.split('\n').filter(Boolean).length <= 1, r.stderr);
        if (r.stderr) assert.match(r.stderr, /^xdp-meta lsp: /);
      }
    });
  }
});
