/**
 * A scripted OpenAI chat-completions server on 127.0.0.1: the language model of the agent
 * example and of the agent e2e case, so n8n's AI Agent with an OpenAI Chat Model runs with no key
 * and nothing leaving the machine. It speaks what the OpenAI Chat Model node (lmChatOpenAi, chat
 * completions, not the Responses API) and its credential test use: `GET /v1/models` and
 * `POST /v1/chat/completions`, plain or streamed (server-sent events), with bearer auth.
 *
 * What it answers is a script, not a model: by default (`callToolThenAnswer`) the first answer
 * calls the first tool offered, the next one (after the tool's result came back) is a final text
 * that quotes the result. Every request is recorded.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { parseJson, readBody, recordHeaders, sendJson } from './emulator/http';

/** One message of a chat-completions request, as far as the script reads it. */
interface ChatMessage {
	role: 'system' | 'user' | 'assistant' | 'tool' | string;
	content?: string | Array<{ type: string; text?: string }> | null;
	tool_call_id?: string;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
}

/** A tool the request offers, in the chat-completions shape. */
interface OfferedTool {
	type: 'function';
	function: {
		name: string;
		description?: string;
		parameters?: { properties?: Record<string, { type?: string }>; required?: string[] };
	};
}

export interface ChatCompletionRequest {
	model: string;
	messages: ChatMessage[];
	tools?: OfferedTool[];
	stream?: boolean;
	[key: string]: unknown;
}

/** What the script answers to one request: call tools, or say something. */
export type ScriptedAnswer =
	{ toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> } | { content: string };

export interface RecordedChatRequest {
	method: string;
	path: string;
	headers: Record<string, string>;
	json: ChatCompletionRequest | undefined;
}

const DEFAULT_API_KEY = 'sk-scripted-local-model';
const MODEL_IDS = ['gpt-5-mini', 'scripted-agent-model'];

/** The text of a message, whether it came as a string or as content parts. */
function textOf(message: ChatMessage | undefined): string {
	const content = message?.content;
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
	return '';
}

/**
 * The default script. No tool result yet: call `toolName` (else the first tool offered) with
 * `toolArguments`, or, without them, every string parameter of the tool's schema set to the
 * user's last message. After a tool result: a final text naming the video the tool returned
 * (its `videoUrl` and `taskId`), or quoting the result as it came.
 */
export function callToolThenAnswer(
	options: { toolName?: string; toolArguments?: Record<string, unknown> } = {},
) {
	return (request: ChatCompletionRequest): ScriptedAnswer => {
		const messages = request.messages ?? [];
		const last = messages[messages.length - 1];
		if (last?.role === 'tool') return { content: answerFromToolResult(textOf(last)) };
		const tool =
			request.tools?.find((offered) => offered.function.name === options.toolName) ??
			request.tools?.[0];
		if (!tool) return { content: `No tool to call. You said: ${textOf(last)}` };
		const userText = textOf([...messages].reverse().find((message) => message.role === 'user'));
		const schema = tool.function.parameters?.properties ?? {};
		const filled = Object.fromEntries(
			Object.entries(schema)
				.filter(([, property]) => property.type === 'string')
				.map(([key]) => [key, userText]),
		);
		return {
			toolCalls: [{ name: tool.function.name, arguments: options.toolArguments ?? filled }],
		};
	};
}

/**
 * Calls the first tool offered `times` times in a row, one call per answer, each with
 * `toolArguments` (an agent that keeps asking for videos); then a final text quoting the last
 * tool result, whatever it was.
 */
export function callToolTimesThenAnswer(times: number, toolArguments: Record<string, unknown>) {
	return (request: ChatCompletionRequest): ScriptedAnswer => {
		const messages = request.messages ?? [];
		const results = messages.filter((message) => message.role === 'tool');
		const tool = request.tools?.[0];
		if (results.length < times && tool) {
			return { toolCalls: [{ name: tool.function.name, arguments: toolArguments }] };
		}
		return { content: `The tool answered: ${textOf(results[results.length - 1])}` };
	};
}

/** n8n hands a tool's output items' JSON to the model as a JSON array (or an `{error}`). */
function answerFromToolResult(result: string): string {
	const parsed = parseJson(result);
	const items = (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>;
	const video = items.find((item) => item && typeof item.videoUrl === 'string');
	if (video) {
		return `The video is ready: ${String(video.videoUrl)} (task ${String(video.taskId)}). The link works for 24 hours.`;
	}
	return `The tool answered: ${result}`;
}

export class ScriptedChatCompletionsServer {
	readonly apiKey: string;

	/** Every request received, in order. */
	requests: RecordedChatRequest[] = [];

	/** Decides each answer; reset() restores `callToolThenAnswer()`. */
	script: (request: ChatCompletionRequest) => ScriptedAnswer = callToolThenAnswer();

	private server: Server | undefined;
	private port: number | undefined;
	private answered = 0;

	constructor(options?: { apiKey?: string }) {
		this.apiKey = options?.apiKey ?? DEFAULT_API_KEY;
	}

	/** The credential's Base URL, as the OpenAI credential takes it (ending in /v1). */
	get baseUrl(): string {
		if (this.port === undefined) throw new Error('ScriptedChatCompletionsServer: start() first');
		return `http://127.0.0.1:${this.port}/v1`;
	}

	/** The chat-completions requests received, in order. */
	get completions(): ChatCompletionRequest[] {
		return this.requests
			.filter((request) => request.path === '/v1/chat/completions' && request.json)
			.map((request) => request.json!);
	}

	reset(): void {
		this.requests = [];
		this.script = callToolThenAnswer();
	}

	async start(port = 0): Promise<void> {
		if (this.server) return;
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				if (res.headersSent) res.destroy();
				else sendJson(res, 500, openAiError(String(error), 'server_error', 'internal_error'));
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		this.server = server;
		this.port = (server.address() as { port: number }).port;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		await new Promise<void>((resolve, reject) => {
			server.close((error) => (error ? reject(error) : resolve()));
			server.closeAllConnections();
		});
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const text = (await readBody(req)).toString('utf8');
		const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
		const json = parseJson(text) as ChatCompletionRequest | undefined;
		this.requests.push({ method: req.method ?? '', path, headers: recordHeaders(req), json });

		if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
			sendJson(
				res,
				401,
				openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
			);
			return;
		}
		if (req.method === 'GET' && path === '/v1/models') {
			sendJson(res, 200, {
				object: 'list',
				data: MODEL_IDS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })),
			});
			return;
		}
		if (req.method === 'POST' && path === '/v1/chat/completions' && json) {
			this.answer(res, json);
			return;
		}
		sendJson(res, 404, openAiError(`No route ${req.method} ${path}`, 'invalid_request_error', ''));
	}

	private answer(res: ServerResponse, request: ChatCompletionRequest): void {
		const scripted = this.script(request);
		this.answered += 1;
		const id = `chatcmpl-scripted-${this.answered}`;
		const message =
			'toolCalls' in scripted
				? {
						role: 'assistant',
						content: null,
						tool_calls: scripted.toolCalls.map((call) => ({
							id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
							type: 'function',
							function: { name: call.name, arguments: JSON.stringify(call.arguments) },
						})),
					}
				: { role: 'assistant', content: scripted.content };
		const finishReason = 'toolCalls' in scripted ? 'tool_calls' : 'stop';
		const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
		const common = { id, created: Math.floor(Date.now() / 1000), model: request.model };
		if (!request.stream) {
			sendJson(res, 200, {
				...common,
				object: 'chat.completion',
				choices: [{ index: 0, message, finish_reason: finishReason }],
				usage,
			});
			return;
		}
		// Streamed: the whole message in one delta, then the finish, the usage and [DONE].
		const delta =
			'toolCalls' in scripted
				? {
						role: 'assistant',
						tool_calls: message.tool_calls!.map((call, index) => ({ index, ...call })),
					}
				: message;
		const chunk = (body: object) => `data: ${JSON.stringify({ ...common, ...body })}\n\n`;
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		res.write(
			chunk({
				object: 'chat.completion.chunk',
				choices: [{ index: 0, delta, finish_reason: null }],
			}),
		);
		res.write(
			chunk({
				object: 'chat.completion.chunk',
				choices: [{ index: 0, delta: {}, finish_reason: finishReason }],
			}),
		);
		res.write(chunk({ object: 'chat.completion.chunk', choices: [], usage }));
		res.end('data: [DONE]\n\n');
	}
}

function openAiError(message: string, type: string, code: string): object {
	return { error: { message, type, param: null, code } };
}
