/**
 * The API's media rules applied to the facts read from a file's headers, and the pre-flight
 * check that refuses a file before anything is uploaded or paid for. A fact that could not be
 * read is not a problem (unknown is not wrong), except an unknown format.
 */

import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ImageLimits, VideoLimits } from '../schemas/limits';
import { MEDIA_LIMITS, MIB } from '../schemas/limits';
import type { BinaryMedia } from './binaryMedia';
import { describeMedia } from './binaryMedia';
import type { ImageFacts } from './imageProbe';
import { probeImage } from './imageProbe';
import { sniffFormat } from './sniffFormat';
import type { VideoFacts } from './videoProbe';
import { probeVideo, probeVideoFromParts } from './videoProbe';

export interface MediaProblem {
	/**
	 * What is wrong: 'format', 'codec', 'duration', 'frameRate', 'longSide', 'shortSide',
	 * 'aspectRatio', 'size' or 'videoTrack'.
	 */
	field: string;
	/** The value found, human-readable, e.g. '2.0 s'. */
	value: string;
	/** The rule, human-readable, e.g. '3–60 s'. */
	limit: string;
}

const CODEC_NAMES: Record<string, string> = {
	avc1: 'H.264',
	avc3: 'H.264',
	hvc1: 'H.265',
	hev1: 'H.265',
	dvh1: 'Dolby Vision H.265',
	dvhe: 'Dolby Vision H.265',
	dva1: 'Dolby Vision H.264',
	dvav: 'Dolby Vision H.264',
	av01: 'AV1',
	vp08: 'VP8',
	vp09: 'VP9',
	mp4v: 'MPEG-4 Part 2',
	s263: 'H.263',
	h263: 'H.263',
	jpeg: 'Motion JPEG',
	mjpa: 'Motion JPEG',
	mjpb: 'Motion JPEG',
	'png ': 'PNG',
	apch: 'ProRes 422 HQ',
	apcn: 'ProRes 422',
	apcs: 'ProRes 422 LT',
	apco: 'ProRes 422 Proxy',
	ap4h: 'ProRes 4444',
	ap4x: 'ProRes 4444 XQ',
	encv: 'encrypted',
};

const FORMAT_NAMES: Record<string, string> = {
	mp4: 'MP4 video',
	mov: 'MOV video',
	jpeg: 'JPEG image',
	png: 'PNG image',
	webp: 'WEBP image',
};

/**
 * n with one decimal, or with up to three when one decimal would round it onto a limit it
 * does not meet (60.02 s shows as '60.02 s', not '60.0 s').
 */
function formatNear(n: number, bounds: number[]): string {
	let s = n.toFixed(1);
	for (let digits = 2; digits <= 3 && bounds.includes(Number(s)) && !bounds.includes(n); digits++) {
		s = n.toFixed(digits);
	}
	return s;
}

function megabytes(bytes: number, limitBytes: number): string {
	return `${formatNear(bytes / MIB, [limitBytes / MIB])} MB`;
}

/** Tolerance for rounding in timescale and ratio arithmetic (a 3 s clip may read as 2.9999…). */
const EPSILON = 1e-6;

function sizeProblem(sizeBytes: number, maxBytes: number): MediaProblem | undefined {
	if (typeof sizeBytes !== 'number' || !Number.isFinite(sizeBytes) || sizeBytes <= maxBytes) {
		return undefined;
	}
	return {
		field: 'size',
		value: megabytes(sizeBytes, maxBytes),
		limit: `at most ${maxBytes / MIB} MB`,
	};
}

function sideProblems(
	width: number | undefined,
	height: number | undefined,
	maxLongSide: number | undefined,
	minShortSide: number,
): MediaProblem[] {
	const problems: MediaProblem[] = [];
	if (width === undefined || height === undefined) {
		// One side known: it is at least the short side and at most the long side.
		const side = width ?? height;
		if (side !== undefined && maxLongSide !== undefined && side > maxLongSide) {
			problems.push({ field: 'longSide', value: `${side} px`, limit: `at most ${maxLongSide} px` });
		}
		if (side !== undefined && side < minShortSide) {
			problems.push({
				field: 'shortSide',
				value: `${side} px`,
				limit: `at least ${minShortSide} px`,
			});
		}
		return problems;
	}
	const dims = `${width}×${height}`;
	const long = Math.max(width, height);
	const short = Math.min(width, height);
	if (maxLongSide !== undefined && long > maxLongSide) {
		problems.push({
			field: 'longSide',
			value: `${long} px (${dims})`,
			limit: `at most ${maxLongSide} px`,
		});
	}
	if (short < minShortSide) {
		problems.push({
			field: 'shortSide',
			value: `${short} px (${dims})`,
			limit: `at least ${minShortSide} px`,
		});
	}
	return problems;
}

/** The long side over the short side beyond `maxRatio` (either way up); unknown sides are not. */
function aspectProblem(
	width: number | undefined,
	height: number | undefined,
	maxRatio: number | undefined,
): MediaProblem | undefined {
	if (maxRatio === undefined || !width || !height) return undefined;
	const ratio = Math.max(width, height) / Math.min(width, height);
	if (ratio <= maxRatio + EPSILON) return undefined;
	const shown = formatNear(ratio, [maxRatio]);
	return {
		field: 'aspectRatio',
		value: `${width >= height ? `${shown}:1` : `1:${shown}`} (${width}×${height})`,
		limit: `from 1:${maxRatio} to ${maxRatio}:1`,
	};
}

/** The formats as the messages name them: 'MP4 or MOV', 'JPEG, PNG or WEBP'. */
function formatList(formats: readonly string[]): string {
	const names = formats.map((format) => format.toUpperCase());
	return names.length > 1
		? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
		: names.join('');
}

/** The codecs as the messages name them: 'H.264'. */
function codecList(codecs: readonly string[]): string {
	return [...new Set(codecs.map((codec) => CODEC_NAMES[codec] ?? codec))].join(' or ');
}

/** The format rule of a video as the messages name it: 'MP4 or MOV (H.264)'. */
function videoFormats(limits: VideoLimits): string {
	return `${formatList(limits.formats)} (${codecList(limits.codecs)})`;
}

/** The format found (undefined: unknown) is not one of those taken. */
function formatProblem(format: string | undefined, limit: string): MediaProblem {
	return { field: 'format', value: (format && FORMAT_NAMES[format]) ?? 'unknown', limit };
}

/**
 * The video rules of `limits` (e.g. MEDIA_LIMITS.video) applied to facts already read (e.g. by
 * probeVideoFromParts). undefined facts = unknown format.
 */
export function checkVideoFacts(
	facts: VideoFacts | undefined,
	sizeBytes: number,
	limits: VideoLimits,
): MediaProblem[] {
	const L = limits;
	const problems: MediaProblem[] = [];
	if (!facts || !L.formats.includes(facts.container)) {
		problems.push(formatProblem(facts?.container, videoFormats(L)));
	} else {
		if (facts.hasVideoTrack === false) {
			problems.push({ field: 'videoTrack', value: 'none', limit: 'one video track' });
		}
		if (facts.codec !== undefined && !L.codecs.includes(facts.codec)) {
			const name = CODEC_NAMES[facts.codec];
			const tag = facts.codec.trim() || facts.codec;
			const value = name ? `${tag} (${name})` : tag;
			problems.push({ field: 'codec', value, limit: codecList(L.codecs) });
		}
		const d = facts.durationSeconds;
		if (d !== undefined && (d < L.minSeconds - EPSILON || d > L.maxSeconds + EPSILON)) {
			problems.push({
				field: 'duration',
				value: `${formatNear(d, [L.minSeconds, L.maxSeconds])} s`,
				limit: `${L.minSeconds}–${L.maxSeconds} s`,
			});
		}
		const fps = facts.frameRate;
		if (fps !== undefined && fps <= L.minFrameRate + EPSILON) {
			problems.push({
				field: 'frameRate',
				value: `${formatNear(fps, [L.minFrameRate])} fps`,
				limit: `more than ${L.minFrameRate} fps`,
			});
		}
		problems.push(...sideProblems(facts.width, facts.height, L.maxLongSide, L.minShortSide));
	}
	const size = sizeProblem(sizeBytes, L.maxBytes);
	if (size) problems.push(size);
	return problems;
}

/**
 * The video rules of `limits` (format, codec, duration, sides, size, frame rate) applied to the
 * whole file. Returns every broken rule. A fact that could not be read is not a problem
 * (unknown ≠ wrong), except an unknown format.
 */
export function checkVideo(
	bytes: Uint8Array,
	sizeBytes: number,
	limits: VideoLimits,
): MediaProblem[] {
	const format = sniffFormat(bytes);
	if (!isOneOf(format, limits.formats)) {
		const problems = [formatProblem(format, videoFormats(limits))];
		const size = sizeProblem(sizeBytes, limits.maxBytes);
		if (size) problems.push(size);
		return problems;
	}
	return checkVideoFacts(probeVideo(bytes), sizeBytes, limits);
}

/**
 * The image rules of `limits` (e.g. MEDIA_LIMITS.editReferenceImage) applied to facts already
 * read. undefined facts = unknown format.
 */
export function checkImageFacts(
	facts: ImageFacts | undefined,
	sizeBytes: number,
	limits: ImageLimits,
): MediaProblem[] {
	const L = limits;
	const problems: MediaProblem[] = [];
	if (!facts || !L.formats.includes(facts.format)) {
		problems.push(formatProblem(facts?.format, formatList(L.formats)));
	} else {
		problems.push(...sideProblems(facts.width, facts.height, undefined, L.minShortSide));
		const aspect = aspectProblem(facts.width, facts.height, L.maxAspectRatio);
		if (aspect) problems.push(aspect);
	}
	const size = sizeProblem(sizeBytes, L.maxBytes);
	if (size) problems.push(size);
	return problems;
}

/** The image rules of `limits` applied to the whole file. Returns every broken rule. */
export function checkImage(
	bytes: Uint8Array,
	sizeBytes: number,
	limits: ImageLimits,
): MediaProblem[] {
	const format = sniffFormat(bytes);
	if (!isOneOf(format, limits.formats)) {
		const problems = [formatProblem(format, formatList(limits.formats))];
		const size = sizeProblem(sizeBytes, limits.maxBytes);
		if (size) problems.push(size);
		return problems;
	}
	return checkImageFacts(probeImage(bytes), sizeBytes, limits);
}

function isOneOf<T extends string>(format: string | undefined, formats: readonly T[]): format is T {
	return (formats as readonly string[]).includes(format as string);
}

/**
 * Checks type, size and, for MP4/MOV, what the container header tells (duration, sides, frame
 * rate, codec), without decoding. Every broken rule is named with its value and its limit.
 */
export function preflightCheck(ctx: IExecuteFunctions, media: BinaryMedia): void {
	const { head, tail } = media;
	const format = sniffFormat(head);
	const limits = MEDIA_LIMITS[media.kind];
	let problems: MediaProblem[];
	if (!isOneOf(format, limits.formats)) {
		const value = format ?? 'not a known format';
		problems = [{ field: 'format', value, limit: formatList(limits.formats) }];
	} else if (limits.media === 'video') {
		problems = checkVideoFacts(probeVideoFromParts(head, tail, media.size), media.size, limits);
	} else {
		problems = checkImageFacts(probeImage(head), media.size, limits);
	}
	if (problems.length === 0) return;
	const [first, ...rest] = problems.map(
		(problem) => `${problem.field} is ${problem.value} (the API takes ${problem.limit})`,
	);
	throw new NodeOperationError(
		ctx.getNode(),
		`Item ${media.itemIndex}: ${describeMedia(media)}: ${first}`,
		{
			itemIndex: media.itemIndex,
			description: [
				rest.length > 0 ? `Also: ${rest.join('; ')}.` : '',
				'Nothing was uploaded or paid for. To send the file anyway, turn off Options → Check Files Before Upload.',
			]
				.filter(Boolean)
				.join(' '),
		},
	);
}
