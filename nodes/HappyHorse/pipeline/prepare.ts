import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BinaryMedia } from '../media/binaryMedia';
import { readBinaryMedia } from '../media/binaryMedia';
import { inlineMimeType, inlineMimeTypeOf } from '../media/inlinePicture';
import { preflightCheck } from '../media/mediaChecks';
import type { MediaKind } from '../schemas/limits';
import type { MediaType, TaskKind } from '../schemas/taskKinds';
import { TASK_KIND_SPECS, takesMedia } from '../schemas/taskKinds';
import type { TaskRequest } from '../schemas/taskRequest';
import {
	additionalParametersSchema,
	fieldLabel,
	nodeVoice,
	taskRequestSchema,
} from '../schemas/taskRequest';
import type { HappyHorseApi } from '../transport';
import { UPLOAD_ALTERNATIVE } from '../transport/upload';
import type { ItemState } from './itemState';
import { SETTINGS_OF_INVALID_ITEM, asNodeError, readItemSettings } from './itemState';

/** One entry of `input.media` as an operation read it: a URL, or a binary field to upload. */
export interface MediaInput {
	type: MediaType;
	/** Which limits table the file is checked against. */
	role: MediaKind;
	/** The UI field, named in messages: 'Video URL', 'Reference Image 2'. */
	field: string;
	url?: unknown;
	/** Set for a file from an earlier node: the input binary field that holds it. */
	binaryProperty?: string;
}

/** An item's task as its operation read it from the parameters, before any check. */
export interface TaskDraft {
	model: unknown;
	prompt: unknown;
	media: MediaInput[];
	parameters: IDataObject;
	/** Options → Additional Parameters, as given: JSON text or an object. */
	additionalParameters: unknown;
	/** Options → Check Files Before Upload. */
	checkFiles: boolean;
}

/** Reads one item's parameters; any of them may be an expression, so this runs per item. */
export type DraftReader = (ctx: IExecuteFunctions, itemIndex: number) => TaskDraft;

/**
 * A file to send before the submit, and where its URL goes in `input.media`: the oss:// URL of
 * its temporary upload, or, with `inlineAs` (its MIME type), the picture itself as a data: URI.
 */
interface PendingUpload {
	mediaIndex: number;
	media: BinaryMedia;
	inlineAs?: string;
}

/** One item, checked and ready: the API body, and the files it needs uploaded first. */
export interface PreparedTask {
	request: TaskRequest;
	uploads: PendingUpload[];
}

/** Stands in `input.media` until the file is uploaded; passes the URL rules of native endpoints. */
const UPLOAD_PLACEHOLDER = 'oss://pending-upload';

/**
 * Pictures up to this size go inline as data: URIs where the kind and the family take them
 * (TaskKindSpec.inlineMedia), even on DashScope endpoints that have the temporary upload; larger
 * ones are uploaded. On an endpoint without an upload (the infiflow proxy) every such picture
 * goes inline, up to its limit. Measured by bench/inlineImages.ts (docs/OPERATIONS.md, "Files in and out"):
 * the upload costs about 4 round trips more (getPolicy, then a new connection to the OSS host),
 * inline a third more bytes, so inline is faster below 12 × RTT × bandwidth: 450 kB on the
 * slowest link modelled (150 ms, 2 Mbit/s), 2.25 MB at 10 Mbit/s. 256 KiB stays below every
 * modelled break-even and saves 0.5–1.2 s per picture; above it the saving shrinks while the
 * bytes on the paid submit, the one call never repeated, grow.
 */
export const INLINE_WITH_UPLOAD_MAX_BYTES = 256 * 1024;

/**
 * The validate stage: every item is read and checked, files included, before the first paid
 * call. An item that fails carries its error; the others are ready to submit.
 */
export async function prepareItems(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	kind: TaskKind,
	readDraft: DraftReader,
): Promise<{ states: ItemState[]; prepared: Map<ItemState, PreparedTask> }> {
	const states: ItemState[] = [];
	const prepared = new Map<ItemState, PreparedTask>();
	for (const itemIndex of ctx.getInputData().keys()) {
		const state: ItemState = { itemIndex, settings: SETTINGS_OF_INVALID_ITEM };
		states.push(state);
		try {
			state.settings = readItemSettings(ctx, itemIndex, true);
			prepared.set(state, await prepareTask(ctx, api, kind, itemIndex, readDraft(ctx, itemIndex)));
		} catch (error) {
			state.error = asNodeError(ctx, error, itemIndex);
		}
	}
	return { states, prepared };
}

/** Reads the draft's files and checks the whole body against the API's rules. */
async function prepareTask(
	ctx: IExecuteFunctions,
	api: HappyHorseApi,
	kind: TaskKind,
	itemIndex: number,
	draft: TaskDraft,
): Promise<PreparedTask> {
	const media: Array<{ type: string; url: unknown }> = [];
	const uploads: PendingUpload[] = [];
	for (const input of draft.media) {
		if (input.binaryProperty === undefined) {
			media.push({ type: input.type, url: input.url ?? '' });
			continue;
		}
		const inlineTaken =
			api.mediaRules.acceptsDataUris && TASK_KIND_SPECS[kind].inlineMedia.includes(input.type);
		if (!api.uploads && !inlineTaken) {
			// Said before the file is even read: on this endpoint no file can go anywhere.
			const rules = api.mediaRules;
			const endpoint = rules.label === 'DashScope' ? 'this endpoint' : rules.label;
			throw new NodeOperationError(
				ctx.getNode(),
				`Item ${itemIndex}: ${input.field}: ${endpoint} cannot take files`,
				{ itemIndex, description: UPLOAD_ALTERNATIVE },
			);
		}
		const file = await readBinaryMedia(
			ctx,
			itemIndex,
			input.binaryProperty,
			input.role,
			input.field,
		);
		if (draft.checkFiles) preflightCheck(ctx, file);
		// Where an upload exists, a picture goes inline only when small and of a type a data: URI
		// takes; the API judges the rest after the upload, as before.
		const inlineAs = !inlineTaken
			? undefined
			: !api.uploads
				? inlineMimeType(ctx, file)
				: file.size <= INLINE_WITH_UPLOAD_MAX_BYTES
					? inlineMimeTypeOf(file)
					: undefined;
		uploads.push({ mediaIndex: media.length, media: file, ...(inlineAs ? { inlineAs } : {}) });
		media.push({ type: input.type, url: UPLOAD_PLACEHOLDER });
	}

	const request = taskRequestSchema(kind, api.mediaRules).safeParse(
		{
			model: draft.model,
			input: { prompt: draft.prompt, ...(takesMedia(kind) ? { media } : {}) },
			parameters: draft.parameters,
		},
		{ errorMap: nodeVoice },
	);
	const additional = additionalParametersSchema(kind).safeParse(draft.additionalParameters, {
		errorMap: nodeVoice,
	});
	const mediaFields = draft.media.map((input) => input.field);
	const problems = [
		...(request.success ? [] : request.error.issues).map(
			(issue) => `${fieldLabel(issue.path, kind, mediaFields)} ${issue.message}`,
		),
		...(additional.success ? [] : additional.error.issues).map(
			(issue) => `Options → Additional Parameters ${issue.message}`,
		),
	];
	if (request.success && additional.success) {
		const parameters = { ...additional.data, ...request.data.parameters };
		return { request: { ...request.data, parameters }, uploads };
	}
	throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${problems[0]}`, {
		itemIndex,
		description: problems.length > 1 ? `Also: ${problems.slice(1).join('; ')}` : undefined,
	});
}
