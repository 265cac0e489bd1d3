import { strict as assert } from 'node:assert';
import { main } from '../../src/cli/main';

describe('cli/main', () => {
  it('rejects an unknown command with status 2', async () => {
    const saved = process.stderr.write;
    let text = '';
    process.stderr.write = ((s: string) => { text += s; return true; }) as typeof process.stderr.write;
    try {
      assert.equal(await main(['no-such-command']), 2);
    } finally {
      process.stderr.write = saved;
    }
    assert.match(text, /unknown command 'no-such-command'/);
  });
});
