// The one line an error toast shows: the cause after a "...:" lead-in, no temp folder of ours.
import { strict as assert } from 'node:assert';
import { toastLine } from '../../src/extension/toast-text';

describe('toastLine', () => {
  it('carries clang\'s first error when the first line only announces it', () => {
    assert.equal(toastLine('running prog.bpf.c on lab: /w/prog.bpf.c: the capture wrapper around xdp_main does not compile:\n' +
      "/opt/ext/agent/xdp-meta-capture.bpf.h:9:10: fatal error: 'capture.h' file not found\nmore"),
    "running prog.bpf.c on lab: /w/prog.bpf.c: the capture wrapper around xdp_main does not compile: /opt/ext/agent/xdp-meta-capture.bpf.h:9:10: fatal error: 'capture.h' file not found");
    assert.equal(toastLine('a: complete line\nsecond'), 'a: complete line');
  });

  it('cuts paths inside our temp folders to their base names', () => {
    assert.equal(toastLine('/tmp/xdp-meta-load-Ab12/prog.bpf.o: load failed (permission denied)', '/tmp'), 'prog.bpf.o: load failed (permission denied)');
    assert.equal(toastLine('see /var/tmp/xdp-meta-run-x/w.c:3:1: error', '/var/tmp/'), 'see w.c:3:1: error');
    assert.equal(toastLine('/tmp/other/prog.o: kept', '/tmp'), '/tmp/other/prog.o: kept');
  });
});
