// Unit tests of data_meta decoding: BTF layouts (nested, bitfields, enums), BTF-ID trailers, DWARF fallback, source hints.
import { strict as assert } from 'node:assert';
import { BtfBuilder } from '../../../src/core/btf';
import { compileField, layoutFromDwarf, layoutOf, MetaDecoder, metaStructsFromSource, readField, type MetaField } from '../../../src/core/remote/decode';

function btf() {
  const b = new BtfBuilder();
  const u32 = b.int('unsigned int', 4);
  const s16 = b.int('short', 2, { signed: true });
  const u8 = b.int('unsigned char', 1, { char: true });
  const en = b.enum('color', 4, [{ name: 'RED', value: 1 }, { name: 'BLUE', value: 2 }]);
  const inner = b.struct('inner', 4, [{ name: 'lo', typeId: s16, bitOffset: 0 }, { name: 'hi', typeId: s16, bitOffset: 16 }]);
  const arr = b.array(u8, u32, 4);
  const hints = b.struct('my_hints', 16, [
    { name: 'hash', typeId: u32, bitOffset: 0 },
    { name: 'in', typeId: inner, bitOffset: 32 },
    { name: 'color', typeId: en, bitOffset: 64 },
    { name: 'tag', typeId: arr, bitOffset: 96 },
  ]);
  const bits = b.struct('bits_meta', 4, [
    { name: 'a', typeId: u32, bitOffset: 0, bitfieldSize: 3 },
    { name: 'b', typeId: u32, bitOffset: 3, bitfieldSize: 13 },
  ]);
  const trailer = b.struct('trailer_meta', 8, [{ name: 'x', typeId: u32, bitOffset: 0 }, { name: 'btf_id', typeId: u32, bitOffset: 32 }]);
  return { btf: b.build('test.o:.BTF'), hints, bits, trailer };
}

const le32 = (...v: number[]) => Buffer.concat(v.map((x) => { const b = Buffer.alloc(4); b.writeUInt32LE(x >>> 0); return b; }));

describe('core/remote/decode', () => {
  it('flattens nested structs, enums and byte arrays', () => {
    const { btf: t } = btf();
    const l = layoutOf(t, t.findByName('my_hints', 'STRUCT')!);
    assert.deepEqual(l.fields.map((f) => [f.name, f.offset, f.size, f.kind]), [
      ['hash', 0, 4, 'uint'], ['in.lo', 4, 2, 'int'], ['in.hi', 6, 2, 'int'], ['color', 8, 4, 'enum'], ['tag', 12, 4, 'bytes'],
    ]);
    const d = new MetaDecoder(t, { structName: 'my_hints' }).decode(Buffer.concat([le32(0xdeadbeef), Buffer.from([0xff, 0xff, 2, 0]), le32(2), Buffer.from('a1b2c3d4', 'hex')]));
    assert.deepEqual(d, { struct: 'my_hints', choice: 'named', fields: { hash: 0xdeadbeef, 'in.lo': -1, 'in.hi': 2, color: 'BLUE', tag: 'a1b2c3d4' } });
  });

  it('reads bitfields', () => {
    const { btf: t } = btf();
    const l = layoutOf(t, t.findByName('bits_meta', 'STRUCT')!);
    const bytes = le32(5 | (1000 << 3));
    assert.deepEqual(l.fields.map((f) => readField(bytes, f, true)), [5, 1000]);
  });

  it('picks the struct a BTF-ID trailer names, only when the program stores that type id', () => {
    const { btf: t, trailer } = btf();
    const evidence = { written: [], read: [], trailer: ['trailer_meta'] };
    const d = new MetaDecoder(t, { evidence }).decode(le32(7, trailer));
    assert.equal(d.struct, 'trailer_meta');
    assert.equal(d.choice, 'btf-id-trailer');
    assert.deepEqual(d.fields, { x: 7, btf_id: trailer });
    // The same bytes without the evidence: a coincidence of values, not a trailer.
    assert.notEqual(new MetaDecoder(t).decode(le32(7, trailer)).choice, 'btf-id-trailer');
  });

  it('prefers the struct the program writes over one the last 4 bytes happen to name', () => {
    const { btf: t, hints } = btf();
    const evidence = { written: ['bits_meta'], read: [], trailer: [] };
    const d = new MetaDecoder(t, { evidence }).decode(le32(hints));
    assert.deepEqual([d.struct, d.choice], ['bits_meta', 'program-writes']);
  });

  it('falls back to hex (no fields) when nothing fits', () => {
    const { btf: t } = btf();
    assert.deepEqual(new MetaDecoder(t).decode(Buffer.alloc(12)), {});
    assert.deepEqual(new MetaDecoder(undefined).decode(Buffer.alloc(8)), {});
  });

  it('finds the struct a source casts data_meta to, and uses DWARF when BTF lacks it', () => {
    const src = 'struct rx_meta *m;\n void *data;\n m = (void *)(long)ctx->data_meta;\n';
    assert.deepEqual(metaStructsFromSource(src), ['rx_meta']);
    const dwarf = new Map([['rx_meta', { kind: 'struct' as const, name: 'rx_meta', size: 8, members: [
      { name: 'hash', offset: 0, bitOffset: 0, bitSize: 0, size: 4, typeName: '__u32' },
      { name: 'delta', offset: 4, bitOffset: 0, bitSize: 0, size: 4, typeName: '__s32' },
    ] }]]);
    assert.deepEqual(layoutFromDwarf(dwarf.get('rx_meta')!).fields.map((f) => f.kind), ['uint', 'int']);
    const d = new MetaDecoder(btf().btf, { sourceText: src, dwarfStructs: dwarf }).decode(le32(0x1234, -3));
    assert.deepEqual(d, { struct: 'rx_meta', choice: 'source-hint', fields: { hash: 0x1234, delta: -3 } });
  });

  it('leaves out fields past truncated metadata', () => {
    const { btf: t } = btf();
    const d = new MetaDecoder(t, { structName: 'my_hints' }).decode(le32(1, 2));
    assert.deepEqual(Object.keys(d.fields!), ['hash', 'in.lo', 'in.hi']);
  });

  it('compiled 64-bit readers give what readField gives, at both ends of the safe range and beyond', () => {
    const values = [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n, 0x1122334455667788n];
    const signed = [0n, -1n, -(2n ** 53n) + 1n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
    for (const little of [true, false]) {
      for (const [kind, list] of [['uint', values], ['int', signed]] as const) {
        const f: MetaField = { name: 'v', offset: 4, size: 8, kind };
        const read = compileField(f, little);
        for (const v of list) {
          const b = Buffer.alloc(16, 0xee);
          if (little) (kind === 'int' ? b.writeBigInt64LE(v, 4) : b.writeBigUInt64LE(v, 4));
          else (kind === 'int' ? b.writeBigInt64BE(v, 4) : b.writeBigUInt64BE(v, 4));
          assert.deepEqual(read(b, 0), readField(b, f, little), `${kind} ${v} ${little ? 'LE' : 'BE'}`);
        }
      }
    }
  });
});
