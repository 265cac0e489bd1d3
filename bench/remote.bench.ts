// Benchmark: decoded data_meta rows per second end to end (agent → ringbuf → JSON lines → ssh → client decode), drops counted; aim ≥ 100k rows/s.
//
// Packets come from BPF_PROG_TEST_RUN with `repeat` through the capture-wrapped program (the same
// epilogue live traffic goes through), so the figure measures the capture pipeline, not a packet
// generator. Needs root, sshd and clang; otherwise it says so and exits 0.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildCaptureObject } from '../src/core/remote/capture-wrap';
import { AgentClient } from '../src/core/remote/client';
import { MetaDecoder } from '../src/core/remote/decode';
import type { StatsEvent } from '../src/core/remote/protocol';
import { startAgent, type Target } from '../src/core/remote/transport';
import { btfFromElf } from '../src/core/btf';
import { readDwarf } from '../src/core/dwarf/reader';
import { parseElf } from '../src/core/elf';
import { hasSshd, startSshd } from '../test/helpers/sshd';

const ANCHOR = 100_000;
const TOTAL = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BURST = 16_384; // rows per test run: 16384 × 232 B fits the 16 MiB ring buffer

async function measure(target: Target, label: string, objectPath: string, decoder: MetaDecoder): Promise<void> {
  const client = await AgentClient.connect(await startAgent(target));
  try {
    const load = await client.request({ op: 'load', object: readFileSync(objectPath).toString('base64'), program: 'xdp_bench_meta', capture: 'wrapped' });
    const cap = await client.request({ op: 'capture', prog: load.prog, snap: 64, batch: 1024 });
    let decoded = 0;
    let checksum = 0;
    let stats: StatsEvent | undefined;
    client.on('rows', (ev) => {
      for (const r of ev.rows) {
        const d = decoder.decode(Buffer.from(r[6], 'hex'));
        checksum += (d.fields?.seq as number) & 1;
        decoded++;
      }
    });
    client.on('stats', (s) => { stats = s; });
    const packet = 'ffffffffffff' + '020000000001' + '0800' + '45000032000040004011' + '0000' + '0a000001' + '0a000002' + '00'.repeat(30);
    const started = performance.now();
    for (let sent = 0; sent < TOTAL; sent += BURST) {
      await client.request({ op: 'test_run', prog: load.prog, data: packet, repeat: Math.min(BURST, TOTAL - sent) });
    }
    await client.request({ op: 'capture_stop', capture: cap.capture });
    const secs = (performance.now() - started) / 1000;
    const rate = decoded / secs;
    const lost = (stats?.ringbuf_full ?? 0) + (stats?.rate_limited ?? 0) + (stats?.sampled_out ?? 0);
    console.log(`${label.padEnd(22)} ${decoded.toLocaleString('en').padStart(10)} rows in ${secs.toFixed(2)} s = ` +
      `${Math.round(rate).toLocaleString('en').padStart(9)} rows/s  (${(rate / ANCHOR).toFixed(2)}× the ${ANCHOR / 1000}k anchor); ` +
      `seen ${stats?.seen ?? '?'}, dropped ${lost} (ringbuf full ${stats?.ringbuf_full ?? '?'})  [checksum ${checksum}]`);
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0 || !hasSshd()) {
    console.log('remote bench: needs root and sshd; skipped');
    return;
  }
  execFileSync('make', ['-s', '-C', path.resolve(__dirname, '../agent')], { stdio: 'inherit' });
  const build = await buildCaptureObject(path.resolve(__dirname, '../test/fixtures/remote/bench_meta.bpf.c'));
  const elf = parseElf(readFileSync(build.objectPath), build.objectPath);
  const decoder = new MetaDecoder(btfFromElf(elf), { structName: 'bench_meta', dwarfStructs: readDwarf(elf)?.structs });
  console.log(`${TOTAL.toLocaleString('en')} rows of 16 B metadata + 64 B packet head, bursts of ${BURST} test runs, 1024 rows per protocol line`);
  await measure({ kind: 'local' }, 'local (pipe)', build.objectPath, decoder);
  const sshd = await startSshd();
  try {
    await measure({ kind: 'ssh', host: sshd.alias, configFile: sshd.configFile }, 'ssh to 127.0.0.1', build.objectPath, decoder);
  } finally {
    await sshd.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
