import * as fs from 'fs';
import * as path from 'path';

import {
	checkImage,
	checkImageFacts,
	checkVideo,
	checkVideoFacts,
} from '../nodes/HappyHorse/media/mediaChecks';
import { probeImage } from '../nodes/HappyHorse/media/imageProbe';
import { sniffFormat } from '../nodes/HappyHorse/media/sniffFormat';
import type { ImageLimits } from '../nodes/HappyHorse/schemas/limits';
import { MEDIA_LIMITS } from '../nodes/HappyHorse/schemas/limits';
import {
	probeVideo,
	probeVideoFromParts,
	type VideoFacts,
} from '../nodes/HappyHorse/media/videoProbe';

// Made once by test/fixtures/media/make-fixtures.sh (ffmpeg); the facts below are ffprobe's.
const DIR = path.join(__dirname, 'fixtures', 'media');
const load = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(DIR, name)));

interface VideoCase {
	file: string;
	container: 'mp4' | 'mov';
	duration: number;
	width: number;
	height: number;
	fps: number;
	codec: string;
	moovAtEnd: boolean;
	/** The one broken rule, or undefined for a good file. */
	problem?: string;
}

const VIDEOS: VideoCase[] = [
	{
		file: 'good.mp4',
		container: 'mp4',
		duration: 4,
		width: 640,
		height: 360,
		fps: 10,
		codec: 'avc1',
		moovAtEnd: false,
	},
	{
		file: 'good.mov',
		container: 'mov',
		duration: 4,
		width: 640,
		height: 360,
		fps: 10,
		codec: 'avc1',
		moovAtEnd: false,
	},
	{
		file: 'moov-at-end.mp4',
		container: 'mp4',
		duration: 4,
		width: 640,
		height: 360,
		fps: 10,
		codec: 'avc1',
		moovAtEnd: true,
	},
	{
		file: 'too-short.mp4',
		container: 'mp4',
		duration: 2,
		width: 640,
		height: 360,
		fps: 10,
		codec: 'avc1',
		moovAtEnd: false,
		problem: 'duration',
	},
	{
		file: 'too-long.mp4',
		container: 'mp4',
		duration: 61,
		width: 640,
		height: 360,
		fps: 9,
		codec: 'avc1',
		moovAtEnd: false,
		problem: 'duration',
	},
	{
		file: 'low-fps.mp4',
		container: 'mp4',
		duration: 4,
		width: 640,
		height: 360,
		fps: 8,
		codec: 'avc1',
		moovAtEnd: false,
		problem: 'frameRate',
	},
	{
		file: 'too-small.mp4',
		container: 'mp4',
		duration: 4,
		width: 640,
		height: 240,
		fps: 10,
		codec: 'avc1',
		moovAtEnd: false,
		problem: 'shortSide',
	},
	{
		file: 'too-large-side.mp4',
		container: 'mp4',
		duration: 3,
		width: 4100,
		height: 360,
		fps: 10,
		codec: 'avc1',
		moovAtEnd: false,
		problem: 'longSide',
	},
	{
		file: 'hevc.mp4',
		container: 'mp4',
		duration: 4,
		width: 640,
		height: 360,
		fps: 10,
		codec: 'hvc1',
		moovAtEnd: false,
		problem: 'codec',
	},
];

const IMAGES = [
	{ file: 'good.png', format: 'png', width: 320, height: 320 },
	{ file: 'good.jpg', format: 'jpeg', width: 320, height: 320 },
	{ file: 'good.webp', format: 'webp', width: 320, height: 320 },
	{ file: 'small.png', format: 'png', width: 200, height: 200, problem: 'shortSide' },
];

function expectFacts(facts: VideoFacts | undefined, c: VideoCase): void {
	expect(facts).toBeDefined();
	const f = facts as VideoFacts;
	expect(f.container).toBe(c.container);
	expect(Math.abs((f.durationSeconds ?? NaN) - c.duration)).toBeLessThanOrEqual(0.1);
	expect(f.width).toBe(c.width);
	expect(f.height).toBe(c.height);
	expect(Math.abs((f.frameRate ?? NaN) - c.fps)).toBeLessThanOrEqual(0.5);
	expect(f.codec).toBe(c.codec);
	expect(f.moovAtEnd).toBe(c.moovAtEnd);
	expect(f.hasVideoTrack).toBe(true);
}

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function randomBytes(n: number, seed: number): Uint8Array {
	const r = prng(seed);
	return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

function u32(n: number): number[] {
	return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

function u64(n: number): number[] {
	return [...u32(Math.floor(n / 0x100000000)), ...u32(n >>> 0)];
}

function ascii(s: string): number[] {
	return Array.from(s, (c) => c.charCodeAt(0));
}

function box(type: string, ...parts: number[][]): number[] {
	const body = parts.flat();
	return [...u32(8 + body.length), ...ascii(type), ...body];
}

function concat(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let o = 0;
	for (const p of parts) {
		out.set(p, o);
		o += p.length;
	}
	return out;
}

/** Every call that must never throw on the given bytes. */
function probeAll(b: Uint8Array): void {
	sniffFormat(b);
	probeVideo(b);
	probeImage(b);
	checkVideo(b, b.length, MEDIA_LIMITS.video);
	checkImage(b, b.length, MEDIA_LIMITS.editReferenceImage);
	probeVideoFromParts(b, b.subarray(Math.floor(b.length / 2)), b.length);
	probeVideoFromParts(b.subarray(0, 64), b.subarray(Math.max(0, b.length - 64)), b.length);
}

describe('sniffFormat', () => {
	it('names every fixture', () => {
		for (const c of VIDEOS) expect(sniffFormat(load(c.file))).toBe(c.container);
		for (const c of IMAGES) expect(sniffFormat(load(c.file))).toBe(c.format);
	});

	it('needs only the first bytes', () => {
		expect(sniffFormat(load('good.mov').subarray(0, 12))).toBe('mov');
		expect(sniffFormat(load('good.mp4').subarray(0, 12))).toBe('mp4');
		expect(sniffFormat(load('good.jpg').subarray(0, 3))).toBe('jpeg');
	});

	it('does not take HEIF/AVIF stills or unknown bytes for video', () => {
		expect(sniffFormat(new Uint8Array(box('ftyp', ascii('heic'), u32(0))))).toBeUndefined();
		expect(sniffFormat(new Uint8Array(box('ftyp', ascii('avif'), u32(0))))).toBeUndefined();
		expect(sniffFormat(new Uint8Array(ascii('GIF89a')))).toBeUndefined();
		expect(sniffFormat(new Uint8Array())).toBeUndefined();
	});

	it('takes a QuickTime file without ftyp for MOV', () => {
		expect(sniffFormat(new Uint8Array(box('wide')))).toBe('mov');
	});
});

describe('probeVideo', () => {
	it.each(VIDEOS)('reads the facts of $file', (c) => {
		expectFacts(probeVideo(load(c.file)), c);
	});

	it('is not fooled into video facts by an image', () => {
		expect(probeVideo(load('good.png'))).toBeUndefined();
	});

	it('knows the moov is at the end from the start of the file alone', () => {
		expect(probeVideo(load('moov-at-end.mp4').subarray(0, 100))).toEqual({
			container: 'mp4',
			moovAtEnd: true,
		});
	});

	it('reads a 64-bit mdat size (size==1 → largesize) before the moov', () => {
		const file = load('moov-at-end.mp4');
		// ftyp (32) + free (8) + mdat (8-byte header) → the same mdat with a 16-byte header.
		const mdatSize = 1518;
		expect(String.fromCharCode(...file.subarray(44, 48))).toBe('mdat');
		const large = new Uint8Array([...u32(1), ...ascii('mdat'), ...u64(mdatSize + 8)]);
		const rebuilt = concat(file.subarray(0, 40), large, file.subarray(48));
		expectFacts(probeVideo(rebuilt), VIDEOS[2]);
	});

	it('reads a last box of size 0 ("to the end of the file")', () => {
		const atEnd = load('moov-at-end.mp4').slice();
		atEnd.set(u32(0), 1558); // the moov
		expectFacts(probeVideo(atEnd), VIDEOS[2]);
		const faststart = load('good.mp4').slice();
		faststart.set(u32(0), 1146); // the mdat after the moov
		expectFacts(probeVideo(faststart), VIDEOS[0]);
	});

	it('reads version-1 mvhd, tkhd and mdhd boxes', () => {
		const fixed = (n: number) => u32(n * 65536);
		const matrix = [
			...fixed(1),
			...u32(0),
			...u32(0),
			...u32(0),
			...fixed(1),
			...u32(0),
			...u32(0),
			...u32(0),
			...u32(0x40000000),
		];
		const mvhd = box(
			'mvhd',
			[1, 0, 0, 0],
			u64(0),
			u64(0),
			u32(1000),
			u64(12_500),
			new Array(80).fill(0),
		);
		const tkhd = box(
			'tkhd',
			[1, 0, 0, 3],
			u64(0),
			u64(0),
			u32(1),
			u32(0),
			u64(12_500),
			new Array(16).fill(0),
			matrix,
			fixed(1280),
			fixed(720),
		);
		const mdhd = box('mdhd', [1, 0, 0, 0], u64(0), u64(0), u32(25_000), u64(312_500), u32(0));
		const hdlr = box('hdlr', u32(0), u32(0), ascii('vide'), new Array(12).fill(0), [0]);
		const entry = box(
			'avc3',
			new Array(6).fill(0),
			[0, 1],
			new Array(16).fill(0),
			[5, 0],
			[2, 208],
			new Array(50).fill(0),
		);
		const stsd = box('stsd', u32(0), u32(1), entry);
		const stts = box('stts', u32(0), u32(1), u32(300), u32(1000)); // 300 frames of 1000 ticks at 25000/s: 25 fps
		const moov = box(
			'moov',
			mvhd,
			box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', box('stbl', stsd, stts)))),
		);
		const file = new Uint8Array([
			...box('ftyp', ascii('mp42'), u32(0)),
			...moov,
			...box('mdat', [0, 0]),
		]);
		expect(probeVideo(file)).toEqual({
			container: 'mp4',
			durationSeconds: 12.5,
			width: 1280,
			height: 720,
			frameRate: 25,
			codec: 'avc3',
			moovAtEnd: false,
			hasVideoTrack: true,
		});
		// Without stsd dimensions the track header's 16.16 size is used.
		const noSize = file.slice();
		const at = file.findIndex((_, i) => String.fromCharCode(...file.subarray(i, i + 4)) === 'avc3');
		noSize.set([0, 0, 0, 0], at + 4 + 24);
		expect(probeVideo(noSize)).toMatchObject({ width: 1280, height: 720 });
	});

	it('reads the original codec of an encrypted (encv) sample entry', () => {
		const mvhd = box(
			'mvhd',
			[0, 0, 0, 0],
			u32(0),
			u32(0),
			u32(1000),
			u32(5000),
			new Array(80).fill(0),
		);
		const hdlr = box('hdlr', u32(0), u32(0), ascii('vide'), new Array(12).fill(0), [0]);
		const sinf = box('sinf', box('frma', ascii('hvc1')));
		const entry = box(
			'encv',
			new Array(24).fill(0),
			[2, 128],
			[1, 104],
			new Array(50).fill(0),
			sinf,
		);
		const stbl = box('stbl', box('stsd', u32(0), u32(1), entry));
		const trak = box('trak', box('mdia', hdlr, box('minf', stbl)));
		const file = new Uint8Array([
			...box('ftyp', ascii('isom'), u32(0)),
			...box('moov', mvhd, trak),
		]);
		expect(probeVideo(file)).toMatchObject({ codec: 'hvc1', width: 640, height: 360 });
	});

	it('does not take the moov of a fragmented file for its length', () => {
		// moov holds the first 1 s fragment only; the other 3 s are in moof boxes (ffprobe: 4 s).
		expect(probeVideo(load('fragmented.mp4'))).toEqual({
			container: 'mp4',
			width: 640,
			height: 360,
			frameRate: 10,
			codec: 'avc1',
			moovAtEnd: false,
			hasVideoTrack: true,
			fragmented: true,
		});
		const b = load('fragmented.mp4');
		expect(checkVideo(b, b.length, MEDIA_LIMITS.video)).toEqual([]);
	});

	it('says there is no video track in a complete moov without one', () => {
		const mvhd = box(
			'mvhd',
			[0, 0, 0, 0],
			u32(0),
			u32(0),
			u32(1000),
			u32(5000),
			new Array(80).fill(0),
		);
		const audio = box(
			'trak',
			box('mdia', box('hdlr', u32(0), u32(0), ascii('soun'), new Array(12).fill(0))),
		);
		const file = new Uint8Array([
			...box('ftyp', ascii('M4A '), u32(0)),
			...box('moov', mvhd, audio),
		]);
		expect(probeVideo(file)).toEqual({
			container: 'mp4',
			durationSeconds: 5,
			moovAtEnd: false,
			hasVideoTrack: false,
		});
		expect(checkVideo(file, file.length, MEDIA_LIMITS.video)).toEqual([
			{ field: 'videoTrack', value: 'none', limit: 'one video track' },
		]);
	});
});

describe('probeVideoFromParts', () => {
	const file = load('moov-at-end.mp4');
	const whole = probeVideo(file);

	it('gives the same facts from the first 4 KB and the last 64 KB', () => {
		expect(
			probeVideoFromParts(
				file.subarray(0, 4096),
				file.subarray(Math.max(0, file.length - 65536)),
				file.length,
			),
		).toEqual(whole);
	});

	// The fixture is smaller than 4 KB, so the parts above overlap: these leave a real gap.
	it('follows the box offsets across a gap into the tail', () => {
		// head: ftyp + free + the mdat header (48 bytes); tail: the moov alone.
		const head = file.subarray(0, 48);
		const tail = file.subarray(1558);
		expect(probeVideoFromParts(head, tail, file.length)).toEqual(whole);
	});

	it('finds the moov in the tail when the walk stops in the gap', () => {
		// The head ends before the mdat header: the walk cannot go on, the tail is scanned.
		const head = file.subarray(0, 40);
		const tail = file.subarray(1200);
		expect(probeVideoFromParts(head, tail, file.length)).toEqual(whole);
	});

	it('joins a moov that runs from the head into an overlapping tail', () => {
		const good = load('good.mp4'); // moov at 32..1138
		expect(probeVideoFromParts(good.subarray(0, 500), good.subarray(264), good.length)).toEqual(
			probeVideo(good),
		);
	});

	it('reads a moov at the start from the head alone', () => {
		const good = load('good.mp4');
		expect(
			probeVideoFromParts(good.subarray(0, 2000), good.subarray(good.length - 100), good.length),
		).toEqual(probeVideo(good));
	});

	it('reports moov at the end without the facts when the tail does not hold it', () => {
		expect(
			probeVideoFromParts(
				file.subarray(0, 48),
				file.subarray(file.length - 100, file.length - 100),
				file.length,
			),
		).toEqual({
			container: 'mp4',
			moovAtEnd: true,
		});
	});

	it('does not throw on a wrong total size', () => {
		expect(() =>
			probeVideoFromParts(file.subarray(0, 100), file.subarray(0, 100), 10),
		).not.toThrow();
		expect(() => probeVideoFromParts(file, file, NaN)).not.toThrow();
	});
});

describe('probeImage', () => {
	it.each(IMAGES)('reads the size of $file', (c) => {
		expect(probeImage(load(c.file))).toEqual({
			format: c.format,
			width: c.width,
			height: c.height,
		});
	});

	it('reads lossless (VP8L) and extended (VP8X) WEBP headers', () => {
		const riff = (chunk: number[]) =>
			new Uint8Array([...ascii('RIFF'), ...u32(0), ...ascii('WEBP'), ...chunk]);
		// VP8L: 0x2f, then width - 1 and height - 1 in 14 bits each, little-endian.
		const bits = (400 - 1) | ((301 - 1) << 14);
		const vp8l = riff([
			...ascii('VP8L'),
			5,
			0,
			0,
			0,
			0x2f,
			bits & 255,
			(bits >>> 8) & 255,
			(bits >>> 16) & 255,
			(bits >>> 24) & 255,
		]);
		expect(probeImage(vp8l)).toEqual({ format: 'webp', width: 400, height: 301 });
		// VP8X: flags, 3 reserved, canvas width - 1 and height - 1 in 24 bits each.
		const vp8x = riff([...ascii('VP8X'), 10, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0x1f, 0, 0xff, 0x0f, 0]);
		expect(probeImage(vp8x)).toEqual({ format: 'webp', width: 8000, height: 4096 });
	});

	it('skips other JPEG segments (an EXIF thumbnail) to reach SOF', () => {
		const jpg = load('good.jpg');
		// An APP1 segment holding a fake SOF0 of 10×10 goes before the rest of the file.
		const app1 = [0xff, 0xe1, 0, 13, ...ascii('Exif'), 0, 0, 0xff, 0xc0, 0, 10, 10];
		const withExif = concat(jpg.subarray(0, 2), new Uint8Array(app1), jpg.subarray(2));
		expect(probeImage(withExif)).toEqual({ format: 'jpeg', width: 320, height: 320 });
	});

	it('gives only the format when the size is cut off', () => {
		expect(probeImage(load('good.png').subarray(0, 12))).toEqual({ format: 'png' });
		expect(probeVideo(load('good.png'))).toBeUndefined();
	});
});

describe('checkVideo and checkImage', () => {
	it.each(VIDEOS)('$file breaks exactly its rule ($problem)', (c) => {
		const b = load(c.file);
		const problems = checkVideo(b, b.length, MEDIA_LIMITS.video);
		expect(problems.map((p) => p.field)).toEqual(c.problem ? [c.problem] : []);
	});

	it.each(IMAGES)('$file breaks exactly its rule ($problem)', (c) => {
		const b = load(c.file);
		expect(checkImage(b, b.length, MEDIA_LIMITS.editReferenceImage).map((p) => p.field)).toEqual(
			c.problem ? [c.problem] : [],
		);
	});

	it('says what is wrong in words', () => {
		const problem = (file: string) => checkVideo(load(file), 1000, MEDIA_LIMITS.video)[0];
		expect(problem('too-short.mp4')).toEqual({
			field: 'duration',
			value: '2.0 s',
			limit: '3–60 s',
		});
		expect(problem('too-long.mp4')).toEqual({
			field: 'duration',
			value: '61.0 s',
			limit: '3–60 s',
		});
		expect(problem('low-fps.mp4')).toEqual({
			field: 'frameRate',
			value: '8.0 fps',
			limit: 'more than 8 fps',
		});
		expect(problem('hevc.mp4')).toEqual({ field: 'codec', value: 'hvc1 (H.265)', limit: 'H.264' });
		expect(problem('too-small.mp4')).toEqual({
			field: 'shortSide',
			value: '240 px (640×240)',
			limit: 'at least 360 px',
		});
		expect(problem('too-large-side.mp4')).toEqual({
			field: 'longSide',
			value: '4100 px (4100×360)',
			limit: 'at most 4096 px',
		});
		expect(checkImage(load('small.png'), 704, MEDIA_LIMITS.editReferenceImage)).toEqual([
			{ field: 'shortSide', value: '200 px (200×200)', limit: 'at least 300 px' },
		]);
	});

	it('checks the size against the limits', () => {
		const good = load('good.mp4');
		expect(checkVideo(good, MEDIA_LIMITS.video.maxBytes, MEDIA_LIMITS.video)).toEqual([]);
		expect(checkVideo(good, 150 * 1024 * 1024, MEDIA_LIMITS.video)).toEqual([
			{ field: 'size', value: '150.0 MB', limit: 'at most 100 MB' },
		]);
		expect(checkImage(load('good.png'), 21 * 1024 * 1024, MEDIA_LIMITS.editReferenceImage)).toEqual(
			[{ field: 'size', value: '21.0 MB', limit: 'at most 20 MB' }],
		);
	});

	it('shows more digits when one would round onto the limit', () => {
		const facts: VideoFacts = { container: 'mp4', durationSeconds: 60.02, frameRate: 7.97 };
		expect(checkVideoFacts(facts, 0, MEDIA_LIMITS.video)).toEqual([
			{ field: 'duration', value: '60.02 s', limit: '3–60 s' },
			{ field: 'frameRate', value: '7.97 fps', limit: 'more than 8 fps' },
		]);
		expect(
			checkVideoFacts(
				{ container: 'mp4', durationSeconds: 3, frameRate: 8.01 },
				0,
				MEDIA_LIMITS.video,
			),
		).toEqual([]);
	});

	it('does not count an unknown fact as a problem, but an unknown format is one', () => {
		expect(checkVideoFacts({ container: 'mov' }, 0, MEDIA_LIMITS.video)).toEqual([]);
		expect(checkImageFacts({ format: 'png' }, 0, MEDIA_LIMITS.editReferenceImage)).toEqual([]);
		expect(checkVideo(load('moov-at-end.mp4').subarray(0, 100), 1e6, MEDIA_LIMITS.video)).toEqual(
			[],
		);
		expect(checkVideo(load('good.png'), 1146, MEDIA_LIMITS.video)).toEqual([
			{ field: 'format', value: 'PNG image', limit: 'MP4 or MOV (H.264)' },
		]);
		expect(checkImage(load('good.mp4'), 2664, MEDIA_LIMITS.editReferenceImage)).toEqual([
			{ field: 'format', value: 'MP4 video', limit: 'JPEG, PNG or WEBP' },
		]);
		expect(checkVideo(new Uint8Array(), 0, MEDIA_LIMITS.video)).toEqual([
			{ field: 'format', value: 'unknown', limit: 'MP4 or MOV (H.264)' },
		]);
		expect(checkVideoFacts(undefined, 0, MEDIA_LIMITS.video).map((p) => p.field)).toEqual([
			'format',
		]);
	});

	it('has the limits of docs/API.md', () => {
		expect(MEDIA_LIMITS).toEqual({
			video: {
				media: 'video',
				formats: ['mp4', 'mov'],
				codecs: ['avc1', 'avc3'],
				maxBytes: 100 * 1024 * 1024,
				minSeconds: 3,
				maxSeconds: 60,
				maxLongSide: 4096,
				minShortSide: 360,
				minFrameRate: 8,
			},
			editReferenceImage: {
				media: 'image',
				formats: ['jpeg', 'png', 'webp'],
				maxBytes: 20 * 1024 * 1024,
				minShortSide: 300,
			},
			firstFrame: {
				media: 'image',
				formats: ['jpeg', 'png', 'webp'],
				maxBytes: 10 * 1024 * 1024,
				minShortSide: 300,
				maxAspectRatio: 2.5,
			},
			characterImage: {
				media: 'image',
				formats: ['jpeg', 'png', 'webp'],
				maxBytes: 20 * 1024 * 1024,
				minShortSide: 400,
			},
		});
	});
});

/** The header of a PNG of the given size: the signature and the IHDR chunk (CRC not checked). */
function pngHeader(width: number, height: number): Uint8Array {
	const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
	const ihdr = [...u32(width), ...u32(height), 8, 6, 0, 0, 0];
	return new Uint8Array([...signature, ...u32(13), ...ascii('IHDR'), ...ihdr, ...u32(0)]);
}

describe('the limits of each role', () => {
	const fields = (bytes: Uint8Array, limits: ImageLimits) =>
		checkImage(bytes, bytes.length, limits).map((p) => p.field);

	it('reads the synthesized PNG headers', () => {
		expect(probeImage(pngHeader(780, 300))).toEqual({ format: 'png', width: 780, height: 300 });
	});

	it('takes a first frame from 1:2.5 to 2.5:1 and refuses 2.6:1', () => {
		const L = MEDIA_LIMITS.firstFrame;
		expect(checkImage(pngHeader(750, 300), 1000, L)).toEqual([]);
		expect(checkImage(pngHeader(300, 750), 1000, L)).toEqual([]);
		expect(checkImage(pngHeader(780, 300), 1000, L)).toEqual([
			{ field: 'aspectRatio', value: '2.6:1 (780×300)', limit: 'from 1:2.5 to 2.5:1' },
		]);
		expect(checkImage(pngHeader(300, 780), 1000, L)).toEqual([
			{ field: 'aspectRatio', value: '1:2.6 (300×780)', limit: 'from 1:2.5 to 2.5:1' },
		]);
		// Just beyond the limit shows the digits that tell it from the limit.
		expect(checkImageFacts({ format: 'jpeg', width: 2502, height: 1000 }, 0, L)).toEqual([
			{ field: 'aspectRatio', value: '2.502:1 (2502×1000)', limit: 'from 1:2.5 to 2.5:1' },
		]);
	});

	it('holds a first frame to its sides and its size', () => {
		const L = MEDIA_LIMITS.firstFrame;
		expect(fields(pngHeader(299, 400), L)).toEqual(['shortSide']);
		expect(fields(pngHeader(300, 300), L)).toEqual([]);
		expect(checkImage(pngHeader(600, 600), 11 * 1024 * 1024, L)).toEqual([
			{ field: 'size', value: '11.0 MB', limit: 'at most 10 MB' },
		]);
		expect(checkImage(pngHeader(600, 600), 10 * 1024 * 1024, L)).toEqual([]);
	});

	it('takes a character image of a 400 px short side and refuses 399 px', () => {
		const L = MEDIA_LIMITS.characterImage;
		expect(checkImage(pngHeader(400, 1000), 1000, L)).toEqual([]);
		expect(checkImage(pngHeader(1000, 400), 1000, L)).toEqual([]);
		expect(checkImage(pngHeader(399, 1000), 1000, L)).toEqual([
			{ field: 'shortSide', value: '399 px (399×1000)', limit: 'at least 400 px' },
		]);
		expect(checkImageFacts({ format: 'webp', width: 1000, height: 399 }, 0, L)).toEqual([
			{ field: 'shortSide', value: '399 px (1000×399)', limit: 'at least 400 px' },
		]);
		// No aspect limit, and 20 MB as for a reference image.
		expect(fields(pngHeader(400, 4000), L)).toEqual([]);
		expect(checkImage(pngHeader(400, 400), 21 * 1024 * 1024, L)).toEqual([
			{ field: 'size', value: '21.0 MB', limit: 'at most 20 MB' },
		]);
	});

	it('keeps the reference image of a video edit as it was: no aspect limit, 300 px', () => {
		const L = MEDIA_LIMITS.editReferenceImage;
		expect(fields(pngHeader(300, 3000), L)).toEqual([]);
		expect(fields(pngHeader(299, 3000), L)).toEqual(['shortSide']);
	});

	it('does not count an aspect ratio of unknown sides as a problem', () => {
		const L = MEDIA_LIMITS.firstFrame;
		expect(checkImageFacts({ format: 'png', width: 5000 }, 0, L)).toEqual([]);
		expect(checkImageFacts({ format: 'png' }, 0, L)).toEqual([]);
	});

	it('refuses a format its role does not take', () => {
		const pngOnly = { ...MEDIA_LIMITS.editReferenceImage, formats: ['png' as const] };
		expect(checkImageFacts({ format: 'webp', width: 500, height: 500 }, 0, pngOnly)).toEqual([
			{ field: 'format', value: 'WEBP image', limit: 'PNG' },
		]);
		const mp4Only = { ...MEDIA_LIMITS.video, formats: ['mp4' as const] };
		expect(checkVideoFacts({ container: 'mov' }, 0, mp4Only)).toEqual([
			{ field: 'format', value: 'MOV video', limit: 'MP4 (H.264)' },
		]);
		const b = load('good.mov');
		expect(checkVideo(b, b.length, mp4Only).map((p) => p.field)).toEqual(['format']);
	});
});

describe('garbage and truncated input', () => {
	it('does not throw on random bytes, an empty buffer or the first 100 bytes of good.mp4', () => {
		for (const b of [randomBytes(4096, 1), new Uint8Array(), load('good.mp4').subarray(0, 100)]) {
			expect(() => probeAll(b)).not.toThrow();
		}
		expect(probeVideo(randomBytes(4096, 1))).toBeUndefined();
		expect(probeVideo(new Uint8Array())).toBeUndefined();
		// The start of a moov that is cut off still gives what it holds (mvhd comes first).
		expect(probeVideo(load('good.mp4').subarray(0, 100))).toEqual({
			container: 'mp4',
			durationSeconds: 4,
			moovAtEnd: false,
		});
	});

	it('does not throw on any truncation of any fixture', () => {
		for (const name of [...VIDEOS.map((c) => c.file), ...IMAGES.map((c) => c.file)]) {
			const b = load(name);
			for (let n = 0; n <= b.length; n += name === 'too-long.mp4' ? 97 : 7) {
				expect(() => probeAll(b.subarray(0, n))).not.toThrow();
			}
		}
	});

	it('does not throw on corrupted fixtures', () => {
		const r = prng(42);
		for (const name of [
			'good.mp4',
			'good.mov',
			'moov-at-end.mp4',
			'good.jpg',
			'good.png',
			'good.webp',
		]) {
			const original = load(name);
			for (let round = 0; round < 200; round++) {
				const b = original.slice();
				for (let k = 0; k < 8; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
				expect(() => probeAll(b)).not.toThrow();
			}
		}
	});

	it('does not loop on boxes of a bad size', () => {
		// size 4 (< header), then a box that claims to be larger than the file.
		const tiny = new Uint8Array([
			...box('ftyp', ascii('isom'), u32(0)),
			...u32(4),
			...ascii('free'),
		]);
		expect(probeVideo(tiny)).toEqual({ container: 'mp4' });
		const huge = new Uint8Array([
			...box('ftyp', ascii('isom'), u32(0)),
			...u32(1),
			...ascii('moov'),
			...u64(2 ** 52),
		]);
		expect(probeVideo(huge)).toEqual({ container: 'mp4', moovAtEnd: false });
		expect(probeVideoFromParts(huge, huge, huge.length)).toEqual({ container: 'mp4' });
		// A 64-bit size beyond Number.MAX_SAFE_INTEGER is not a size.
		const unsafe = huge.slice();
		unsafe.set([0xff, 0xff, 0xff, 0xff], 24); // the high half of the largesize
		expect(probeVideo(unsafe)).toEqual({ container: 'mp4' });
	});
});
