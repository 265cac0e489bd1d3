// The XDP RX metadata kfuncs for hovers and quick fixes: the core's table plus the device-bound rule in words.
import { XDP_METADATA_KFUNCS, xdpKfunc } from '../../core/bpf/xdp-kfuncs';

export const METADATA_KFUNCS = XDP_METADATA_KFUNCS;
export const kfuncByName = xdpKfunc;

export const DEVICE_BOUND_RULE = 'Calling a metadata kfunc makes the program **device-bound**: it must be loaded with ' +
  '`prog_ifindex` set to the interface and `BPF_F_XDP_DEV_BOUND_ONLY`, and can then be attached only to that device ' +
  '(else: "metadata kfuncs require device-bound program"). `BPF_PROG_TEST_RUN` refuses device-bound programs.';
