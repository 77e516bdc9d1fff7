import { HappyHorseEmulator } from '../dev/emulator';

/**
 * The emulator speaks every HappyHorse model on both families (docs/API.md, "Models"), and
 * refuses, as the APIs do, any field a model does not take, with a message that names it.
 */

const emulator = new HappyHorseEmulator();
const IMAGE = 'https://media.example.com/first.png';
const IMAGES = ['https://media.example.com/a.png', 'https://media.example.com/b.png'];

beforeAll(async () => emulator.start());
afterAll(async () => emulator.stop());
afterEach(() => emulator.reset());

type Body = Record<string, any>;

async function call(method: string, url: string, headers: Record<string, string>, data?: Body) {
	const response = await fetch(url, {
		method,
		headers: { authorization: `Bearer ${emulator.apiKey}`, ...headers },
		body: data === undefined ? undefined : JSON.stringify(data),
	});
	return { status: response.status, json: (await response.json()) as any };
}

const nativeUrl = () => `${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`;
const anyfastUrl = () => `${emulator.anyfastBaseUrl}/v1/video/generations`;
const asyncHeader = { 'x-dashscope-async': 'enable' };
const ossHeader = { 'x-dashscope-ossresourceresolve': 'enable' };

const submitNative = async (body: Body, headers: Record<string, string> = {}) =>
	call('POST', nativeUrl(), { ...asyncHeader, ...headers }, body);
const submitAnyfast = async (body: Body) => call('POST', anyfastUrl(), {}, body);

/** A native body of each model that the API takes. */
function nativeBody(model: string, parameters: Body = {}): Body {
	const prompt = 'A horse gallops along the beach';
	const input: Record<string, Body> = {
		'video-edit': {
			prompt,
			media: [
				{ type: 'video', url: 'https://media.example.com/in.mp4' },
				{ type: 'reference_image', url: IMAGE },
			],
		},
		t2v: { prompt },
		i2v: { prompt, media: [{ type: 'first_frame', url: IMAGE }] },
		r2v: {
			prompt: '[Image 1] rides [Image 2] along the beach',
			media: IMAGES.map((url) => ({ type: 'reference_image', url })),
		},
	};
	return { model, input: input[model.replace(/^happyhorse-1\.[01]-/, '')], parameters };
}

/** Anyfast's flat body of each generation model. */
function flatBody(model: string, parameters: Body = {}): Body {
	const body: Body = { model, prompt: 'A horse gallops along the beach', parameters };
	if (model.endsWith('i2v')) body.image = IMAGE;
	if (model.endsWith('r2v')) body.images = [...IMAGES];
	return body;
}

const NEW_MODELS = [
	'happyhorse-1.0-t2v',
	'happyhorse-1.1-t2v',
	'happyhorse-1.0-i2v',
	'happyhorse-1.1-i2v',
	'happyhorse-1.0-r2v',
	'happyhorse-1.1-r2v',
];
const ALL_MODELS = ['happyhorse-1.0-video-edit', ...NEW_MODELS];

/** Queries a task until it is final; returns the last answer. */
async function finalNative(taskId: string): Promise<any> {
	for (;;) {
		const { json } = await call('GET', `${emulator.nativeBaseUrl}/tasks/${taskId}`, {});
		if (['SUCCEEDED', 'FAILED', 'CANCELED'].includes(json.output.task_status)) return json;
	}
}

async function finalAnyfast(taskId: string): Promise<any> {
	for (;;) {
		const { json } = await call('GET', `${anyfastUrl()}/${taskId}`, {});
		if (['SUCCESS', 'FAILURE'].includes(json.data.status)) return json.data;
	}
}

const PNG_DATA_URI = 'data:image/png;base64,iVBORw0KGgo=';

describe('resolutions and ratios: the reading the emulator follows (docs/API.md, "Settings")', () => {
	const NINE = ['16:9', '9:16', '1:1', '4:3', '3:4', '4:5', '5:4', '9:21', '21:9'];

	test.each([
		'happyhorse-1.0-t2v',
		'happyhorse-1.1-t2v',
		'happyhorse-1.0-r2v',
		'happyhorse-1.1-r2v',
	])('DashScope: %s takes all nine ratios', async (model) => {
		for (const ratio of NINE) {
			const { status } = await submitNative(nativeBody(model, { ratio }));
			expect([ratio, status]).toEqual([ratio, 200]);
		}
	});

	test.each(['happyhorse-1.1-t2v', 'happyhorse-1.1-i2v', 'happyhorse-1.1-r2v'])(
		'DashScope: %s takes 480P, and reports SR 480',
		async (model) => {
			const { status, json } = await submitNative(nativeBody(model, { resolution: '480P' }));
			expect(status).toBe(200);
			const done = await finalNative(json.output.task_id);
			expect(done.usage.SR).toBe(480);
		},
	);

	test('Anyfast keeps its guides: five ratios', async () => {
		await expectRefused(
			submitAnyfast(flatBody('happyhorse-1.0-t2v', { ratio: '21:9' })),
			'anyfast',
			'parameters.ratio must be one of 16:9, 9:16, 1:1, 4:3, 3:4, got "21:9"',
		);
	});

	test('DashScope references to video take pictures inline as data: URIs', async () => {
		const body = nativeBody('happyhorse-1.0-r2v');
		body.input.media[0].url = PNG_DATA_URI;
		const { status } = await submitNative(body);
		expect(status).toBe(200);
	});
});

describe('every model, accepted', () => {
	test.each(ALL_MODELS)(
		'native %s: submitted, SUCCEEDED with its usage and bytes',
		async (model) => {
			const parameters = model.endsWith('video-edit')
				? { resolution: '720P', watermark: false, audio_setting: 'origin', seed: 1 }
				: model.endsWith('i2v')
					? { resolution: '720P', duration: 8, watermark: false, seed: 2147483647 }
					: { resolution: '720P', ratio: '9:16', duration: 8, watermark: false, seed: 0 };
			const submitted = await submitNative(nativeBody(model, parameters));
			expect(submitted.status).toBe(200);
			const taskId = submitted.json.output.task_id as string;
			const done = await finalNative(taskId);
			expect(done.output.task_status).toBe('SUCCEEDED');
			expect(done.usage).toEqual(
				model.endsWith('video-edit')
					? {
							duration: 13.24,
							input_video_duration: 6.62,
							output_video_duration: 6.62,
							video_count: 1,
							SR: 720,
						}
					: { duration: 8, output_video_duration: 8, video_count: 1, SR: 720 },
			);
			const video = await fetch(done.output.video_url as string);
			expect(Buffer.from(await video.arrayBuffer())).toEqual(emulator.resultBytes(taskId));
		},
	);

	test.each(NEW_MODELS.filter((model) => model.includes('-1.0-')))(
		'anyfast %s: the flat body is taken; usage defaults to 5 s at 1080P',
		async (model) => {
			const submitted = await submitAnyfast(flatBody(model));
			expect(submitted.status).toBe(200);
			expect(submitted.json.model).toBe(model);
			const done = await finalAnyfast(submitted.json.task_id as string);
			expect(done.status).toBe('SUCCESS');
			expect(done.data.usage).toEqual({
				duration: 5,
				output_video_duration: 5,
				video_count: 1,
				SR: 1080,
			});
		},
	);

	test('anyfast video edit keeps the native body; the gateway lists the 1.0 models', async () => {
		const submitted = await submitAnyfast(nativeBody('happyhorse-1.0-video-edit'));
		expect(submitted.status).toBe(200);
		const done = await finalAnyfast(submitted.json.task_id as string);
		expect(done.data.usage.input_video_duration).toBe(6.62);
		const models = await call('GET', `${emulator.origin}/v1/models`, {});
		expect(models.json.data.map((model: { id: string }) => model.id)).toEqual([
			'happyhorse-1.0-video-edit',
			'happyhorse-1.0-t2v',
			'happyhorse-1.0-i2v',
			'happyhorse-1.0-r2v',
		]);
	});

	test('image to video takes no prompt; the 1.1 models take their extra fields', async () => {
		const i2v = nativeBody('happyhorse-1.0-i2v');
		delete i2v.input.prompt;
		expect((await submitNative(i2v)).status).toBe(200);
		const flat = flatBody('happyhorse-1.0-i2v');
		delete flat.prompt;
		expect((await submitAnyfast(flat)).status).toBe(200);
		const extras = { prompt_extend: false, negative_prompt: 'blurry', audio: true };
		for (const model of ['happyhorse-1.1-t2v', 'happyhorse-1.1-i2v', 'happyhorse-1.1-r2v']) {
			expect((await submitNative(nativeBody(model, extras))).status).toBe(200);
		}
		expect(emulator.createdTaskIds).toHaveLength(5);
	});
});

/** A submit the API refuses: status, code and a part of the message. */
async function expectRefused(
	submitted: Promise<{ status: number; json: any }>,
	family: 'native' | 'anyfast',
	message: string,
	code = family === 'native' ? 'InvalidParameter' : 'invalid_request',
) {
	const { status, json } = await submitted;
	if (family === 'native') {
		expect([status, json.code]).toEqual([400, code]);
		expect(json.message).toContain(message);
	} else {
		expect([status, json.error.type, json.error.code]).toEqual([
			400,
			'invalid_request_error',
			code,
		]);
		expect(json.error.message).toContain(message);
	}
	expect(emulator.createdTaskIds).toHaveLength(0);
}

describe('native refusals', () => {
	const changed = (model: string, change: (body: Body) => void): Body => {
		const body = nativeBody(model);
		change(body);
		return body;
	};

	test.each([
		['happyhorse-1.0-t2v', { ratio: '2:1' }, 'parameters.ratio must be one of 16:9, 9:16'],
		[
			'happyhorse-1.0-t2v',
			{ resolution: '480P' },
			'parameters.resolution must be one of 720P, 1080P, got "480P" for happyhorse-1.0-t2v',
		],
		['happyhorse-1.0-r2v', { resolution: '480P' }, 'parameters.resolution must be one of 720P'],
		['happyhorse-1.0-video-edit', { resolution: '480P' }, 'parameters.resolution must be one of'],
		['happyhorse-1.0-t2v', { duration: 2 }, 'parameters.duration must be an integer from 3 to 15'],
		['happyhorse-1.0-t2v', { duration: 16 }, 'parameters.duration must be an integer'],
		['happyhorse-1.0-r2v', { duration: 5.5 }, 'parameters.duration must be an integer'],
		['happyhorse-1.0-t2v', { watermark: 'no' }, 'parameters.watermark must be a boolean'],
		['happyhorse-1.0-t2v', { seed: -1 }, 'parameters.seed must be an integer from 0 to 2147483647'],
		['happyhorse-1.0-t2v', { seed: 2147483648 }, 'parameters.seed must be an integer'],
		[
			'happyhorse-1.0-i2v',
			{ ratio: '16:9' },
			'parameters.ratio is not supported by happyhorse-1.0-i2v',
		],
		[
			'happyhorse-1.1-i2v',
			{ ratio: '16:9' },
			'parameters.ratio is not supported by happyhorse-1.1-i2v',
		],
		['happyhorse-1.0-t2v', { audio_setting: 'auto' }, 'parameters.audio_setting is not supported'],
		[
			'happyhorse-1.0-t2v',
			{ prompt_extend: true },
			'parameters.prompt_extend is not supported by happyhorse-1.0-t2v',
		],
		['happyhorse-1.0-i2v', { negative_prompt: 'x' }, 'parameters.negative_prompt is not supported'],
		[
			'happyhorse-1.0-r2v',
			{ audio: true },
			'parameters.audio is not supported by happyhorse-1.0-r2v',
		],
		['happyhorse-1.1-t2v', { prompt_extend: 'yes' }, 'parameters.prompt_extend must be a boolean'],
		['happyhorse-1.1-r2v', { negative_prompt: 1 }, 'parameters.negative_prompt must be a string'],
		[
			'happyhorse-1.0-video-edit',
			{ duration: 5 },
			'parameters.duration is not supported by happyhorse-1.0-video-edit',
		],
		['happyhorse-1.0-video-edit', { ratio: '1:1' }, 'parameters.ratio is not supported'],
	])('%s with parameters %j: %s', async (model, parameters, message) => {
		await expectRefused(submitNative(nativeBody(model, parameters)), 'native', message);
	});

	test.each([
		[
			'text to video without a prompt',
			changed('happyhorse-1.1-t2v', (body) => (body.input.prompt = '')),
			'Field required: input.prompt (a non-empty string)',
		],
		[
			'text to video with media',
			changed(
				'happyhorse-1.0-t2v',
				(body) => (body.input.media = [{ type: 'first_frame', url: IMAGE }]),
			),
			'input.media is not supported by happyhorse-1.0-t2v',
		],
		[
			'image to video with a prompt that is no string',
			changed('happyhorse-1.0-i2v', (body) => (body.input.prompt = 5)),
			'input.prompt must be a string',
		],
		[
			'image to video without media',
			changed('happyhorse-1.0-i2v', (body) => delete body.input.media),
			'Field required: input.media (an array)',
		],
		[
			'image to video with two first frames',
			changed('happyhorse-1.1-i2v', (body) => body.input.media.push(body.input.media[0])),
			'input.media must contain exactly 1 item of type first_frame, got 2',
		],
		[
			'image to video with a reference image',
			changed('happyhorse-1.0-i2v', (body) => (body.input.media[0].type = 'reference_image')),
			'input.media[0].type must be "first_frame"',
		],
		[
			'references to video without a prompt',
			changed('happyhorse-1.0-r2v', (body) => delete body.input.prompt),
			'Field required: input.prompt (a non-empty string)',
		],
		[
			'references to video without images',
			changed('happyhorse-1.0-r2v', (body) => (body.input.media = [])),
			'input.media must contain at least 1 item of type reference_image, got 0',
		],
		[
			'references to video with 10 images',
			changed('happyhorse-1.1-r2v', (body) => {
				body.input.media = Array.from({ length: 10 }, () => body.input.media[0]);
			}),
			'input.media may contain at most 9 items of type reference_image, got 10',
		],
		[
			'references to video with a video',
			changed('happyhorse-1.0-r2v', (body) => (body.input.media[1].type = 'video')),
			'input.media[1].type must be "reference_image"',
		],
		[
			'a media item with a field of its own',
			changed('happyhorse-1.0-r2v', (body) => (body.input.media[0].name = 'Image 1')),
			'input.media[0].name is not supported',
		],
		[
			'an unknown input field',
			changed('happyhorse-1.0-t2v', (body) => (body.input.negative_prompt = 'x')),
			'input.negative_prompt is not supported by happyhorse-1.0-t2v',
		],
		[
			'an unknown top-level field',
			changed('happyhorse-1.0-video-edit', (body) => (body.prompt = 'x')),
			'prompt is not supported by happyhorse-1.0-video-edit',
		],
		[
			'the flat body',
			flatBody('happyhorse-1.0-t2v'),
			'prompt is not supported by happyhorse-1.0-t2v',
		],
	])('%s', async (_name, body, message) => {
		await expectRefused(submitNative(body), 'native', message);
	});

	test.each([
		[
			'a data: URI for a first frame',
			changed('happyhorse-1.0-i2v', (body) => (body.input.media[0].url = PNG_DATA_URI)),
			'input.media[0].url must be a URL, data: is not supported here',
		],
		[
			'a data: URI for a video edit reference image',
			changed('happyhorse-1.0-video-edit', (body) => (body.input.media[1].url = PNG_DATA_URI)),
			'input.media[1].url must be a URL, data: is not supported here',
		],
		[
			'a data: URI of another type',
			changed(
				'happyhorse-1.1-r2v',
				(body) => (body.input.media[0].url = 'data:image/gif;base64,R0lG'),
			),
			'input.media[0].url must be data:image/jpeg, image/png or image/webp;base64,…',
		],
	])('%s is refused', async (_case, body, message) => {
		await expectRefused(submitNative(body), 'native', message);
	});

	test('an unknown model: 400 ModelNotFound naming it', async () => {
		const body = { ...nativeBody('happyhorse-1.0-t2v'), model: 'happyhorse-2.0-t2v' };
		await expectRefused(submitNative(body), 'native', 'happyhorse-2.0-t2v', 'ModelNotFound');
	});
});

describe('anyfast refusals', () => {
	const changed = (model: string, change: (body: Body) => void): Body => {
		const body = flatBody(model);
		change(body);
		return body;
	};

	test.each([
		[
			'text to video in the native body',
			nativeBody('happyhorse-1.0-t2v'),
			'input is not supported by happyhorse-1.0-t2v on this gateway',
		],
		[
			'media in a flat body',
			changed('happyhorse-1.0-i2v', (body) => (body.media = [{ type: 'first_frame', url: IMAGE }])),
			'media is not supported by happyhorse-1.0-i2v on this gateway',
		],
		[
			'text to video without a prompt',
			changed('happyhorse-1.0-t2v', (body) => delete body.prompt),
			'Field required: prompt (a non-empty string)',
		],
		[
			'text to video with an image',
			changed('happyhorse-1.0-t2v', (body) => (body.image = IMAGE)),
			'image is not supported by happyhorse-1.0-t2v',
		],
		[
			'an unknown field',
			changed('happyhorse-1.0-r2v', (body) => (body.size = '1280*720')),
			'size is not supported by happyhorse-1.0-r2v',
		],
		[
			'image to video without its image',
			changed('happyhorse-1.0-i2v', (body) => delete body.image),
			'Field required: image',
		],
		[
			'image to video with a list of images',
			changed('happyhorse-1.0-i2v', (body) => (body.image = [IMAGE])),
			'image must be one URL string',
		],
		[
			'image to video with images',
			changed('happyhorse-1.0-i2v', (body) => (body.images = [IMAGE])),
			'images is not supported by happyhorse-1.0-i2v',
		],
		[
			'image to video with an oss:// image',
			changed('happyhorse-1.0-i2v', (body) => (body.image = 'oss://dir/first.png')),
			'image must be an http(s) URL, oss:// is not supported',
		],
		[
			'image to video with a ratio',
			changed('happyhorse-1.0-i2v', (body) => (body.parameters.ratio = '16:9')),
			'parameters.ratio is not supported by happyhorse-1.0-i2v',
		],
		[
			'references to video with a 4th image',
			changed('happyhorse-1.0-r2v', (body) => body.images.push(IMAGE, IMAGE)),
			'images may contain at most 3 URLs, got 4',
		],
		[
			'references to video without images',
			changed('happyhorse-1.0-r2v', (body) => (body.images = [])),
			'images must contain at least 1 URL, got 0',
		],
		[
			'references to video with an oss:// image',
			changed('happyhorse-1.0-r2v', (body) => (body.images[1] = 'oss://dir/b.png')),
			'images[1] must be an http(s) URL, oss:// is not supported',
		],
		[
			'a 1.1 field on a 1.0 model',
			changed('happyhorse-1.0-t2v', (body) => (body.parameters.prompt_extend = true)),
			'parameters.prompt_extend is not supported by happyhorse-1.0-t2v',
		],
		[
			'video edit with an audio setting it does not know',
			nativeBody('happyhorse-1.0-video-edit', { audio_setting: 'mute' }),
			'parameters.audio_setting must be one of auto, origin',
		],
	])('%s', async (_name, body, message) => {
		await expectRefused(submitAnyfast(body), 'anyfast', message);
	});

	test.each(['happyhorse-1.1-t2v', 'happyhorse-1.1-i2v', 'happyhorse-1.1-r2v', 'wan2.6-t2v'])(
		'%s: the gateway does not offer the model',
		async (model) => {
			await expectRefused(
				submitAnyfast({ ...flatBody(model), model }),
				'anyfast',
				`The gateway does not offer the model ${model}`,
				'model_not_found',
			);
		},
	);
});

describe('temporary uploads, for every model', () => {
	async function uploadFor(model: string, fileName: string): Promise<string> {
		const query = new URLSearchParams({ action: 'getPolicy', model });
		const { json } = await call('GET', `${emulator.nativeBaseUrl}/uploads?${query}`, {});
		const policy = json.data;
		const form = new FormData();
		const fields = {
			OSSAccessKeyId: policy.oss_access_key_id,
			Signature: policy.signature,
			policy: policy.policy,
			key: `${policy.upload_dir}/${fileName}`,
			'x-oss-object-acl': policy.x_oss_object_acl,
			'x-oss-forbid-overwrite': policy.x_oss_forbid_overwrite,
			success_action_status: '200',
		};
		for (const [name, value] of Object.entries(fields)) form.append(name, value as string);
		form.append('file', new Blob(['png'], { type: 'image/png' }), fileName);
		const uploaded = await fetch(policy.upload_host as string, { method: 'POST', body: form });
		expect(uploaded.status).toBe(200);
		return `oss://${policy.upload_dir}/${fileName}`;
	}

	test('a policy of each model binds its objects to that model', async () => {
		for (const model of ALL_MODELS) await uploadFor(model, 'a.png');
		expect(emulator.issuedPolicies.map((policy) => policy.model)).toEqual(ALL_MODELS);
		expect([...emulator.uploadedObjects.values()].map((object) => object.model)).toEqual(
			ALL_MODELS,
		);
	});

	test.each([
		['happyhorse-1.0-i2v', 0],
		['happyhorse-1.1-r2v', 1],
	])('%s: oss:// needs the header and an object of the same model', async (model, index) => {
		const own = await uploadFor(model, 'own.png');
		const body = nativeBody(model);
		body.input.media[index].url = own;
		const noHeader = await submitNative(body);
		expect([noHeader.status, noHeader.json.code]).toEqual([400, 'InvalidParameter.DataInspection']);
		const other = await uploadFor(model.replace(/(i2v|r2v)$/, 't2v'), 'other.png');
		body.input.media[index].url = other;
		const wrongModel = await submitNative(body, ossHeader);
		expect([wrongModel.status, wrongModel.json.code, wrongModel.json.message]).toEqual([
			400,
			'InvalidParameter',
			`The provided URL is invalid: ${other}`,
		]);
		expect(emulator.createdTaskIds).toHaveLength(0);
		body.input.media[index].url = own;
		expect((await submitNative(body, ossHeader)).status).toBe(200);
	});

	test('text to video needs no header: it has no media', async () => {
		expect((await submitNative(nativeBody('happyhorse-1.0-t2v'))).status).toBe(200);
	});
});

describe('task management, for every model', () => {
	test('List Tasks filters by model_name and status', async () => {
		const ids: Record<string, string> = {};
		for (const model of ALL_MODELS) {
			ids[model] = (await submitNative(nativeBody(model))).json.output.task_id as string;
		}
		const list = async (query: Record<string, string>) =>
			(
				await call('GET', `${emulator.nativeBaseUrl}/tasks?${new URLSearchParams(query)}`, {})
			).json.data.map((task: { task_id: string }) => task.task_id);
		for (const model of ALL_MODELS) {
			expect(await list({ model_name: model })).toEqual([ids[model]]);
		}
		expect(await list({})).toHaveLength(ALL_MODELS.length);
		// The default timeline: PENDING at the first query, RUNNING at the second.
		for (let query = 0; query < 2; query++) {
			await call('GET', `${emulator.nativeBaseUrl}/tasks/${ids['happyhorse-1.1-r2v']}`, {});
		}
		expect(await list({ status: 'PENDING', model_name: 'happyhorse-1.1-r2v' })).toEqual([]);
		expect(await list({ status: 'RUNNING' })).toEqual([ids['happyhorse-1.1-r2v']]);
	});

	test('scripts, cancels and the clock work for the new kinds too', async () => {
		emulator.taskScript = (body) =>
			body.model === 'happyhorse-1.0-i2v'
				? { statuses: ['FAILED'], failure: { code: 'DataInspectionFailed', message: 'no' } }
				: {};
		const i2v = (await submitNative(nativeBody('happyhorse-1.0-i2v'))).json.output.task_id;
		const failed = await finalNative(i2v);
		expect(failed.output).toMatchObject({ code: 'DataInspectionFailed', message: 'no' });
		expect(failed.usage).toBeUndefined();
		const r2v = (await submitNative(nativeBody('happyhorse-1.1-r2v'))).json.output.task_id;
		const cancel = await call('POST', `${emulator.nativeBaseUrl}/tasks/${r2v}/cancel`, {});
		expect(cancel.status).toBe(200);
		expect((await finalNative(r2v)).output.task_status).toBe('CANCELED');
		emulator.taskScript = () => ({ durationMs: 50 });
		const t2v = (await submitAnyfast(flatBody('happyhorse-1.0-t2v', { duration: 3 }))).json
			.task_id as string;
		const done = await finalAnyfast(t2v);
		expect(done.data.usage).toMatchObject({ duration: 3, SR: 1080 });
		expect(emulator.taskTimes(t2v).finishedAt).toBe((emulator.taskTimes(t2v).startedAt ?? 0) + 50);
	});

	test('the text-to-video example gets its prompts from /samples/prompts.json', async () => {
		const response = await fetch(`${emulator.origin}/samples/prompts.json`);
		expect(response.headers.get('content-type')).toBe('application/json');
		const prompts = (await response.json()) as Array<{ prompt: string }>;
		expect(prompts).toEqual(emulator.samplePrompts());
		expect(prompts).toHaveLength(3);
		expect(prompts.every((item) => Object.keys(item).join() === 'prompt')).toBe(true);
	});
});
