/**
 * The facts of an MP4/MOV video from its container headers, without decoding and without a
 * runtime dependency: the ISO base media file format boxes ftyp, moov → mvhd, trak → tkhd,
 * mdia → mdhd, hdlr, minf → stbl → stsd, stts. Nothing here throws on garbage or truncated
 * input: an unreadable fact is left undefined, and every loop and read is bounded.
 */

import { fourcc, positive, stripUndefined, u16be, u32be, u64be } from './bytes';
import type { Box, ByteSource } from './mp4Boxes';
import {
	MAX_MOOV_BYTES,
	childrenOf,
	find,
	fullBox,
	readBoxHeader,
	scanForMoov,
	seconds,
	timescaleAndDuration,
	walkTopLevel,
} from './mp4Boxes';
import { sniffFormat } from './sniffFormat';

export interface VideoFacts {
	container: 'mp4' | 'mov';
	/**
	 * Movie duration: mvhd, else the video track's mdhd. For a fragmented file only mvex/mehd
	 * (often absent: then unknown), since moov describes only the samples before the first moof.
	 */
	durationSeconds?: number;
	/** Coded size from the sample entry (stsd); the track header (tkhd) when that is missing. */
	width?: number;
	height?: number;
	/** Average frame rate of the video track: samples / (track duration / timescale). */
	frameRate?: number;
	/** Sample entry fourcc of the video track, e.g. 'avc1', 'hvc1', 'mp4v'. */
	codec?: string;
	/** true when the moov box comes after the media data (mdat): not "fast start". */
	moovAtEnd?: boolean;
	/** Whether moov holds a video track; undefined when moov was not read whole. */
	hasVideoTrack?: boolean;
	/** true for a fragmented MP4 (moov has mvex): its samples are mostly in moof boxes. */
	fragmented?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Bounds

/** Tracks looked at in one moov. */
const MAX_TRACKS = 64;
/** stts entries summed (beyond this the frame rate is left unknown). */
const MAX_STTS_ENTRIES = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Tracks

interface TrackFacts {
	isVideo: boolean;
	width?: number;
	height?: number;
	codec?: string;
	samples?: number;
	frameRate?: number;
	durationSeconds?: number;
}

function readTkhdSize(b: Uint8Array, tkhd: Box | undefined): { width?: number; height?: number } {
	if (!tkhd) return {};
	const fb = fullBox(b, tkhd);
	if (!fb || (fb.version !== 0 && fb.version !== 1)) return {};
	// v0: creation, modification, track id, reserved, duration (4 bytes each) = 20; v1 = 32.
	// Then reserved (8), layer, alternate group, volume, reserved (2 each), matrix (36) = 52.
	const o = fb.body + (fb.version === 1 ? 32 : 20) + 52;
	const w = u32be(b, o);
	const h = u32be(b, o + 4);
	return {
		width: positive(w === undefined ? undefined : Math.round(w / 65536)),
		height: positive(h === undefined ? undefined : Math.round(h / 65536)),
	};
}

/** The first sample entry of stsd: its fourcc (the codec) and the visual width and height. */
function readStsd(
	b: Uint8Array,
	stsd: Box | undefined,
): { codec?: string; width?: number; height?: number } {
	if (!stsd) return {};
	const fb = fullBox(b, stsd);
	if (!fb) return {};
	// entry_count (4), then sample entries (boxes).
	const entry = readBoxHeader(b, fb.body + 4, stsd.start + stsd.size);
	if (!entry) return {};
	let codec = printable(entry.type);
	// VisualSampleEntry: reserved (6), data reference index (2), pre-defined/reserved (16),
	// width (2), height (2) … 78 bytes in all before the child boxes.
	const o = entry.start + entry.headerSize;
	const width = positive(u16be(b, o + 24));
	const height = positive(u16be(b, o + 26));
	if (codec === 'encv') {
		// Encrypted: the original format is in sinf → frma.
		const sinf = find(childrenOf(b, entry, 78), 'sinf');
		const frma = sinf && find(childrenOf(b, sinf), 'frma');
		const original = frma && fourcc(b, frma.start + frma.headerSize);
		if (original) codec = printable(original);
	}
	return { codec, width, height };
}

function printable(s: string): string {
	return s.replace(/[^\x20-\x7e]/g, '?');
}

/** Sums the sample counts and durations of stts. */
function readStts(
	b: Uint8Array,
	stts: Box | undefined,
): { samples?: number; ticks?: number } | undefined {
	if (!stts) return undefined;
	const fb = fullBox(b, stts);
	const count = fb && u32be(b, fb.body);
	if (!fb || count === undefined || count > MAX_STTS_ENTRIES) return undefined;
	const end = Math.min(stts.start + stts.size, b.length);
	if (fb.body + 4 + count * 8 > end) return undefined;
	let samples = 0;
	let ticks = 0;
	for (let i = 0; i < count; i++) {
		const o = fb.body + 4 + i * 8;
		const n = u32be(b, o) ?? 0;
		samples += n;
		ticks += n * (u32be(b, o + 4) ?? 0);
	}
	return { samples, ticks };
}

function readTrack(b: Uint8Array, trak: Box): TrackFacts {
	const trakKids = childrenOf(b, trak);
	const mdia = find(trakKids, 'mdia');
	const mdiaKids = mdia ? childrenOf(b, mdia) : [];
	const hdlr = find(mdiaKids, 'hdlr');
	const hdlrBody = hdlr && fullBox(b, hdlr);
	// hdlr: pre-defined (QuickTime: component type) (4), then handler type.
	const handler = hdlrBody && fourcc(b, hdlrBody.body + 4);
	const facts: TrackFacts = { isVideo: handler === 'vide' };
	if (!facts.isVideo) return facts;

	const tkhd = readTkhdSize(b, find(trakKids, 'tkhd'));
	const mdhd = timescaleAndDuration(b, find(mdiaKids, 'mdhd'));
	const minf = find(mdiaKids, 'minf');
	const stbl = minf && find(childrenOf(b, minf), 'stbl');
	const stblKids = stbl ? childrenOf(b, stbl) : [];
	const stsd = readStsd(b, find(stblKids, 'stsd'));
	const stts = readStts(b, find(stblKids, 'stts'));

	facts.codec = stsd.codec;
	facts.width = stsd.width ?? tkhd.width;
	facts.height = stsd.height ?? tkhd.height;
	facts.durationSeconds = seconds(mdhd);
	facts.samples = stts?.samples;
	const timescale = positive(mdhd.timescale);
	const ticks = positive(stts?.ticks);
	const samples = positive(stts?.samples);
	// Samples over the time they cover: the stts total (exact), else the mdhd duration.
	const trackSeconds = timescale && ticks ? ticks / timescale : facts.durationSeconds;
	if (samples && trackSeconds) facts.frameRate = samples / trackSeconds;
	return facts;
}

/** Facts from the bytes of a moov box (b starts at the moov header). */
function parseMoov(b: Uint8Array, complete: boolean): Omit<VideoFacts, 'container' | 'moovAtEnd'> {
	const moov = readBoxHeader(b, 0, Number.MAX_SAFE_INTEGER);
	if (!moov || moov.type !== 'moov') return {};
	const kids = childrenOf(b, moov);
	const facts: Omit<VideoFacts, 'container' | 'moovAtEnd'> = {};

	let video: TrackFacts | undefined;
	let tracks = 0;
	for (const kid of kids) {
		if (kid.type !== 'trak') continue;
		if (++tracks > MAX_TRACKS) break;
		const t = readTrack(b, kid);
		// The main video track: the one with the most samples (not a one-frame cover image).
		if (t.isVideo && (!video || (t.samples ?? 0) > (video.samples ?? 0))) video = t;
	}

	const mvhd = timescaleAndDuration(b, find(kids, 'mvhd'));
	const mvex = find(kids, 'mvex');
	if (mvex) {
		// Fragmented: mvhd, mdhd and stts cover only the samples in moov, not the fragments
		// (moof) after it, so they say nothing of the whole length. mehd (optional) does.
		facts.fragmented = true;
		const mehd = find(childrenOf(b, mvex), 'mehd');
		const fb = mehd && fullBox(b, mehd);
		const d = fb && (fb.version === 1 ? u64be(b, fb.body) : u32be(b, fb.body));
		facts.durationSeconds = seconds({ timescale: mvhd.timescale, duration: d });
	} else {
		facts.durationSeconds = seconds(mvhd) ?? video?.durationSeconds;
	}

	if (video) {
		facts.hasVideoTrack = true;
		facts.width = video.width;
		facts.height = video.height;
		facts.codec = video.codec;
		facts.frameRate = video.frameRate;
	} else if (complete) {
		facts.hasVideoTrack = false;
	}
	return facts;
}

/**
 * The facts a moov box tells, from bytes that start at its header (its end may be cut off: the
 * boxes held are read): for a file read in parts, whose moov was found by walking its boxes.
 */
export function probeMoovBox(
	bytes: Uint8Array,
): Omit<VideoFacts, 'container' | 'moovAtEnd'> | undefined {
	try {
		return stripUndefined(parseMoov(bytes, false));
	} catch {
		return undefined;
	}
}

function videoFacts(
	container: 'mp4' | 'mov',
	moovBytes: Uint8Array | undefined,
	complete: boolean,
	moovAtEnd: boolean | undefined,
): VideoFacts {
	const facts: VideoFacts = { container };
	if (moovBytes) Object.assign(facts, parseMoov(moovBytes, complete));
	if (moovAtEnd !== undefined) facts.moovAtEnd = moovAtEnd;
	return stripUndefined(facts);
}

/**
 * Walks the top-level boxes of an MP4/MOV and reads moov → mvhd (timescale, duration; v0 and
 * v1), trak → tkhd (width/height as 16.16 fixed), mdia → mdhd (timescale/duration), hdlr
 * ('vide'), minf → stbl → stsd (sample entry fourcc = codec, and its width/height), stts
 * (sample counts and deltas → frame rate = samples / (duration/timescale)). Works when moov is
 * at the start or at the END of the file (after mdat), and with 64-bit box sizes (size==1 →
 * largesize) and size==0 (to end).
 *
 * Given only the start of a file whose moov is at the end, it returns the container and
 * `moovAtEnd: true` without the other facts: use probeVideoFromParts with the tail as well.
 */
export function probeVideo(bytes: Uint8Array): VideoFacts | undefined {
	try {
		const container = sniffVideo(bytes);
		if (!container) return undefined;
		const read: ByteSource = (abs, len) =>
			abs >= 0 && abs + len <= bytes.length ? bytes.subarray(abs, abs + len) : undefined;
		// The buffer may be only the start of the file: boxes may run past its end.
		const top = walkTopLevel(read, bytes.length, Number.MAX_SAFE_INTEGER);
		if (!top.moov) return videoFacts(container, undefined, false, top.sawMdat ? true : undefined);
		const { start, size } = top.moov;
		const end = Math.min(start + size, bytes.length, start + MAX_MOOV_BYTES);
		return videoFacts(container, bytes.subarray(start, end), end === start + size, top.sawMdat);
	} catch {
		return undefined;
	}
}

function sniffVideo(bytes: Uint8Array): 'mp4' | 'mov' | undefined {
	const f = sniffFormat(bytes);
	return f === 'mp4' || f === 'mov' ? f : undefined;
}

/**
 * Like probeVideo for a large file of which only the first bytes (`head`) and the last bytes
 * (`tail`) are held. Walks the top-level boxes from the head; a box that starts beyond the head
 * is read from the tail when it lies inside the tail window (offset ≥ totalSize - tail.length).
 * When the walk runs into bytes that are held by neither (boxes in the middle of the file), the
 * tail is scanned for a moov box whose first child is mvhd.
 */
export function probeVideoFromParts(
	head: Uint8Array,
	tail: Uint8Array,
	totalSize: number,
): VideoFacts | undefined {
	try {
		if (!(head instanceof Uint8Array) || !(tail instanceof Uint8Array)) return undefined;
		const container = sniffVideo(head);
		if (!container) return undefined;
		if (!Number.isSafeInteger(totalSize) || totalSize < head.length || totalSize < tail.length) {
			return probeVideo(head);
		}
		const tailStart = totalSize - tail.length;
		const read: ByteSource = (abs, len) => {
			if (abs < 0 || len < 0 || abs + len > totalSize) return undefined;
			if (abs + len <= head.length) return head.subarray(abs, abs + len);
			if (abs >= tailStart) return tail.subarray(abs - tailStart, abs - tailStart + len);
			if (abs < head.length && tailStart <= head.length) {
				// Spans the end of the head and the start of an overlapping tail.
				const out = new Uint8Array(len);
				out.set(head.subarray(abs));
				out.set(tail.subarray(head.length - tailStart, abs + len - tailStart), head.length - abs);
				return out;
			}
			return undefined;
		};

		const top = walkTopLevel(read, totalSize, totalSize);
		if (top.moov) {
			const { start, size } = top.moov;
			const want = Math.min(size, MAX_MOOV_BYTES);
			const whole = read(start, want);
			if (whole) return videoFacts(container, whole, want === size, top.sawMdat);
			// Only the start of moov is held: parse what there is.
			const held = start < head.length ? head.subarray(start) : undefined;
			return videoFacts(container, held, false, top.sawMdat);
		}
		if (top.gapAt !== undefined) {
			const found = scanForMoov(tail);
			if (found) {
				// moov lies beyond the head, after the boxes in the middle of the file.
				return videoFacts(container, found.bytes, found.complete, true);
			}
		}
		return videoFacts(container, undefined, false, top.sawMdat ? true : undefined);
	} catch {
		return undefined;
	}
}
