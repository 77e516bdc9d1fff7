/**
 * The boxes of the ISO base media file format (MP4, MOV): reading a box header (64-bit sizes,
 * size 0 "to the end"), walking a box's children, full boxes and their timescale and duration,
 * walking the top-level boxes of a file to its moov, and finding a moov by its signature. Every
 * walk is bounded and no read goes past the bytes held.
 */

import { fourcc, isAscii, positive, u32be, u64be, u8 } from './bytes';

/** Top-level boxes walked before giving up (a fragmented file has a moof + mdat per fragment). */
const MAX_TOP_LEVEL_BOXES = 100_000;
/** Children of one box walked before giving up. */
const MAX_CHILD_BOXES = 4096;
/** The most of a moov box that is read. */
export const MAX_MOOV_BYTES = 64 * 1024 * 1024;
/** How far into a buffer the moov fallback scan goes. */
const MAX_SCAN_BYTES = 64 * 1024 * 1024;

export interface Box {
	type: string;
	/** Offset of the box (its size field) in the buffer it was read from. */
	start: number;
	headerSize: number;
	/** Declared size including the header (size==0 resolved to the end of the parent). */
	size: number;
}

/**
 * Reads a box header at `o` of `b`. `parentEnd` is the bound the box must fit in and, unless
 * `sizeZeroEnd` is given, where size==0 ("to the end") ends. The body may extend beyond `b`.
 */
export function readBoxHeader(
	b: Uint8Array,
	o: number,
	parentEnd: number,
	sizeZeroEnd = parentEnd,
): Box | undefined {
	if (o + 8 > parentEnd) return undefined;
	let size = u32be(b, o);
	const type = fourcc(b, o + 4);
	if (size === undefined || type === undefined) return undefined;
	let headerSize = 8;
	if (size === 1) {
		size = u64be(b, o + 8);
		headerSize = 16;
		if (size === undefined) return undefined;
	} else if (size === 0) {
		size = sizeZeroEnd - o;
	}
	if (size < headerSize || o + size > parentEnd) return undefined;
	return { type, start: o, headerSize, size };
}

/**
 * The children of the box body b[start, end), clipped to the buffer; stops at the first bad
 * header.
 */
function children(b: Uint8Array, start: number, end: number): Box[] {
	const out: Box[] = [];
	const limit = Math.min(end, b.length);
	let o = start;
	for (let i = 0; i < MAX_CHILD_BOXES && o + 8 <= limit; i++) {
		const box = readBoxHeader(b, o, end);
		if (!box) break;
		out.push(box);
		o += box.size;
	}
	return out;
}

/** The children of a box; `skip` bytes of its body come before them (a sample entry's fields). */
export function childrenOf(b: Uint8Array, box: Box, skip = 0): Box[] {
	return children(b, box.start + box.headerSize + skip, box.start + box.size);
}

/** The first box of the type. */
export function find(boxes: Box[], type: string): Box | undefined {
	return boxes.find((x) => x.type === type);
}

/** Offset of the body of a full box (after version and flags) and its version. */
export function fullBox(b: Uint8Array, box: Box): { version: number; body: number } | undefined {
	const version = u8(b, box.start + box.headerSize);
	if (version === undefined) return undefined;
	return { version, body: box.start + box.headerSize + 4 };
}

/** Reads timescale and duration from mvhd or mdhd (same layout up to the duration). */
export function timescaleAndDuration(
	b: Uint8Array,
	box: Box | undefined,
): { timescale?: number; duration?: number } {
	if (!box) return {};
	const fb = fullBox(b, box);
	if (!fb) return {};
	if (fb.version === 1) {
		return { timescale: u32be(b, fb.body + 16), duration: u64be(b, fb.body + 20) };
	}
	if (fb.version === 0) {
		const duration = u32be(b, fb.body + 12);
		// All ones means "unknown" in a version-0 box.
		return {
			timescale: u32be(b, fb.body + 8),
			duration: duration === 0xffffffff ? undefined : duration,
		};
	}
	return {};
}

/** A duration in seconds, when both the timescale and the duration are known. */
export function seconds(t: { timescale?: number; duration?: number }): number | undefined {
	const timescale = positive(t.timescale);
	const duration = positive(t.duration);
	return timescale && duration ? duration / timescale : undefined;
}

/** Reads `len` bytes at absolute offset `abs` of the file, or undefined when they are not held. */
export type ByteSource = (abs: number, len: number) => Uint8Array | undefined;

export interface TopLevel {
	/** The moov box at its absolute offset. */
	moov?: Box;
	/** An mdat was walked past before moov (or before the walk ended). */
	sawMdat: boolean;
	/** Where the walk stopped because the bytes were not held (a gap between head and tail). */
	gapAt?: number;
}

/**
 * Walks the top-level boxes of a file of `total` bytes until moov. Boxes must end by `bound`
 * (the file size when known; a truncated buffer may declare boxes beyond its end).
 */
export function walkTopLevel(read: ByteSource, total: number, bound: number): TopLevel {
	let o = 0;
	let sawMdat = false;
	for (let i = 0; i < MAX_TOP_LEVEL_BOXES && o + 8 <= total; i++) {
		let header = read(o, 8);
		// A 64-bit size (size==1) follows the type: read the 16-byte header.
		if (header && u32be(header, 0) === 1) header = read(o, Math.min(16, total - o));
		if (!header) return { sawMdat, gapAt: o };
		const box = readBoxHeader(header, 0, bound - o, total - o);
		if (!box) break;
		box.start = o;
		if (box.type === 'moov') return { moov: box, sawMdat };
		if (box.type === 'mdat') sawMdat = true;
		o += box.size;
	}
	return { sawMdat };
}

/** Finds a moov box in `b` by its signature: a sane size, 'moov', and an 'mvhd' first child. */
export function scanForMoov(b: Uint8Array): { bytes: Uint8Array; complete: boolean } | undefined {
	const limit = Math.min(b.length, MAX_SCAN_BYTES) - 16;
	for (let i = 4; i <= limit; i++) {
		// 'moov' = 6d 6f 6f 76
		if (b[i] !== 0x6d || b[i + 1] !== 0x6f || b[i + 2] !== 0x6f || b[i + 3] !== 0x76) continue;
		if (!isAscii('mvhd', i + 8, b)) continue;
		const start = i - 4;
		const size = u32be(b, start);
		const childSize = u32be(b, i + 4);
		if (size === undefined || childSize === undefined || size < 16 + 8) continue;
		if (childSize < 8 || childSize > size - 8) continue;
		const end = Math.min(start + size, b.length, start + MAX_MOOV_BYTES);
		return { bytes: b.subarray(start, end), complete: end === start + size };
	}
	return undefined;
}
