import { ScriptedChatCompletionsServer, callToolThenAnswer } from '../dev/scriptedChatCompletions';

/**
 * The scripted chat-completions server speaks what OpenAI clients read: the model list, a tool
 * call, a final text, plain and streamed, and refuses a wrong key as OpenAI does.
 */

const server = new ScriptedChatCompletionsServer();

beforeAll(async () => server.start());
afterAll(async () => server.stop());
afterEach(() => server.reset());

const TOOL = {
	type: 'function',
	function: {
		name: 'Make_video',
		parameters: { type: 'object', properties: { prompt: { type: 'string' } } },
	},
};

async function post(body: object, key = server.apiKey) {
	return await fetch(`${server.baseUrl}/chat/completions`, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
}

test("a wrong key gets OpenAI's 401; the model list answers the right one", async () => {
	const refused = await post({ model: 'gpt-5-mini', messages: [] }, 'sk-wrong');
	expect(refused.status).toBe(401);
	expect(((await refused.json()) as any).error.code).toBe('invalid_api_key');
	const models = await fetch(`${server.baseUrl}/models`, {
		headers: { authorization: `Bearer ${server.apiKey}` },
	});
	expect(((await models.json()) as any).data.map((model: { id: string }) => model.id)).toContain(
		'gpt-5-mini',
	);
});

test('first the tool is called with the user message as its string parameters, then the result is quoted', async () => {
	const user = { role: 'user', content: 'A horse on a beach' };
	const first = (await (await post({ model: 'm', messages: [user], tools: [TOOL] })).json()) as any;
	expect(first.choices[0].finish_reason).toBe('tool_calls');
	const [call] = first.choices[0].message.tool_calls;
	expect(call.function).toEqual({
		name: 'Make_video',
		arguments: JSON.stringify({ prompt: 'A horse on a beach' }),
	});
	const result = JSON.stringify([
		{ taskId: 't1', status: 'SUCCEEDED', videoUrl: 'http://v/1.mp4' },
	]);
	const second = (await (
		await post({
			model: 'm',
			tools: [TOOL],
			messages: [
				user,
				{ role: 'assistant', content: null, tool_calls: [call] },
				{ role: 'tool', tool_call_id: call.id, content: result },
			],
		})
	).json()) as any;
	expect(second.choices[0]).toMatchObject({
		finish_reason: 'stop',
		message: {
			role: 'assistant',
			content: 'The video is ready: http://v/1.mp4 (task t1). The link works for 24 hours.',
		},
	});
	expect(server.completions).toHaveLength(2);
});

test('streamed, the same tool call comes as server-sent events ending in [DONE]', async () => {
	server.script = callToolThenAnswer({ toolArguments: { prompt: 'fixed' } });
	const response = await post({
		model: 'm',
		stream: true,
		messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
		tools: [TOOL],
	});
	expect(response.headers.get('content-type')).toBe('text/event-stream');
	const events = (await response.text())
		.split('\n\n')
		.filter(Boolean)
		.map((event) => event.replace(/^data: /, ''));
	expect(events.at(-1)).toBe('[DONE]');
	const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
	expect(chunks[0].choices[0].delta.tool_calls[0]).toMatchObject({
		index: 0,
		type: 'function',
		function: { name: 'Make_video', arguments: '{"prompt":"fixed"}' },
	});
	expect(chunks[1].choices[0].finish_reason).toBe('tool_calls');
});
