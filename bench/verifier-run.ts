// Child process of verifier.bench.ts: parses one log with one implementation and prints time, heap and coverage as JSON.
import { readFileSync } from 'node:fs';
import { LineKind } from '../src/core/verifier/kinds';
import { parseLogFile, parseLogText } from '../src/core/verifier/read';

declare const gc: () => void;

interface BpfvvAnalyzer {
  processRawLines(lines: string[]): { lines: { type: string }[] };
}

const [impl, file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function once(): Promise<{ keep: unknown; lines: number; unknown: number }> {
  if (impl === 'ours-file') {
    const log = await parseLogFile(file);
    return { keep: log, lines: log.lineCount, unknown: log.countKind(LineKind.Unknown) };
  }
  if (impl === 'ours-text') {
    const log = parseLogText(readFileSync(file, 'utf8'));
    return { keep: log, lines: log.lineCount, unknown: log.countKind(LineKind.Unknown) };
  }
  if (impl === 'bpfvv') {
    // bpfvv's own entry point: split the text into lines, then parse + analyse every line.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const an = require(`${process.env.BPFVV_DIR}/src/analyzer.ts`) as BpfvvAnalyzer;
    const state = an.processRawLines(readFileSync(file, 'utf8').split('\n'));
    // bpfvv counts the empty string after the final newline as a line too.
    return { keep: state, lines: state.lines.length, unknown: state.lines.filter((l) => l.type === 'UNRECOGNIZED' && (l as { raw?: string }).raw !== '').length };
  }
  throw new Error(`unknown implementation ${impl}`);
}

(async () => {
  let best = Infinity;
  let heap = 0;
  let r: Awaited<ReturnType<typeof once>> | undefined;
  for (let i = 0; i < runs; i++) {
    r = undefined;
    gc();
    const base = used();
    const t0 = performance.now();
    r = await once();
    best = Math.min(best, performance.now() - t0);
    gc();
    // Measured on the first run only: later runs' baselines still hold the previous result in the suspended frame.
    if (i === 0) heap = used() - base;
  }
  process.stdout.write(JSON.stringify({ impl, ms: best, heapMB: heap / 2 ** 20, maxRssMB: process.resourceUsage().maxRSS / 1024, lines: r!.lines, unknown: r!.unknown }) + '\n');
})();
