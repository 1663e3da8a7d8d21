#!/usr/bin/env node
// Draws assets/icon.png, the MCPB bundle's icon (manifest.json "icon"): a sun with a keyhole on a
// navy rounded square, 512 x 512 RGBA, anti-aliased by 4 x 4 supersampling. Node's zlib only, so the
// icon can be redrawn without an image library: node scripts/make-icon.mjs
import { Buffer } from "node:buffer";
import { mkdirSync, writeFileSync } from "node:fs";
import process from "node:process";
import { URL } from "node:url";
import { deflateSync } from "node:zlib";

const SIZE = 512;
const SAMPLES = 4;
const NAVY = [19, 41, 75];
const AMBER = [245, 166, 35];
const CENTRE = SIZE / 2;

function insideRoundedSquare(x, y, radius) {
  const dx = Math.max(radius - x, 0, x - (SIZE - radius));
  const dy = Math.max(radius - y, 0, y - (SIZE - radius));
  return dx * dx + dy * dy <= radius * radius;
}

/** One of 12 rays: a rounded bar from 150 to 205 px out from the centre, 30 px wide. */
function insideRay(x, y) {
  const angle = Math.atan2(y - CENTRE, x - CENTRE);
  const step = Math.PI / 6;
  const nearest = Math.round(angle / step) * step;
  const distance = Math.hypot(x - CENTRE, y - CENTRE);
  const along = distance * Math.cos(angle - nearest);
  const across = Math.abs(distance * Math.sin(angle - nearest));
  const clamped = Math.min(Math.max(along, 165), 190);
  return Math.hypot(along - clamped, across) <= 15;
}

function insideKeyhole(x, y) {
  if (Math.hypot(x - CENTRE, y - 232) <= 34) return true;
  // A trapezoid from the circle down: 24 px wide at its top, 48 px at its foot.
  if (y < 232 || y > 318) return false;
  const halfWidth = 12 + ((y - 232) / 86) * 12;
  return Math.abs(x - CENTRE) <= halfWidth;
}

/** The colour at a point, or null outside the icon. */
function colourAt(x, y) {
  if (!insideRoundedSquare(x, y, 104)) return null;
  const sun = Math.hypot(x - CENTRE, y - CENTRE) <= 128 && !insideKeyhole(x, y);
  return sun || insideRay(x, y) ? AMBER : NAVY;
}

const rows = Buffer.alloc(SIZE * (1 + SIZE * 4));
for (let py = 0; py < SIZE; py++) {
  const row = py * (1 + SIZE * 4);
  rows[row] = 0; // filter: none
  for (let px = 0; px < SIZE; px++) {
    const sum = [0, 0, 0];
    let covered = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const colour = colourAt(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES);
        if (!colour) continue;
        covered++;
        for (let c = 0; c < 3; c++) sum[c] += colour[c];
      }
    }
    const at = row + 1 + px * 4;
    for (let c = 0; c < 3; c++) rows[at + c] = covered ? Math.round(sum[c] / covered) : 0;
    rows[at + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // colour type: RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", header),
  chunk("IDAT", deflateSync(rows, { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
mkdirSync(new URL("../assets/", import.meta.url), { recursive: true });
writeFileSync(new URL("../assets/icon.png", import.meta.url), png);
process.stdout.write(`assets/icon.png: ${SIZE} x ${SIZE}, ${png.length} bytes\n`);
