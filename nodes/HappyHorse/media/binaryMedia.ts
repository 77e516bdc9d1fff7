import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { sanitizeFileName } from '../transport/multipart';
import type { UploadSource } from '../transport';
import type { MediaKind } from '../schemas/limits';
import { MEDIA_LIMITS } from '../schemas/limits';
import type { MediaFormat } from './sniffFormat';
import { sniffFormat } from './sniffFormat';

/**
 * Files from earlier nodes: read only through n8n's helpers (so every binary data mode works:
 * in memory, filesystem, S3), checked (mediaChecks.ts: preflightCheck) before anything is
 * uploaded or paid for, and handed to the transport as upload sources that stream from storage.
 */

export interface BinaryMedia {
	itemIndex: number;
	/** The role of the file in the request, the key of its limits: 'video', 'editReferenceImage'. */
	kind: MediaKind;
	/** The UI field, for messages: 'Input Binary Field (video)', 'Reference Image 2'. */
	field: string;
	property: string;
	binary: IBinaryData;
	fileName: string;
	size: number;
	/** First and last bytes, for the checks and the content type; small copies, not the file. */
	head: Buffer;
	tail: Buffer;
}

/**
 * The ends kept for the checks. A moov box at the end of the largest video the API takes
 * (MEDIA_LIMITS.video.maxBytes) is well within the last 8 MB.
 */
const HEAD_BYTES = 1024 * 1024;
const TAIL_BYTES = 8 * 1024 * 1024;

/** The MIME type of each format sniffFormat knows. */
export const CONTENT_TYPES: Record<MediaFormat, string> = {
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	jpeg: 'image/jpeg',
	png: 'image/png',
	webp: 'image/webp',
};

/** The extension of a file whose format is not known: a video's or an image's. */
function defaultExtension(kind: MediaKind): string {
	return MEDIA_LIMITS[kind].media === 'video' ? 'mp4' : 'png';
}

/** Finds the binary field on the item, or says what is there instead. */
export async function readBinaryMedia(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string,
	kind: MediaKind,
	field: string,
): Promise<BinaryMedia> {
	const binaries = ctx.getInputData()[itemIndex]?.binary ?? {};
	const binary = binaries[property];
	if (!binary) {
		const present = Object.keys(binaries);
		throw new NodeOperationError(
			ctx.getNode(),
			`Item ${itemIndex}: ${field}: the input item has no binary field "${property}"`,
			{
				itemIndex,
				description: present.length
					? `Binary fields on this item: ${present.join(', ')}.`
					: 'This item has no binary data at all. Check the node before this one.',
			},
		);
	}
	const fileName = binary.fileName ?? `${property}.${defaultExtension(kind)}`;
	const { size, head, tail } = binary.id
		? await sampleStored(ctx, binary.id)
		: sampleInMemory(await ctx.helpers.getBinaryDataBuffer(itemIndex, property));
	return { itemIndex, kind, field, property, binary, fileName, size, head, tail };
}

/**
 * An in-memory file: its size and copies of its ends. The decoded buffer itself is dropped
 * here, so checking many items never holds more than one file's bytes at a time.
 */
function sampleInMemory(buffer: Buffer): { size: number; head: Buffer; tail: Buffer } {
	return {
		size: buffer.length,
		head: Buffer.from(buffer.subarray(0, HEAD_BYTES)),
		tail: Buffer.from(buffer.subarray(Math.max(0, buffer.length - TAIL_BYTES))),
	};
}

/** A stored file (filesystem, S3): streamed through once, keeping only its ends. */
async function sampleStored(
	ctx: IExecuteFunctions,
	binaryDataId: string,
): Promise<{ size: number; head: Buffer; tail: Buffer }> {
	const stream = await ctx.helpers.getBinaryStream(binaryDataId);
	const headChunks: Buffer[] = [];
	let headLength = 0;
	let window: Buffer[] = [];
	let windowLength = 0;
	let size = 0;
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (headLength < HEAD_BYTES) {
			headChunks.push(chunk);
			headLength += chunk.length;
		}
		window.push(chunk);
		windowLength += chunk.length;
		while (window.length > 1 && windowLength - window[0].length >= TAIL_BYTES) {
			windowLength -= window[0].length;
			window = window.slice(1);
		}
	}
	return {
		size,
		head: Buffer.concat(headChunks).subarray(0, HEAD_BYTES),
		tail: Buffer.concat(window),
	};
}

/** The file as messages name it: its field and its file name. */
export function describeMedia(media: BinaryMedia): string {
	return `${media.field} "${media.fileName}"`;
}

/** The file as the transport uploads it: streamed from storage, or from memory in default mode. */
export async function uploadSourceOf(
	ctx: IExecuteFunctions,
	media: BinaryMedia,
): Promise<UploadSource> {
	const format = sniffFormat(media.head);
	const contentType =
		(format && CONTENT_TYPES[format]) ?? media.binary.mimeType ?? 'application/octet-stream';
	const extension = format === 'jpeg' ? 'jpg' : (format ?? defaultExtension(media.kind));
	return {
		label: describeMedia(media),
		fileName: sanitizeFileName(media.fileName, extension),
		contentType,
		size: media.size,
		body: async (frame) => {
			const file = media.binary.id
				? ((await ctx.helpers.getBinaryStream(media.binary.id)) as AsyncIterable<Buffer>)
				: inSlices(await ctx.helpers.getBinaryDataBuffer(media.itemIndex, media.property));
			return blobBody(frame.contentType, frame.contentLength, [[frame.head], file, [frame.tail]]);
		},
	};
}

/** Views of a buffer, a megabyte at a time: nothing is copied. */
function* inSlices(buffer: Buffer): Iterable<Buffer> {
	for (let offset = 0; offset < buffer.length; offset += 1024 * 1024) {
		yield buffer.subarray(offset, offset + 1024 * 1024);
	}
}

/**
 * The body as a Blob-shaped object whose bytes come from the parts in order. n8n's HTTP client
 * streams a Blob's `stream()` with its size as Content-Length, so the file goes out from storage
 * (or from the one in-memory copy) without being joined into a new buffer; community nodes may
 * not import Node's stream module to build a stream themselves.
 */
function blobBody(
	type: string,
	size: number,
	parts: Array<Iterable<Buffer> | AsyncIterable<Buffer>>,
): unknown {
	return {
		[Symbol.toStringTag]: 'Blob',
		type,
		size,
		async *stream() {
			for (const part of parts) for await (const chunk of part) yield chunk;
		},
	};
}
