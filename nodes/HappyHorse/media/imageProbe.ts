/**
 * The size of an image from its header alone: the PNG IHDR chunk, the JPEG SOFn marker, the
 * WEBP VP8/VP8L/VP8X header. Nothing here throws on garbage or truncated input: an unreadable
 * side is left undefined, and every walk is bounded.
 */

import {
	fourcc,
	positive,
	startsWith,
	stripUndefined,
	u16be,
	u16le,
	u24le,
	u32be,
	u32le,
	u8,
} from './bytes';
import { sniffFormat } from './sniffFormat';

export interface ImageFacts {
	format: 'jpeg' | 'png' | 'webp';
	width?: number;
	height?: number;
}

/** How far into a buffer the JPEG marker walk goes. */
const MAX_SCAN_BYTES = 64 * 1024 * 1024;
/** JPEG segments walked before giving up. */
const MAX_JPEG_SEGMENTS = 4096;
/** PNG chunks walked to find IHDR (it must be first; iPhone PNGs put CgBI before it). */
const MAX_PNG_CHUNKS = 8;

/** Reads dimensions: PNG IHDR; JPEG SOFn markers; WEBP VP8/VP8L/VP8X. */
export function probeImage(bytes: Uint8Array): ImageFacts | undefined {
	try {
		const format = sniffFormat(bytes);
		if (format === 'png') return stripUndefined({ format, ...pngSize(bytes) });
		if (format === 'jpeg') return stripUndefined({ format, ...jpegSize(bytes) });
		if (format === 'webp') return stripUndefined({ format, ...webpSize(bytes) });
		return undefined;
	} catch {
		return undefined;
	}
}

interface Size {
	width?: number;
	height?: number;
}

function pngSize(b: Uint8Array): Size {
	let o = 8;
	for (let i = 0; i < MAX_PNG_CHUNKS; i++) {
		const len = u32be(b, o);
		const type = fourcc(b, o + 4);
		if (len === undefined || type === undefined) return {};
		if (type === 'IHDR')
			return { width: positive(u32be(b, o + 8)), height: positive(u32be(b, o + 12)) };
		if (type === 'IDAT' || type === 'IEND') return {};
		o += 12 + len;
	}
	return {};
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isSof(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(b: Uint8Array): Size {
	const limit = Math.min(b.length, MAX_SCAN_BYTES);
	let o = 2;
	for (let i = 0; i < MAX_JPEG_SEGMENTS && o < limit; i++) {
		if (b[o] !== 0xff) return {};
		// Fill bytes: any number of 0xFF before the marker.
		while (o < limit && b[o] === 0xff) o++;
		const marker = u8(b, o);
		if (marker === undefined) return {};
		o++;
		// Markers without a length: TEM, RSTn, SOI.
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;
		if (marker === 0xd9 || marker === 0xda) return {}; // EOI, or SOS before any SOF
		const len = u16be(b, o);
		if (len === undefined || len < 2) return {};
		if (isSof(marker)) {
			// length (2), precision (1), height (2), width (2)
			return { height: positive(u16be(b, o + 3)), width: positive(u16be(b, o + 5)) };
		}
		o += len;
	}
	return {};
}

function webpSize(b: Uint8Array): Size {
	const chunk = fourcc(b, 12);
	const d = 20;
	if (chunk === 'VP8 ') {
		// frame tag (3), start code 9d 01 2a, then 14-bit width and height (2 bits of scale each).
		if (!startsWith(b, d + 3, [0x9d, 0x01, 0x2a])) return {};
		const w = u16le(b, d + 6);
		const h = u16le(b, d + 8);
		return {
			width: positive(w === undefined ? undefined : w & 0x3fff),
			height: positive(h === undefined ? undefined : h & 0x3fff),
		};
	}
	if (chunk === 'VP8L') {
		// signature 0x2f, then width - 1 (14 bits) and height - 1 (14 bits), little-endian.
		if (u8(b, d) !== 0x2f) return {};
		const bits = u32le(b, d + 1);
		if (bits === undefined) return {};
		return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
	}
	if (chunk === 'VP8X') {
		// flags (1), reserved (3), canvas width - 1 (24 bits), canvas height - 1 (24 bits).
		const w = u24le(b, d + 4);
		const h = u24le(b, d + 7);
		return {
			width: w === undefined ? undefined : w + 1,
			height: h === undefined ? undefined : h + 1,
		};
	}
	return {};
}
