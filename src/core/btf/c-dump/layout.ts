// Sizes and alignment of BTF types for the C dump (libbpf btf__resolve_size / btf__align_of; errors count as 0).
import { BPF_TARGET, BTF_KIND, type RawTable } from './raw-table';

const { ARRAY, CONST, DATASEC, DECL_TAG, ENUM, ENUM64, FLOAT, INT, PTR, RESTRICT, STRUCT, TYPEDEF, TYPE_TAG,
  UNION, VAR, VOLATILE } = BTF_KIND;
const { PTR_SIZE } = BPF_TARGET;

/** Size and alignment queries over one raw table; alignments are memoized per id. */
export class TypeLayout {
  /** alignOf memo, stored +1 so 0 means "not computed" (alignment is a pure function of the id). */
  private readonly aligns: Uint8Array;

  constructor(private readonly r: RawTable) {
    this.aligns = new Uint8Array(r.btf.count);
  }

  /** sizeof the type in bytes (0 when it has none or the chain is broken). */
  resolveSize(id: number): number {
    const r = this.r;
    let nelems = 1;
    for (let depth = 0; depth < 32; depth++) {
      switch (r.kind[id]) {
        case INT: case STRUCT: case UNION: case ENUM: case ENUM64: case DATASEC: case FLOAT:
          return nelems * r.st[id]!;
        case PTR: return nelems * PTR_SIZE;
        case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case VAR: case DECL_TAG: case TYPE_TAG:
          id = r.st[id]!; break;
        case ARRAY: nelems *= r.u32(id, 8); id = r.u32(id, 0); break;
        default: return 0;
      }
    }
    return 0;
  }

  /** Natural alignment in bytes (1 for a packed struct/union, 0 when unknown). */
  alignOf(id: number, depth = 0): number {
    const cached = this.aligns[id]!;
    if (cached !== 0) return cached - 1;
    const a = this.computeAlignOf(id, depth);
    this.aligns[id] = a + 1;
    return a;
  }

  private computeAlignOf(id: number, depth: number): number {
    const r = this.r;
    if (depth > 32) return 0;
    switch (r.kind[id]) {
      case INT: case ENUM: case ENUM64: case FLOAT: return Math.min(PTR_SIZE, r.st[id]!);
      case PTR: return PTR_SIZE;
      case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG: return this.alignOf(r.st[id]!, depth + 1);
      case ARRAY: return this.alignOf(r.u32(id, 0), depth + 1);
      case STRUCT: case UNION: {
        let max = 1;
        const vlen = r.vlen[id]!;
        const kf = r.kflag[id]!;
        for (let j = 0; j < vlen; j++) {
          const a = this.alignOf(r.u32(id, 12 * j + 4), depth + 1);
          if (a <= 0) return 0;
          max = Math.max(max, a);
          const off = r.u32(id, 12 * j + 8);
          const bitSize = kf ? off >>> 24 : 0;
          const bitOff = kf ? off & 0xffffff : off;
          if (bitSize === 0 && bitOff % (8 * a) !== 0) return 1;
        }
        return r.st[id]! % max !== 0 ? 1 : max;
      }
      default: return 0;
    }
  }

  /** Whether a struct/union needs `__attribute__((packed))` to reproduce its member offsets and size. */
  isStructPacked(id: number): boolean {
    const r = this.r;
    let max = 1;
    const vlen = r.vlen[id]!;
    const kf = r.kflag[id]!;
    for (let j = 0; j < vlen; j++) {
      const a = this.alignOf(r.u32(id, 12 * j + 4));
      const off = r.u32(id, 12 * j + 8);
      const bitSize = kf ? off >>> 24 : 0;
      const bitOff = kf ? off & 0xffffff : off;
      if (a && bitSize === 0 && bitOff % (8 * a) !== 0) return true;
      max = Math.max(a, max);
    }
    return r.st[id]! % max !== 0;
  }
}
