// Code lenses: every program section gets Check and Load; Run on host only where the capture can wrap it.
import { strict as assert } from 'node:assert';
import { codeLenses } from '../../src/server/code-lens';

const SRC = `#include <linux/bpf.h>
#define SEC(x) __attribute__((section(x), used))
struct { int type; } rb SEC(".maps");
SEC("xdp.frags")
int frags(struct xdp_md *ctx) { return 2; }
SEC("tc")
int tc_in(struct __sk_buff *skb) { return 0; }
SEC("tcx/ingress")
int tcx_in(struct __sk_buff *skb) { return 0; }
SEC("kprobe/do_sys_open")
int probe(void *ctx) { return 0; }
/* SEC("xdp") int commented(void) */
char _license[] SEC("license") = "GPL";
`;

describe('code lenses', () => {
  it('come on every program section, not only SEC("xdp")', () => {
    const lenses = codeLenses('file:///x.bpf.c', SRC);
    const by = new Map<number, string[]>();
    for (const l of lenses) by.set(l.range.start.line, [...by.get(l.range.start.line) ?? [], l.command!.title]);
    assert.deepEqual([...by.entries()], [
      [3, ['Check', 'Load and show verifier log', 'Run on host']],
      [5, ['Check', 'Load and show verifier log', 'Run on host']],
      [7, ['Check', 'Load and show verifier log', 'Run on host']],
      [9, ['Check', 'Load and show verifier log']],
    ]);
    assert.deepEqual(lenses.find((l) => l.range.start.line === 7)!.command!.arguments![0],
      { uri: 'file:///x.bpf.c', functionName: 'tcx_in', section: 'tcx/ingress', line: 7 });
  });
});
