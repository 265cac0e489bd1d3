import { strict as assert } from 'node:assert';
import { main } from '../../src/cli/main';
import { commands } from '../../src/cli/commands/index';

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

describe('cli/commands table', () => {
  it('lists each command under its own name and summary (the help is printed without loading any)', async () => {
    for (const entry of commands) {
      const cmd = await entry.load();
      assert.equal(cmd.name, entry.name);
      assert.equal(cmd.summary, entry.summary, `summary of '${entry.name}'`);
    }
    assert.equal(new Set(commands.map((c) => c.name)).size, commands.length);
  });
});
