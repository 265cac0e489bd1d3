// A copy of a BPF object whose one program section libbpf does not know is renamed `xdp` or `tc`: iproute2's "load it as type T" for an agent load.
import { layoutForSection, SKB_LAYOUT } from '../src/core/check/ctx-layout';

/** The types to try for a section, as corpus-eval's bpftool fallback does: XDP first unless the name says skb. */
export function typesFor(section: string): Array<'xdp' | 'tc'> {
  return layoutForSection(section) === SKB_LAYOUT ? ['tc'] : ['xdp', 'tc'];
}

/**
 * The object with section `section` named `type`, in the section headers and in .BTF's strings (so .BTF.ext's line
 * info, keyed by section name, still finds the program). The section-name table moves to the end of the file with
 * `type` appended (clang shares it with symbol names, so no name is cut in place). Undefined when the names cannot
 * be found or `type` is longer. ELF64 little-endian only (what clang -target bpf writes on x86).
 */
export function retypedObject(bytes: Buffer, section: string, type: 'xdp' | 'tc'): Buffer | undefined {
  if (type.length > section.length || bytes.readUInt8(4) !== 2 || bytes.readUInt8(5) !== 1) return undefined;
  const shoff = Number(bytes.readBigUInt64LE(40));
  const shentsize = bytes.readUInt16LE(58), shnum = bytes.readUInt16LE(60), shstrndx = bytes.readUInt16LE(62);
  const hdr = (i: number) => shoff + i * shentsize;
  const strOff = Number(bytes.readBigUInt64LE(hdr(shstrndx) + 24)), strSize = Number(bytes.readBigUInt64LE(hdr(shstrndx) + 32));
  const nameOf = (i: number) => {
    const at = strOff + bytes.readUInt32LE(hdr(i));
    return bytes.toString('latin1', at, bytes.indexOf(0, at));
  };
  const targets: number[] = [];
  let btf = -1;
  for (let i = 1; i < shnum; i++) {
    const n = nameOf(i);
    if (n === section && bytes.readUInt32LE(hdr(i) + 4) === 1 /* SHT_PROGBITS */) targets.push(i);
    if (n === '.BTF') btf = i;
  }
  if (targets.length !== 1) return undefined;
  const end = bytes.length + ((8 - (bytes.length % 8)) % 8);
  const out = Buffer.concat([bytes, Buffer.alloc(end - bytes.length), bytes.subarray(strOff, strOff + strSize), Buffer.from(`${type}\0`, 'latin1')]);
  out.writeBigUInt64LE(BigInt(end), hdr(shstrndx) + 24);
  out.writeBigUInt64LE(BigInt(strSize + type.length + 1), hdr(shstrndx) + 32);
  out.writeUInt32LE(strSize, hdr(targets[0]!));
  if (btf >= 0) {
    const off = Number(out.readBigUInt64LE(hdr(btf) + 24));
    const hdrLen = out.readUInt32LE(off + 4), bStrOff = out.readUInt32LE(off + 16), bStrLen = out.readUInt32LE(off + 20);
    const start = off + hdrLen + bStrOff;
    const at = out.subarray(start, start + bStrLen).indexOf(Buffer.from(`\0${section}\0`, 'latin1'));
    // The old name's tail stays behind its new NUL, unreferenced.
    if (at >= 0) out.write(`${type}\0`, start + at + 1, 'latin1');
  }
  return out;
}
