import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MEDIA_LIMITS, MIB } from '../schemas/limits';
import type { BinaryMedia } from './binaryMedia';
import { CONTENT_TYPES, describeMedia } from './binaryMedia';
import type { MediaFormat } from './sniffFormat';
import { sniffFormat } from './sniffFormat';

/**
 * A picture sent inline, as `data:<mime>;base64,…` in `input.media[].url`, where the official
 * references-to-video reference allows it (docs/API.md, "Pictures inline"): JPEG, PNG or WEBP,
 * each within the picture's size limit.
 */

/** The formats a data: URI may carry, judged by the file's own bytes. */
const INLINE_FORMATS: readonly MediaFormat[] = ['jpeg', 'png', 'webp'];

/** The MIME type a data: URI of this picture carries, from its own bytes; undefined if none. */
export function inlineMimeTypeOf(file: BinaryMedia): string | undefined {
	const format = sniffFormat(file.head);
	return format && INLINE_FORMATS.includes(format) ? CONTENT_TYPES[format] : undefined;
}

/**
 * The MIME type of a picture that can only go inline, from its first bytes, after its size is checked:
 * run even with Check Files Before Upload off, before anything is encoded, so a file of another
 * kind or a huge one is never read whole or turned into text.
 */
export function inlineMimeType(ctx: IExecuteFunctions, file: BinaryMedia): string {
	const limits = MEDIA_LIMITS[file.kind];
	const refuse = (problem: string) =>
		new NodeOperationError(
			ctx.getNode(),
			`Item ${file.itemIndex}: ${describeMedia(file)}: ${problem}`,
			{
				itemIndex: file.itemIndex,
				description:
					'This endpoint has no upload: the picture goes inside the request, which takes JPEG, PNG or WEBP pictures up to 20 MB.',
			},
		);
	if (file.size > limits.maxBytes) {
		const megabytes = (bytes: number) => (bytes / MIB).toFixed(1);
		throw refuse(
			`size is ${megabytes(file.size)} MB (the API takes at most ${limits.maxBytes / MIB} MB)`,
		);
	}
	const mimeType = inlineMimeTypeOf(file);
	if (!mimeType) throw refuse('is not a JPEG, PNG or WEBP picture (judged by its own bytes)');
	return mimeType;
}

/** The picture as a data: URI. Its bytes are read whole: at most the picture limit, 20 MB. */
export async function inlineDataUri(
	ctx: IExecuteFunctions,
	file: BinaryMedia,
	mimeType: string,
): Promise<string> {
	const bytes = await ctx.helpers.getBinaryDataBuffer(file.itemIndex, file.property);
	return `data:${mimeType};base64,${bytes.toString('base64')}`;
}
