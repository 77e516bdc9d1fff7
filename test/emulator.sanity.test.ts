import { HappyHorseEmulator } from '../dev/emulator';

const emulator = new HappyHorseEmulator();
const body = {
	model: 'happyhorse-1.0-video-edit',
	input: {
		prompt: 'make it snow',
		media: [
			{ type: 'video', url: 'https://example.com/in.mp4' },
			{ type: 'reference_image', url: 'https://example.com/ref.png' },
		],
	},
};

async function call(
	method: string,
	url: string,
	headers: Record<string, string> = {},
	data?: object,
) {
	const response = await fetch(url, {
		method,
		headers: { authorization: `Bearer ${emulator.apiKey}`, ...headers },
		body: data === undefined ? undefined : JSON.stringify(data),
	});
	return { status: response.status, json: (await response.json()) as any };
}

beforeAll(async () => emulator.start());
afterAll(async () => emulator.stop());
afterEach(() => emulator.reset());

describe('HappyHorseEmulator', () => {
	it('runs a native task to SUCCEEDED and serves its bytes', async () => {
		const async = { 'x-dashscope-async': 'enable' };
		const base = emulator.nativeBaseUrl;
		const submitted = await call(
			'POST',
			`${base}/services/aigc/video-generation/video-synthesis`,
			async,
			body,
		);
		expect(submitted.status).toBe(200);
		const id = submitted.json.output.task_id as string;
		expect(emulator.createdTaskIds).toEqual([id]);
		const seen: string[] = [];
		let last: any;
		for (let i = 0; i < 4; i++) {
			last = (await call('GET', `${base}/tasks/${id}`)).json;
			seen.push(last.output.task_status);
		}
		expect(seen).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED', 'SUCCEEDED']);
		expect(last.output.submit_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
		expect(last.usage.duration).toBe(13.24);
		const video = await fetch(last.output.video_url as string);
		expect(video.headers.get('content-type')).toBe('video/mp4');
		expect(Buffer.from(await video.arrayBuffer())).toEqual(emulator.resultBytes(id));
		expect(emulator.requestsOf('query')).toHaveLength(4);
	});

	it('rejects bad keys, sync calls and bad bodies; cancels a pending task', async () => {
		const base = emulator.nativeBaseUrl;
		const submitUrl = `${base}/services/aigc/video-generation/video-synthesis`;
		const async = { 'x-dashscope-async': 'enable' };
		expect(
			(await call('POST', submitUrl, { authorization: 'Bearer nope', ...async }, body)).json.code,
		).toBe('InvalidApiKey');
		expect((await call('POST', submitUrl, {}, body)).status).toBe(403);
		expect((await call('POST', submitUrl, async, { model: 'x', input: {} })).status).toBe(400);
		const id = (await call('POST', submitUrl, async, body)).json.output.task_id as string;
		expect((await call('POST', `${base}/tasks/${id}/cancel`)).status).toBe(200);
		expect((await call('POST', `${base}/tasks/${id}/cancel`)).status).toBe(400);
		expect((await call('GET', `${base}/tasks/${id}`)).json.output.task_status).toBe('CANCELED');
		expect((await call('GET', `${base}/tasks`)).json.data[0].status).toBe('CANCELED');
	});

	it('runs an anyfast task to FAILURE and honours failNext', async () => {
		emulator.taskScript = () => ({
			statuses: ['FAILURE'],
			failure: { code: 'X', message: 'boom' },
		});
		const url = `${emulator.anyfastBaseUrl}/v1/video/generations`;
		const submitted = await call('POST', url, {}, body);
		expect(submitted.json.task_id).toMatch(/^asyntask_[0-9a-f]{24}$/);
		const queried = await call('GET', `${url}/${submitted.json.task_id}`);
		expect(queried.json.data).toMatchObject({
			status: 'FAILURE',
			fail_reason: 'boom',
			progress: '100%',
		});
		expect((await call('GET', `${url}/asyntask_missing`)).json.code).toBe('task_not_exist');
		emulator.failNext('models', { status: 502, body: '<html>bad gateway</html>' });
		const scripted = await fetch(`${emulator.origin}/v1/models`);
		expect([scripted.status, scripted.headers.get('content-type')]).toEqual([502, 'text/html']);
		expect((await call('GET', `${emulator.origin}/v1/models`)).json.data[0].id).toBe(
			'happyhorse-1.0-video-edit',
		);
	});
});

const asyncHeader = { 'x-dashscope-async': 'enable' };
const sleep = async (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function submitNative() {
	return call(
		'POST',
		`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`,
		asyncHeader,
		body,
	);
}

async function nativeStatus(id: string): Promise<string> {
	return (await call('GET', `${emulator.nativeBaseUrl}/tasks/${id}`)).json.output.task_status;
}

/** DashScope's zone-less Beijing time back to epoch ms. */
function fromBeijing(text: string): number {
	return Date.parse(`${text.replace(' ', 'T')}+08:00`);
}

describe('HappyHorseEmulator time-based tasks', () => {
	it('runs at most 5 at once; the 6th and 7th start exactly when the 1st and 2nd end', async () => {
		emulator.taskScript = () => ({ durationMs: 300 });
		for (let i = 0; i < 7; i++) expect((await submitNative()).status).toBe(200);
		const ids = [...emulator.createdTaskIds];
		const early = await Promise.all(ids.map(nativeStatus));
		expect(early).toEqual([
			'RUNNING',
			'RUNNING',
			'RUNNING',
			'RUNNING',
			'RUNNING',
			'PENDING',
			'PENDING',
		]);
		// Nobody polls while the slots change hands: start times must still be exact.
		await sleep(Math.max(0, emulator.taskTimes(ids[1]).submittedAt + 650 - Date.now()));
		const times = ids.map((id) => emulator.taskTimes(id));
		for (const [index, time] of times.entries()) {
			if (index < 5) expect(time.startedAt).toBe(time.submittedAt);
			expect(time.finishedAt).toBe((time.startedAt ?? NaN) + 300);
		}
		expect(times[5].startedAt).toBe(times[0].finishedAt);
		expect(times[6].startedAt).toBe(times[1].finishedAt);
		const last = (await call('GET', `${emulator.nativeBaseUrl}/tasks/${ids[6]}`)).json.output;
		expect(last.task_status).toBe('SUCCEEDED');
		expect(fromBeijing(last.submit_time)).toBe(times[6].submittedAt);
		expect(fromBeijing(last.scheduled_time)).toBe(times[6].startedAt);
		expect(fromBeijing(last.end_time)).toBe(times[6].finishedAt);
	});

	it('cancels a waiting task so it never runs; anyfast reports clock progress', async () => {
		emulator.limits.maxRunningTasks = 1;
		emulator.taskScript = (_body, family) =>
			family === 'native'
				? { durationMs: 150 }
				: { durationMs: 200, failure: { code: 'X', message: 'boom' } };
		await submitNative();
		await submitNative();
		const [first, second] = emulator.createdTaskIds;
		expect(await nativeStatus(second)).toBe('PENDING');
		expect((await call('POST', `${emulator.nativeBaseUrl}/tasks/${second}/cancel`)).status).toBe(
			200,
		);
		expect((await call('POST', `${emulator.nativeBaseUrl}/tasks/${first}/cancel`)).status).toBe(
			400,
		);
		const url = `${emulator.anyfastBaseUrl}/v1/video/generations`;
		const anyfastId = (await call('POST', url, {}, body)).json.task_id as string;
		await sleep(100);
		const running = (await call('GET', `${url}/${anyfastId}`)).json.data;
		expect(running.status).toBe('IN_PROGRESS');
		expect(Number.parseInt(running.progress, 10)).toBeGreaterThanOrEqual(40);
		await sleep(200);
		expect(await nativeStatus(first)).toBe('SUCCEEDED');
		expect(await nativeStatus(second)).toBe('CANCELED');
		expect(emulator.taskTimes(second).startedAt).toBeUndefined();
		const failed = (await call('GET', `${url}/${anyfastId}`)).json.data;
		expect(failed).toMatchObject({ status: 'FAILURE', fail_reason: 'boom', progress: '100%' });
		expect(failed.finish_time).toBe(
			Math.floor((emulator.taskTimes(anyfastId).finishedAt ?? 0) / 1000),
		);
	});
});

describe('HappyHorseEmulator rate limits', () => {
	it('answers 429 with Retry-After to a submit over the limit and creates no task', async () => {
		emulator.limits = { submitsPerSecond: 2, maxRunningTasks: 5 };
		expect((await submitNative()).status).toBe(200);
		expect((await submitNative()).status).toBe(200);
		const response = await fetch(
			`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`,
			{
				method: 'POST',
				headers: { authorization: `Bearer ${emulator.apiKey}`, ...asyncHeader },
				body: JSON.stringify(body),
			},
		);
		expect(response.status).toBe(429);
		expect(response.headers.get('retry-after')).toBe('1');
		expect(await response.json()).toMatchObject({
			code: 'Throttling.RateQuota',
			message: 'Requests rate limit exceeded, please try again later.',
			request_id: expect.any(String),
		});
		expect(emulator.createdTaskIds).toHaveLength(2);
		// The Anyfast gateway is another account with its own window.
		const url = `${emulator.anyfastBaseUrl}/v1/video/generations`;
		expect((await call('POST', url, {}, body)).status).toBe(200);
		expect((await call('POST', url, {}, body)).status).toBe(200);
		expect(await call('POST', url, {}, body)).toEqual({
			status: 429,
			json: {
				error: {
					message: 'rate limit exceeded',
					type: 'rate_limit_error',
					code: 'rate_limit_exceeded',
				},
			},
		});
		expect(emulator.createdTaskIds).toHaveLength(4);
		expect(emulator.throttled).toEqual({ submit: 2, query: 0 });
	});

	it('counts queries, cancels and lists together in a sliding second', async () => {
		emulator.limits = { queriesPerSecond: 3, maxRunningTasks: 5 };
		const id = (await submitNative()).json.output.task_id as string;
		const base = emulator.nativeBaseUrl;
		expect((await call('GET', `${base}/tasks/${id}`)).status).toBe(200);
		expect((await call('POST', `${base}/tasks/${id}/cancel`)).status).toBe(200);
		expect((await call('GET', `${base}/tasks`)).status).toBe(200);
		const refused = await call('GET', `${base}/tasks/${id}`);
		expect([refused.status, refused.json.code]).toEqual([429, 'Throttling.RateQuota']);
		expect(emulator.throttled).toEqual({ submit: 0, query: 1 });
		await sleep(1050);
		expect((await call('GET', `${base}/tasks/${id}`)).status).toBe(200);
		emulator.reset();
		expect(emulator.limits).toEqual({ maxRunningTasks: 5 });
		expect(emulator.throttled).toEqual({ submit: 0, query: 0 });
	});
});

describe('HappyHorseEmulator faults', () => {
	const submitUrl = () =>
		`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`;
	const submitInit = (): RequestInit => ({
		method: 'POST',
		headers: { authorization: `Bearer ${emulator.apiKey}`, ...asyncHeader },
		body: JSON.stringify(body),
	});

	it('resets the socket, before or after creating the task', async () => {
		const id = (await submitNative()).json.output.task_id as string;
		emulator.failNextWith('query', { type: 'reset' });
		await expect(fetch(`${emulator.nativeBaseUrl}/tasks/${id}`)).rejects.toThrow();
		expect(await nativeStatus(id)).toBe('PENDING');
		emulator.failNextWith('submit', { type: 'reset', afterCreate: true });
		await expect(fetch(submitUrl(), submitInit())).rejects.toThrow();
		expect(emulator.createdTaskIds).toHaveLength(2);
		expect(emulator.requestsOf('submit')).toHaveLength(2);
		expect(() => emulator.failNextWith('query', { type: 'status500AfterCreate' } as any)).toThrow(
			/cannot create a task/,
		);
	});

	it('answers slowly without blocking other requests', async () => {
		emulator.failNextWith('submit', { type: 'slow', delayMs: 300 });
		emulator.failNextWith('query', { type: 'slow', delayMs: 200, then: { type: 'html502' } });
		const started = Date.now();
		let slowAnswered = false;
		const slow = fetch(submitUrl(), submitInit()).finally(() => (slowAnswered = true));
		const slowQuery = fetch(`${emulator.nativeBaseUrl}/tasks/x`);
		expect((await call('GET', `${emulator.origin}/v1/models`)).status).toBe(200);
		expect(slowAnswered).toBe(false);
		expect(emulator.createdTaskIds).toHaveLength(0);
		expect((await slowQuery).status).toBe(502);
		const response = await slow;
		expect(Date.now() - started).toBeGreaterThanOrEqual(300);
		expect(response.status).toBe(200);
		expect(emulator.createdTaskIds).toHaveLength(1);
	});

	it('sends truncated JSON, an nginx 502 page and a 500 after creating the task', async () => {
		emulator.failNextWith('query', { type: 'malformed' });
		emulator.failNextWith('query', { type: 'html502' });
		emulator.failNext('query', { status: 503, body: { code: 'ModelUnavailable', message: 'x' } });
		const url = `${emulator.nativeBaseUrl}/tasks/x`;
		const malformed = await fetch(url);
		expect([malformed.status, malformed.headers.get('content-type')]).toEqual([
			200,
			'application/json',
		]);
		expect(await malformed.text()).toBe('{"output": {"task_status": ');
		const html = await fetch(url);
		expect([html.status, html.headers.get('content-type')]).toEqual([502, 'text/html']);
		expect(await html.text()).toContain('<center>nginx</center>');
		expect((await call('GET', url)).status).toBe(503);
		expect(emulator.requestsOf('query')).toHaveLength(3);

		emulator.failNextWith('submit', { type: 'status500AfterCreate' });
		const ambiguous = await call('POST', submitUrl(), asyncHeader, body);
		expect([ambiguous.status, ambiguous.json.code]).toEqual([500, 'InternalError']);
		expect(emulator.createdTaskIds).toHaveLength(1);
		expect(await nativeStatus(emulator.createdTaskIds[0])).toBe('PENDING');
	});

	it('stops promptly while a slow answer is pending', async () => {
		const own = new HappyHorseEmulator();
		await own.start();
		own.failNextWith('download', { type: 'slow', delayMs: 10_000 });
		const pending = fetch(`${own.origin}/results/x.mp4`);
		await sleep(50);
		const started = Date.now();
		await own.stop();
		expect(Date.now() - started).toBeLessThan(500);
		await expect(pending).rejects.toThrow();
	});
});

describe('HappyHorseEmulator temporary upload', () => {
	const model = 'happyhorse-1.0-video-edit';
	const submitUrl = () =>
		`${emulator.nativeBaseUrl}/services/aigc/video-generation/video-synthesis`;
	const ossHeader = { 'x-dashscope-ossresourceresolve': 'enable' };

	async function getPolicy(forModel = model) {
		const query = new URLSearchParams({ action: 'getPolicy', model: forModel });
		const { status, json } = await call('GET', `${emulator.nativeBaseUrl}/uploads?${query}`);
		expect(status).toBe(200);
		return json.data as Record<string, any>;
	}

	/** The form the DashScope SDK posts, fields in its order and the file last. */
	function uploadForm(
		policy: Record<string, any>,
		file: Blob,
		fileName: string,
		overrides: Record<string, string> = {},
	): FormData {
		const form = new FormData();
		const fields: Record<string, string> = {
			OSSAccessKeyId: policy.oss_access_key_id,
			Signature: policy.signature,
			policy: policy.policy,
			key: `${policy.upload_dir}/${fileName}`,
			'x-oss-object-acl': policy.x_oss_object_acl,
			'x-oss-forbid-overwrite': policy.x_oss_forbid_overwrite,
			success_action_status: '200',
			...overrides,
		};
		for (const [name, value] of Object.entries(fields)) form.append(name, value);
		form.append('file', file, fileName);
		return form;
	}

	async function upload(policy: Record<string, any>, form: FormData) {
		const response = await fetch(policy.upload_host as string, { method: 'POST', body: form });
		return {
			status: response.status,
			contentType: response.headers.get('content-type'),
			text: await response.text(),
		};
	}

	const submitWith = async (videoUrl: string, headers: Record<string, string> = ossHeader) =>
		call(
			'POST',
			submitUrl(),
			{ ...asyncHeader, ...headers },
			{
				...body,
				input: {
					...body.input,
					media: [{ ...body.input.media[0], url: videoUrl }, body.input.media[1]],
				},
			},
		);

	it('gets a policy, uploads a file to it and submits its oss:// URL', async () => {
		const policy = await getPolicy();
		expect(policy).toMatchObject({
			upload_host: `${emulator.origin}/oss-upload`,
			expire_in_seconds: 300,
			max_file_size_mb: 100,
			capacity_limit_mb: 999999999,
			oss_access_key_id: 'LTAI-emulator',
			x_oss_object_acl: 'private',
			x_oss_forbid_overwrite: 'true',
		});
		expect(policy.upload_dir).toMatch(
			/^dashscope-instant\/[0-9a-f]{32}\/\d{4}-\d\d-\d\d\/[0-9a-f-]{36}$/,
		);
		const document = JSON.parse(Buffer.from(policy.policy, 'base64').toString('utf8'));
		expect(document.conditions).toContainEqual(['starts-with', '$key', `${policy.upload_dir}/`]);
		expect(emulator.issuedPolicies).toEqual([
			expect.objectContaining({
				policy: policy.policy,
				signature: policy.signature,
				uploadDir: policy.upload_dir,
				model,
			}),
		]);
		expect(emulator.requestsOf('policy')).toHaveLength(1);

		const bytes = Buffer.from('not really an mp4, but bytes all the same');
		const form = uploadForm(policy, new Blob([bytes], { type: 'video/mp4' }), 'clip one.mp4');
		expect(await upload(policy, form)).toEqual({ status: 200, contentType: null, text: '' });
		const key = `${policy.upload_dir}/clip one.mp4`;
		const object = emulator.uploadedObjects.get(key);
		expect(object?.bytes.equals(bytes)).toBe(true);
		expect(object).toMatchObject({ contentType: 'video/mp4', fileName: 'clip one.mp4', model });
		expect(object?.fieldOrder).toEqual([
			'OSSAccessKeyId',
			'Signature',
			'policy',
			'key',
			'x-oss-object-acl',
			'x-oss-forbid-overwrite',
			'success_action_status',
			'file',
		]);
		expect(emulator.requestsOf('upload')[0].headers.authorization).toBeUndefined();

		const submitted = await submitWith(`oss://${key}`);
		expect(submitted.status).toBe(200);
		expect(emulator.createdTaskIds).toEqual([submitted.json.output.task_id]);
	});

	it('refuses a form whose file is not last, a wrong signature and a key outside the dir', async () => {
		const policy = await getPolicy();
		const file = new Blob(['x'], { type: 'image/png' });
		const fileFirst = new FormData();
		fileFirst.append('file', file, 'a.png');
		uploadForm(policy, file, 'a.png').forEach((value, name) => {
			if (name !== 'file') fileFirst.append(name, value);
		});
		const notLast = await upload(policy, fileFirst);
		expect([notLast.status, notLast.contentType]).toEqual([400, 'application/xml']);
		expect(notLast.text).toMatch(
			/<Error>\s*<Code>InvalidArgument<\/Code>\s*<Message>.+<\/Message>/,
		);

		const forged = await upload(policy, uploadForm(policy, file, 'a.png', { Signature: 'AAAA' }));
		expect([forged.status, forged.text]).toEqual([
			403,
			expect.stringContaining('<Code>SignatureDoesNotMatch</Code>'),
		]);
		const outside = uploadForm(policy, file, 'a.png', { key: 'dashscope-instant/other/a.png' });
		const escaped = await upload(policy, outside);
		expect([escaped.status, escaped.text]).toEqual([
			403,
			expect.stringContaining('<Code>AccessDenied</Code>'),
		]);
		// A sibling dir sharing the prefix is outside too.
		const sibling = uploadForm(policy, file, 'a.png', { key: `${policy.upload_dir}x/a.png` });
		expect((await upload(policy, sibling)).status).toBe(403);
		expect(emulator.uploadedObjects.size).toBe(0);
	});

	it('refuses overwrites, files over the limit and expired policies', async () => {
		emulator.uploadSettings.maxFileSizeMb = 1 / 1024; // 1 KiB
		const policy = await getPolicy();
		expect(policy.max_file_size_mb).toBe(1 / 1024);
		const small = new Blob([Buffer.alloc(1024)]);
		expect((await upload(policy, uploadForm(policy, small, 'a.bin'))).status).toBe(200);
		const again = await upload(policy, uploadForm(policy, small, 'a.bin'));
		expect([again.status, again.text]).toEqual([
			409,
			expect.stringContaining('<Code>FileAlreadyExists</Code>'),
		]);
		const large = await upload(policy, uploadForm(policy, new Blob([Buffer.alloc(1025)]), 'b'));
		expect([large.status, large.text]).toEqual([
			413,
			expect.stringContaining('<Code>EntityTooLarge</Code>'),
		]);
		emulator.issuedPolicies[0].expiresAt = Date.now() - 1;
		const expired = await upload(policy, uploadForm(policy, small, 'c.bin'));
		expect([expired.status, expired.text]).toEqual([
			403,
			expect.stringContaining('Policy expired'),
		]);
		expect([...emulator.uploadedObjects.keys()]).toEqual([`${policy.upload_dir}/a.bin`]);
	});

	it('needs the key and a model for a policy; faults apply to both kinds', async () => {
		const base = emulator.nativeBaseUrl;
		const noModel = await call('GET', `${base}/uploads?action=getPolicy&model=`);
		expect([noModel.status, noModel.json.code]).toEqual([400, 'InvalidParameter']);
		const noKey = await fetch(`${base}/uploads?action=getPolicy&model=${model}`);
		expect(noKey.status).toBe(401);
		emulator.failNextWith('policy', { type: 'html502' });
		expect((await fetch(`${base}/uploads?action=getPolicy&model=${model}`)).status).toBe(502);
		const policy = await getPolicy();
		emulator.failNextWith('upload', { type: 'reset' });
		const form = uploadForm(policy, new Blob(['x']), 'x.bin');
		await expect(fetch(policy.upload_host, { method: 'POST', body: form })).rejects.toThrow();
		expect(emulator.requestsOf('upload')).toHaveLength(1);
		// A stray Authorization header is accepted, and recorded for tests to catch.
		const leaky = await fetch(policy.upload_host, {
			method: 'POST',
			headers: { authorization: `Bearer ${emulator.apiKey}` },
			body: uploadForm(policy, new Blob(['x']), 'x.bin'),
		});
		expect(leaky.status).toBe(200);
		expect(emulator.requestsOf('upload')[1].headers.authorization).toBe(
			`Bearer ${emulator.apiKey}`,
		);
		emulator.reset();
		expect([emulator.issuedPolicies.length, emulator.uploadedObjects.size]).toEqual([0, 0]);
		expect(emulator.uploadSettings).toEqual({ maxFileSizeMb: 100, expireInSeconds: 300 });
	});

	it('resolves oss:// only with the header, for a known key of the same model', async () => {
		const policy = await getPolicy();
		await upload(policy, uploadForm(policy, new Blob(['v'], { type: 'video/mp4' }), 'v.mp4'));
		const url = `oss://${policy.upload_dir}/v.mp4`;
		const noHeader = await submitWith(url, {});
		expect([noHeader.status, noHeader.json]).toEqual([
			400,
			{
				code: 'InvalidParameter.DataInspection',
				message: 'The media format is not supported or incorrect for the data inspection.',
				request_id: expect.any(String),
			},
		]);
		const unknown = await submitWith(`oss://${policy.upload_dir}/missing.mp4`);
		expect([unknown.status, unknown.json.code, unknown.json.message]).toEqual([
			400,
			'InvalidParameter',
			`The provided URL is invalid: oss://${policy.upload_dir}/missing.mp4`,
		]);
		const other = await getPolicy('wan2.1-t2v-turbo');
		await upload(other, uploadForm(other, new Blob(['w']), 'w.mp4'));
		const wrongModel = await submitWith(`oss://${other.upload_dir}/w.mp4`);
		expect([wrongModel.status, wrongModel.json.code]).toEqual([400, 'InvalidParameter']);
		emulator.uploadedObjects.get(`${policy.upload_dir}/v.mp4`)!.expiresAt = Date.now() - 1;
		expect((await submitWith(url)).status).toBe(400);
		const anyfast = await call(
			'POST',
			`${emulator.anyfastBaseUrl}/v1/video/generations`,
			{},
			{
				...body,
				input: { ...body.input, media: [{ type: 'video', url }, body.input.media[1]] },
			},
		);
		expect([anyfast.status, anyfast.json.error.code]).toEqual([400, 'invalid_request']);
		expect(emulator.createdTaskIds).toHaveLength(0);
		// The opt-out takes any oss:// URL, header or not; reset() turns the checks back on.
		emulator.checkOssUrls = false;
		expect((await submitWith('oss://anything/at/all.mp4', {})).status).toBe(200);
		emulator.reset();
		expect(emulator.checkOssUrls).toBe(true);
	});

	it('keeps binary content byte-exact, CRLFs and boundary-looking bytes included', async () => {
		const policy = await getPolicy();
		const tricky = Buffer.concat([
			Buffer.from('\r\n--\r\n\r\n------formdata-undici-0123456789\r\n--\r\n', 'latin1'),
			Buffer.from(Array.from({ length: 256 }, (_, index) => index)),
			Buffer.from('\r\nContent-Disposition: form-data; name="key"\r\n\r\nevil\r\n', 'latin1'),
			Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0d, 0x0a]),
		]);
		await upload(policy, uploadForm(policy, new Blob([tricky]), 'tricky.bin'));
		expect(emulator.uploadedObjects.get(`${policy.upload_dir}/tricky.bin`)?.bytes).toEqual(tricky);

		// A hand-made body whose content holds its own boundary, just not after a CRLF.
		const boundary = 'b0undary';
		const content = Buffer.from(`--${boundary}\r\n-${boundary}\r\n\r\nX--${boundary}--`);
		const fields = Object.entries({
			OSSAccessKeyId: policy.oss_access_key_id,
			Signature: policy.signature,
			policy: policy.policy,
			key: `${policy.upload_dir}/own.bin`,
			'x-oss-object-acl': 'private',
			'x-oss-forbid-overwrite': 'true',
		});
		const raw = Buffer.concat([
			Buffer.from('preamble\r\n'),
			...fields.map(([name, value]) =>
				Buffer.from(
					`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
				),
			),
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="own.bin"\r\n` +
					'Content-Type: application/octet-stream\r\n\r\n',
			),
			content,
			Buffer.from(`\r\n--${boundary}--\r\n`),
		]);
		const response = await fetch(policy.upload_host, {
			method: 'POST',
			headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
			body: raw,
		});
		// No success_action_status: OSS answers 204.
		expect(response.status).toBe(204);
		const own = emulator.uploadedObjects.get(`${policy.upload_dir}/own.bin`);
		expect(own?.bytes).toEqual(content);
		expect(own?.contentType).toBe('application/octet-stream');
		expect(emulator.requestsOf('upload')[1].rawBody).toEqual(raw);
	});
});
