// The Kernel Matrix view's rows: a program row, a verdict cell per kernel that opens its log at the error, differing findings.
import { strict as assert } from 'node:assert';
import type { MatrixLoad, MatrixReport } from '../../src/core/matrix/types';
import { matrixRows } from '../../src/extension/matrix-rows';

const load = (o: Partial<MatrixLoad>): MatrixLoad => ({
  verdict: 'accepted', error: null, processed_insns: 27, total_states: 2, peak_states: 2, log_file: '/c/ok.log', ...o,
});

const report: MatrixReport = {
  kernels: [
    { id: 'running', release: '6.18.44', source: 'running' },
    { id: 'linux-image-6.1.0-57-cloud-amd64', release: '6.1.0-57-cloud-amd64', source: 'package' },
    { id: 'old.btf', release: 'old.btf', source: 'btf' },
  ],
  results: [
    { kernel: 'running', program: 'rx_hash_meta', object: 'x/rx.bpf.c', static: { diagnostics: [] }, load: load({ dev_bound: true }) },
    {
      kernel: 'linux-image-6.1.0-57-cloud-amd64', program: 'rx_hash_meta', object: 'x/rx.bpf.c',
      static: { diagnostics: [{ code: 'kfunc-missing', severity: 'error', message: 'kfunc bpf_xdp_metadata_rx_hash() is not in target BTF /k/6.1.btf', file: 'rx.bpf.c', line: 16 }] },
      load: load({ verdict: 'rejected', processed_insns: 11, error: { message: 'invalid access to packet, off=4', insn: 9, file: null, line: null }, log_file: '/c/61.log' }),
    },
    { kernel: 'old.btf', program: 'rx_hash_meta', object: 'x/rx.bpf.c', static: { diagnostics: [] }, load: load({ verdict: 'not-run', processed_insns: null, log_file: null, reason: 'a btf file gives static checks only' }) },
  ],
};

describe('extension: Kernel Matrix rows', () => {
  const [row] = matrixRows(report);

  it('one row per program, saying how many kernels reject it', () => {
    assert.equal(row?.label, 'rx_hash_meta');
    assert.equal(row?.description, 'rx.bpf.c · rejected by 1 of 3');
    assert.equal(row?.icon, 'error');
  });

  it('a cell per kernel with its verdict and processed insns; a click opens that log at the error instruction', () => {
    const [run, k61, btf] = row!.children!;
    assert.deepEqual([run?.label, run?.description, run?.icon], ['running (6.18.44)', 'accepted · 27 insns', 'pass']);
    assert.deepEqual(run?.open, { logFile: '/c/ok.log', insn: null, title: 'rx_hash_meta on running (6.18.44)' });
    assert.equal(k61?.description, 'REJECTED · 11 insns · invalid access to packet, off=4 (insn 9)');
    assert.deepEqual(k61?.open, { logFile: '/c/61.log', insn: 9, title: 'rx_hash_meta on 6.1.0-57-cloud-amd64' });
    assert.equal(btf?.description, 'not run');
    assert.equal(btf?.open, undefined);
    assert.match(String(btf?.tooltip), /static checks only/);
  });

  it('adds a row for each static finding that differs between kernels', () => {
    const extra = row!.children!.slice(3);
    assert.deepEqual(extra.map((r) => [r.label, r.description]), [['kfunc-missing (line 16)', 'only on 6.1.0-57-cloud-amd64']]);
  });
});
