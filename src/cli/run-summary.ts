// The last line of `xdp-meta run`: rows printed against the counters, and only what is known about the program's detachment.
import type { StopSummary } from '../core/remote/session';

/** `printed`: rows written out (≤ `summary.rows`, the rows received, when --count cut them short). */
export function runSummaryLine(printed: number, s: StopSummary, host: string): string {
  const st = s.stats;
  let counts = `${printed} rows printed`;
  if (printed !== s.rows) counts += ` (${s.rows} received)`;
  if (st) {
    // Counters come about once a second; only the final ones (after capture_stop) cover every row received.
    const seen = st.final ? `${st.seen}` : `at least ${Math.max(st.seen, st.captured, s.rows)}`;
    counts += ` of ${seen} packets seen; not shown: ${st.sampled_out} sampled out, ${st.rate_limited} rate-limited, ` +
      `${st.ringbuf_full} lost (ring buffer full)${st.final ? '' : ' (counters as of the last update: the session ended before the final ones)'}`;
  }
  const how = s.detached === 'stopped' ? 'detached'
    : s.detached === 'agent-exited' ? 'the agent exited, so the kernel detached the program'
      : s.detached === 'interface-gone' ? 'the interface went away, so the kernel detached the program'
        : `the connection to ${host} was lost, so whether the program is still attached cannot be known from here: ` +
          (s.heartbeatS ? `the agent detaches it by itself at most ${s.heartbeatS} s after it last heard from us` : 'the agent detaches it when its session ends') +
          ` (check with \`bpftool link\` on ${host})`;
  return `${counts}; ${how}`;
}
