// Draws media/icon.png (128x128 RGBA): a packet whose data_meta block sits in front of the data, written with zlib only.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

const W = 128, H = 128;
const px = Buffer.alloc(W * H * 4);
const set = (x, y, [r, g, b, a = 255]) => { const i = (y * W + x) * 4; px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a; };
const rect = (x0, y0, x1, y1, c) => { for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) set(x, y, c); };
const inRounded = (x, y, r) => {
  const cx = Math.min(Math.max(x, r), W - 1 - r), cy = Math.min(Math.max(y, r), H - 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

// Background: rounded square, dark navy with a vertical gradient.
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
  if (!inRounded(x, y, 22)) continue;
  const t = y / H;
  set(x, y, [Math.round(18 + 14 * t), Math.round(32 + 20 * t), Math.round(64 + 30 * t)]);
}
// The packet: metadata (orange) in front of the headers and payload (blues), with gaps between parts.
rect(14, 48, 40, 80, [255, 153, 0]);
rect(44, 48, 72, 80, [64, 156, 255]);
rect(76, 48, 114, 80, [120, 190, 255]);
// data_meta / data pointers: two ticks below the metadata block's edges.
rect(14, 84, 18, 100, [255, 200, 120]);
rect(40, 84, 44, 100, [180, 220, 255]);
// "xdp" bar above: the program that wrote the metadata.
rect(14, 28, 114, 36, [255, 255, 255, 220]);

// PNG: signature, IHDR, IDAT (filter byte 0 on each row), IEND.
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(H, 4); ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
const raw = Buffer.alloc(H * (W * 4 + 1));
for (let y = 0; y < H; y++) px.copy(raw, y * (W * 4 + 1) + 1, y * W * 4, (y + 1) * W * 4);
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
mkdirSync('media', { recursive: true });
writeFileSync('media/icon.png', png);
console.log(`media/icon.png: ${W}x${H}, ${png.length} bytes`);
