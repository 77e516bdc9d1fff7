import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the hostile server saw it. */
export interface SeenRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	body: string;
}

export interface CannedAnswer {
	status: number;
	body?: string | object;
	headers?: Record<string, string>;
}

/** Answers a request: a canned answer, or writes the response itself (a body that never ends). */
export type Answerer = (request: SeenRequest, res: ServerResponse) => CannedAnswer | undefined;

/**
 * A loopback server that answers whatever a test tells it to: an API that echoes the key,
 * speaks odd statuses, hands out odd task ids, redirects, or sends 30 MB. Every request is
 * recorded, so a test can count them.
 */
export function useHostileServer() {
	const requests: SeenRequest[] = [];
	let answer: Answerer = () => ({ status: 404, body: { code: 'NotFound' } });
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const seen: SeenRequest = {
				method: req.method ?? 'GET',
				path: req.url ?? '/',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			};
			requests.push(seen);
			const canned = answer(seen, res);
			if (!canned) return;
			const body =
				typeof canned.body === 'string' ? canned.body : JSON.stringify(canned.body ?? {});
			res.writeHead(canned.status, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(body),
				...canned.headers,
			});
			res.end(body);
		});
	});
	const state = {
		requests,
		/** Sets how the next requests are answered. */
		answerWith(next: Answerer) {
			answer = next;
		},
		get origin() {
			return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		},
		credentials(family: 'native' | 'anyfast', apiKey = 'sk-hostile-test-key-0123456789abcdef') {
			return {
				apiKey,
				endpoint: 'custom',
				baseUrl: family === 'native' ? `${state.origin}/api/v1` : state.origin,
				apiFormat: family,
			};
		},
	};
	beforeAll(
		async () => await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
	);
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});
	beforeEach(() => {
		requests.length = 0;
		answer = () => ({ status: 404, body: { code: 'NotFound' } });
	});
	return state;
}
