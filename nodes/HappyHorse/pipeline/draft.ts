import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { MediaKind } from '../schemas/limits';
import type { MediaType, ParameterName, TaskKind } from '../schemas/taskKinds';
import { MEDIA_SOURCES, TASK_KIND_SPECS } from '../schemas/taskKinds';
import { typeNoun } from '../schemas/taskRequest';
import type { MediaInput, TaskDraft } from './prepare';

/**
 * Readers of the parameters the create operations share, so each operation reads only what is
 * its own. Everything here is read per item: any parameter may be an expression.
 */

/** Options → the API's `parameters`: each sent only when set (docs/API.md, "Models"). */
const OPTION_PARAMETERS: Record<string, ParameterName> = {
	resolution: 'resolution',
	ratio: 'ratio',
	duration: 'duration',
	watermark: 'watermark',
	audioSetting: 'audio_setting',
	seed: 'seed',
};

/**
 * The draft's model, parameters and switches from the Options collection. Every option of the
 * API's parameters that is set goes into the draft: one the kind does not take is refused by the
 * request's schema (schemas/taskRequest.ts), never dropped. Other options are not the API's.
 */
export function readOptions(
	ctx: IExecuteFunctions,
	itemIndex: number,
	kind: TaskKind,
): Pick<TaskDraft, 'model' | 'parameters' | 'additionalParameters' | 'checkFiles'> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const parameters: IDataObject = {};
	for (const [option, parameter] of Object.entries(OPTION_PARAMETERS)) {
		const value = options[option];
		if (value === undefined || value === '') continue;
		parameters[parameter] = value;
	}
	const model = options.model;
	return {
		model: model === undefined || model === '' ? TASK_KIND_SPECS[kind].models[0] : model,
		parameters,
		additionalParameters: options.additionalParameters,
		checkFiles: options.checkMedia !== false,
	};
}

/** One picture or video chosen as a URL or as a binary field of the input item. */
export function readMediaSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	media: {
		type: MediaType;
		role: MediaKind;
		sourceParameter: string;
		urlParameter: string;
		binaryParameter: string;
		/** The UI names: 'Video URL' and 'Input Binary Field (video)'. */
		urlField: string;
		binaryField: string;
	},
): MediaInput {
	const source = ctx.getNodeParameter(media.sourceParameter, itemIndex, 'url');
	const sourceField = media.urlField.replace(/ URL$/, ' Source');
	const { type, role } = media;
	if (checkedSource(ctx, itemIndex, sourceField, source) === 'binary') {
		const property = ctx.getNodeParameter(media.binaryParameter, itemIndex, 'data');
		return {
			type,
			role,
			field: media.binaryField,
			binaryProperty: checkedText(ctx, itemIndex, media.binaryField, property),
		};
	}
	return {
		type,
		role,
		field: media.urlField,
		url: ctx.getNodeParameter(media.urlParameter, itemIndex, ''),
	};
}

interface ReferenceImageParameter {
	source?: unknown;
	url?: unknown;
	binaryProperty?: unknown;
}

/** The Reference Images collection, in order: 'Reference Image 1', 'Reference Image 2', … */
export function readReferenceImages(
	ctx: IExecuteFunctions,
	itemIndex: number,
	role: MediaKind,
): MediaInput[] {
	const images = ctx.getNodeParameter(
		'referenceImages.images',
		itemIndex,
		[],
	) as ReferenceImageParameter[];
	return images.map((image, index) => {
		const field = `Reference Image ${index + 1}`;
		const source = checkedSource(ctx, itemIndex, `${field} Source`, image.source ?? 'url');
		if (source === 'url') {
			return { type: 'reference_image', role, field: `${field} URL`, url: image.url ?? '' };
		}
		const property = checkedText(ctx, itemIndex, field, image.binaryProperty ?? 'image');
		return { type: 'reference_image', role, field, binaryProperty: property };
	});
}

/**
 * A source chosen in the UI is one of its list, but an expression can set anything: a value
 * outside the list is an error of the item, never a silent fall-back to the URL.
 */
function checkedSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): (typeof MEDIA_SOURCES)[number] {
	const known = MEDIA_SOURCES.find((source) => source === value);
	if (known) return known;
	const shown = typeof value === 'string' ? JSON.stringify(value) : typeNoun(value);
	throw new NodeOperationError(
		ctx.getNode(),
		`Item ${itemIndex}: ${field} must be ${MEDIA_SOURCES.join(' or ')}, not ${shown}`,
		{ itemIndex },
	);
}

/** The name of an input binary field: text, whatever an expression made of it. */
function checkedText(
	ctx: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): string {
	if (typeof value === 'string') return value;
	throw new NodeOperationError(
		ctx.getNode(),
		`Item ${itemIndex}: ${field} must be text, got ${typeNoun(value)}`,
		{ itemIndex },
	);
}
