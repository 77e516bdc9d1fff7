import type { IExecuteFunctions } from 'n8n-workflow';

import { uploadSourceOf } from '../media/binaryMedia';
import { inlineDataUri } from '../media/inlinePicture';
import type { TaskRequest } from '../schemas/taskRequest';
import type { FileUploads } from '../transport/types';
import type { PreparedTask } from './prepare';

/**
 * The upload stage of one item: its files go to DashScope's temporary upload (free: nothing
 * is billed before the submit), and their oss:// URLs replace the placeholders in the body; a
 * picture the validate stage chose to send inline becomes a data: URI here, one item at a time,
 * so only one item's pictures are ever held as text.
 */
export async function uploadFiles(
	ctx: IExecuteFunctions,
	uploads: FileUploads | undefined,
	{ request, uploads: files }: PreparedTask,
): Promise<TaskRequest> {
	if (files.length === 0) return request;
	const media = (request.input.media ?? []).map((entry) => ({ ...entry }));
	for (const { mediaIndex, media: file, inlineAs } of files) {
		if (inlineAs !== undefined) {
			media[mediaIndex].url = await inlineDataUri(ctx, file, inlineAs);
			continue;
		}
		// The validate stage sends a file here only where the endpoint has an upload.
		const source = await uploadSourceOf(ctx, file);
		media[mediaIndex].url = await uploads!.uploadFile(source, request.model, file.itemIndex);
	}
	return { ...request, input: { ...request.input, media } };
}
