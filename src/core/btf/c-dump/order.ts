// Pass 1 of the C dump: dependency ordering of the types a root needs (libbpf btf_dump_order_type).
//
// A "strong" link (a type embedded by value, or reached through an anonymous type that must be defined
// inline) forces a full definition first; a "weak" link (through a pointer to a named type) only needs
// a forward declaration, which is how struct loops through pointers are broken.
import { XdpMetaError } from '../../util/errors';
import { BTF_KIND, type RawTable } from './raw-table';

const { ARRAY, CONST, DATASEC, DECL_TAG, ENUM, ENUM64, FLOAT, FUNC, FUNC_PROTO, FWD, INT, PTR, RESTRICT, STRUCT,
  TYPEDEF, TYPE_TAG, UNION, VAR, VOLATILE } = BTF_KIND;

const NOT_ORDERED = 0, ORDERING = 1, ORDERED = 2;

export class TypeOrder {
  private readonly n: number;
  private readonly orderState: Uint8Array;
  private readonly referenced: Uint8Array;
  private emitQueue: number[] = [];

  /** Validates the type graph up front (dangling ids, declaration loops): throws XdpMetaError. */
  constructor(private readonly r: RawTable) {
    this.n = r.btf.count;
    this.orderState = new Uint8Array(this.n);
    this.referenced = new Uint8Array(this.n);
    this.orderState[0] = ORDERED;
    this.markReferenced();
    this.checkNoDeclarationLoops();
  }

  /** The types to emit at top level for root `id`, dependencies first; each type is queued at most once per dump. */
  order(id: number): number[] {
    this.emitQueue = [];
    this.orderType(id, false);
    return this.emitQueue;
  }

  /**
   * Valid C types only loop through a struct/union (a pointer member back to it). A loop made only of
   * pointers, modifiers, typedefs, arrays and function prototypes is corrupt BTF and would send the
   * ordering and declaration walks around forever, so it is rejected up front (iterative DFS).
   */
  private checkNoDeclarationLoops(): void {
    const r = this.r;
    const n = this.n;
    const color = new Uint8Array(n); // 0 new, 1 on the DFS path, 2 done
    // Successors: PTR/modifiers/TYPEDEF -> type; ARRAY -> element; FUNC_PROTO -> return, params.
    // STRUCT/UNION legitimately close loops and every other kind is a leaf here.
    const degree = (id: number): number => {
      switch (r.kind[id]) {
        case PTR: case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG: case ARRAY: return 1;
        case FUNC_PROTO: return 1 + r.vlen[id]!;
        default: return 0;
      }
    };
    const child = (id: number, k: number): number => {
      if (r.kind[id] === ARRAY) return r.u32(id, 0);
      return k === 0 ? r.st[id]! : r.u32(id, 8 * (k - 1) + 4);
    };
    const nodes = new Int32Array(n);
    const next = new Int32Array(n);
    for (let root = 1; root < n; root++) {
      if (color[root] || degree(root) === 0) continue;
      let sp = 0;
      nodes[0] = root;
      next[0] = 0;
      color[root] = 1;
      while (sp >= 0) {
        const id = nodes[sp]!;
        const k = next[sp]!;
        if (k >= degree(id)) { color[id] = 2; sp--; continue; }
        next[sp] = k + 1;
        const c = child(id, k);
        if (c >= n) throw new XdpMetaError(`${this.r.btf.source}: type [${id}] refers to type id ${c} beyond ${n - 1}`);
        if (color[c] === 1) throw new XdpMetaError(`${this.r.btf.source}: type [${c}] refers back to itself without a struct or union in between: the BTF is corrupt`);
        if (color[c] === 2 || degree(c) === 0) continue;
        color[c] = 1;
        nodes[++sp] = c;
        next[sp] = 0;
      }
    }
  }

  // Top-level anonymous enums (global constants) are unreferenced; embedded ones are referenced.
  private markReferenced(): void {
    const r = this.r;
    const ref = this.referenced;
    for (let id = 1; id < this.n; id++) {
      const vlen = r.vlen[id]!;
      switch (r.kind[id]) {
        case VOLATILE: case CONST: case RESTRICT: case PTR: case TYPEDEF: case FUNC: case VAR: case DECL_TAG: case TYPE_TAG:
          ref[r.ref(id, r.st[id]!)] = 1; break;
        case ARRAY:
          ref[r.ref(id, r.u32(id, 0))] = 1; ref[r.ref(id, r.u32(id, 4))] = 1; break;
        case STRUCT: case UNION:
          for (let j = 0; j < vlen; j++) ref[r.ref(id, r.u32(id, 12 * j + 4))] = 1;
          break;
        case FUNC_PROTO:
          for (let j = 0; j < vlen; j++) ref[r.ref(id, r.u32(id, 8 * j + 4))] = 1;
          break;
        case DATASEC:
          for (let j = 0; j < vlen; j++) ref[r.ref(id, r.u32(id, 12 * j))] = 1;
          break;
        default: break;
      }
    }
  }

  // ---- pass 1: ordering; returns true for a strong link (full definition needed first) ----

  private orderType(id: number, throughPtr: boolean): boolean {
    const r = this.r;
    if (this.orderState[id] === ORDERED) return true;
    const kind = r.kind[id]!;
    const named = r.nameOff[id] !== 0;
    if (this.orderState[id] === ORDERING) {
      if ((kind === STRUCT || kind === UNION) && throughPtr && named) return false; // loop broken by a fwd decl
      throw new XdpMetaError(`${this.r.btf.source}: unsatisfiable type cycle, id:[${id}]`);
    }
    switch (kind) {
      case INT: case FLOAT:
        this.orderState[id] = ORDERED;
        return false;
      case PTR: {
        const strong = this.orderType(r.st[id]!, true);
        this.orderState[id] = ORDERED;
        return strong;
      }
      case ARRAY:
        return this.orderType(r.u32(id, 0), false);
      case STRUCT: case UNION: {
        // Embedded (no pointer on the path) or anonymous (defined inline): strong.
        if (throughPtr && named) return false;
        this.orderState[id] = ORDERING;
        const vlen = r.vlen[id]!;
        for (let j = 0; j < vlen; j++) this.orderType(r.u32(id, 12 * j + 4), false);
        if (named) this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return true;
      }
      case ENUM: case ENUM64: case FWD:
        if (named || !this.referenced[id]) this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return true;
      case TYPEDEF: {
        const strong = this.orderType(r.st[id]!, throughPtr);
        if (throughPtr && !strong) return false;
        this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return true;
      }
      case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG:
        return this.orderType(r.st[id]!, throughPtr);
      case FUNC_PROTO: {
        let strong = this.orderType(r.st[id]!, throughPtr);
        const vlen = r.vlen[id]!;
        for (let j = 0; j < vlen; j++) if (this.orderType(r.u32(id, 8 * j + 4), throughPtr)) strong = true;
        return strong;
      }
      case FUNC: case VAR: case DATASEC: case DECL_TAG:
        this.orderState[id] = ORDERED;
        return false;
      default:
        throw new XdpMetaError(`${this.r.btf.source}: type [${id}] has unknown kind ${kind}`);
    }
  }
}
