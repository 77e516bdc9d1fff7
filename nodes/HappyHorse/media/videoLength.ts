/**
 * How long an input video plays, read before anything is paid for, for the cost estimate of a
 * video edit (billed per second of input and output, docs/COSTS.md): from the container header
 * (moov → mvhd) of a file from an earlier node, which the node already holds the ends of, or of
 * a URL, read with at most two bounded range requests (transport/rangeRead.ts).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { MIB } from '../schemas/limits';
import { RangeReadError, openRangeReader } from '../transport/rangeRead';
import type { BinaryMedia } from './binaryMedia';
import { walkTopLevel } from './mp4Boxes';
import type { ByteSource } from './mp4Boxes';
import { sniffFormat } from './sniffFormat';
import { probeMoovBox, probeVideo, probeVideoFromParts } from './videoProbe';

/** The length of an input video, or why it could not be read. */
export interface VideoLength {
	seconds?: number;
	/** Completes "the length of the video could not be read: …". */
	problem?: string;
}

/** What reading a URL's header took: the bench prints these. */
export interface RemoteVideoLength extends VideoLength {
	requests: number;
	bytesRead: number;
}

/** The most of one video's body read to find its length, over all its requests. */
const PROBE_BUDGET_BYTES = 1 * MIB;
/**
 * The first request: the start of the file. A "fast start" moov begins right after ftyp, and its
 * first child, mvhd (the duration), within the first few hundred bytes.
 */
const HEAD_BYTES = 16 * 1024;
/** Reading one video's header ends by then, however slowly its host answers. */
const PROBE_TIMEOUT_MS = 15_000;

const NO_DURATION = 'its header gives no total duration';
const OTHER_PART = 'the host answered the second range request with another part';

/** The length of a file from an earlier node, from the head and tail the node already read. */
export function binaryVideoLength(media: BinaryMedia): VideoLength {
	const facts = probeVideoFromParts(media.head, media.tail, media.size);
	if (!facts) return { problem: 'it is not an MP4 or MOV video' };
	return lengthOf(facts);
}

/** The duration a probe found, or that the header gives none. */
function lengthOf(facts: { durationSeconds?: number } | undefined): VideoLength {
	return facts?.durationSeconds ? { seconds: facts.durationSeconds } : { problem: NO_DURATION };
}

/**
 * The length of the video at `url`: its first 16 kB, where a fast-start moov starts; else one
 * more request, within the 1 MB budget: the rest of a moov that starts in the head, or the box
 * the top-level boxes lead to beyond it (moov after the media data, mdat, or after a large box). Never throws for what the host does: every failure is a `problem`.
 */
export async function remoteVideoLength(
	ctx: IExecuteFunctions,
	url: string,
): Promise<RemoteVideoLength> {
	const reader = openRangeReader(ctx, url, {
		budgetBytes: PROBE_BUDGET_BYTES,
		deadline: Date.now() + PROBE_TIMEOUT_MS,
	});
	const length = await readLength(reader).catch((error: unknown) => {
		// A stop of the execution goes on up; what the host did becomes the estimate's reason.
		if (error instanceof RangeReadError) return { problem: error.message };
		return Promise.reject(error);
	});
	return { ...length, requests: reader.requests, bytesRead: reader.bytesRead };
}

async function readLength(reader: ReturnType<typeof openRangeReader>): Promise<VideoLength> {
	const head = await reader.read({ start: 0, length: HEAD_BYTES });
	const format = sniffFormat(head.bytes);
	if (format !== 'mp4' && format !== 'mov') {
		return { problem: `it is not an MP4 or MOV video (it starts "${printable(head.bytes)}")` };
	}
	const first = probeVideo(head.bytes);
	if (first?.durationSeconds) return { seconds: first.durationSeconds };
	if (first?.fragmented) return { problem: `${NO_DURATION} (a fragmented MP4 without mehd)` };
	if (head.wholeFile) {
		return {
			problem: `the host does not answer range requests, and the video's header is not in its first ${PROBE_BUDGET_BYTES / MIB} MB`,
		};
	}
	const total = head.totalSize;
	if (total === undefined) return { problem: 'the host did not tell the size of the file' };
	// moov is further on: after the media data (mdat) whose end the head does not hold.
	const held: ByteSource = (abs, len) =>
		abs >= 0 && abs + len <= head.bytes.length ? head.bytes.subarray(abs, abs + len) : undefined;
	const top = walkTopLevel(held, total, total);
	if (top.moov) {
		// moov starts in the head but its mvhd does not: read on from where the head ends.
		const moovEnd = top.moov.start + top.moov.size;
		if (moovEnd <= head.bytes.length) return { problem: NO_DURATION };
		const more = await reader.read({
			start: head.bytes.length,
			length: Math.min(moovEnd - head.bytes.length, reader.bytesLeft),
		});
		if (!isPartAt(more, head.bytes.length)) return { problem: OTHER_PART };
		const facts = probeVideo(Buffer.concat([head.bytes, more.bytes]));
		return lengthOf(facts);
	}
	if (top.gapAt === undefined) return { problem: 'it holds no header (moov) box' };
	// The boxes lead past the head: to moov after the media data (mdat), or after a large box.
	const next = await reader.read({
		start: top.gapAt,
		length: Math.min(total - top.gapAt, reader.bytesLeft),
	});
	if (!isPartAt(next, top.gapAt)) return { problem: OTHER_PART };
	if (next.bytes.toString('latin1', 4, 8) !== 'moov') {
		return { problem: `its header (moov) is not where its boxes lead, ${top.gapAt} bytes in` };
	}
	const facts = probeMoovBox(next.bytes);
	return lengthOf(facts);
}

/** Whether a range request's answer is the part asked for, from `start`. */
function isPartAt(part: { wholeFile: boolean; start: number }, start: number): boolean {
	return !part.wholeFile && part.start === start;
}

/** The first bytes as a message can quote them. */
function printable(bytes: Buffer): string {
	return bytes
		.subarray(0, 24)
		.toString('latin1')
		.replace(/[^\x20-\x7e]/g, '.');
}
