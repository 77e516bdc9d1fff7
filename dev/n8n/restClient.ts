/** A logged-in client of n8n's REST API, as the editor uses it. */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import * as path from 'node:path';

import { sleep } from './commands';
import { n8nPackageDir } from './install';
import { OWNER } from './owner';
import type { RunningN8n } from './runningN8n';

/** A non-2xx answer from n8n's REST API. */
class N8nRestError extends Error {
	constructor(
		readonly method: string,
		readonly path: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`${method} ${path} answered ${status}: ${body.slice(0, 2000)}`);
		this.name = 'N8nRestError';
	}
}

// n8n ties a session cookie to the browser-id header it was issued with, if one was sent; sending
// the same one on every call keeps that check satisfied on versions that make it.
const BROWSER_ID = randomUUID();

async function restCall(
	baseUrl: string,
	method: string,
	urlPath: string,
	body?: unknown,
	cookie?: string,
): Promise<{ json: any; setCookies: string[] }> {
	const headers: Record<string, string> = { accept: 'application/json', 'browser-id': BROWSER_ID };
	if (body !== undefined) headers['content-type'] = 'application/json';
	if (cookie) headers.cookie = cookie;
	const response = await fetch(`${baseUrl}${urlPath}`, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok) throw new N8nRestError(method, urlPath, response.status, text);
	let json: any = text;
	try {
		json = text === '' ? undefined : JSON.parse(text);
	} catch {
		// Not JSON: hand back the text as it came.
	}
	return { json, setCookies: response.headers.getSetCookie() };
}

/** 1.x has no owner until POST /rest/owner/setup; do that once per user folder. */
export async function ensureOwner(n8n: RunningN8n): Promise<void> {
	const settings = (await restCall(n8n.baseUrl, 'GET', '/rest/settings')).json;
	if (settings?.data?.userManagement?.showSetupOnFirstLoad !== true) return;
	await restCall(n8n.baseUrl, 'POST', '/rest/owner/setup', {
		email: OWNER.email,
		password: OWNER.password,
		firstName: OWNER.firstName,
		lastName: OWNER.lastName,
	});
}

/** A logged-in REST client (cookie n8n-auth). */
export class N8nRestClient {
	private constructor(
		readonly n8n: RunningN8n,
		private readonly cookie: string,
	) {}

	/** Sets the owner up first on 1.x (POST /rest/owner/setup) if needed, then logs in as OWNER. */
	static async login(n8n: RunningN8n): Promise<N8nRestClient> {
		await ensureOwner(n8n);
		const { setCookies } = await restCall(n8n.baseUrl, 'POST', '/rest/login', {
			emailOrLdapLoginId: OWNER.email,
			password: OWNER.password,
		});
		const cookie = setCookies.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (!cookie) throw new Error(`n8n ${n8n.version}: login set no n8n-auth cookie`);
		return new N8nRestClient(n8n, cookie);
	}

	/** Raw JSON REST call (path from the origin, e.g. `/rest/workflows`); throws with the body on non-2xx. */
	async request(method: string, urlPath: string, body?: unknown): Promise<any> {
		return (await restCall(this.n8n.baseUrl, method, urlPath, body, this.cookie)).json;
	}

	/**
	 * Names of the node types this n8n loaded, from the /types/nodes.json it serves the editor (the
	 * same path on both majors, not under /rest); a community package's show as `<package>.<node>`.
	 */
	async loadedNodeTypes(): Promise<string[]> {
		const types: Array<{ name: string }> = await this.request('GET', '/types/nodes.json');
		return [...new Set(types.map((type) => type.name))];
	}

	async createCredential(
		name: string,
		type: string,
		data: Record<string, unknown>,
	): Promise<{ id: string }> {
		const answer = await this.request('POST', '/rest/credentials', { name, type, data });
		return answer.data;
	}

	/** n8n's own credential test, as the editor's "Retry" does; the credential must be saved first. */
	async testCredential(credential: {
		id: string;
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<{ status: 'OK' | 'Error'; message: string }> {
		const answer = await this.request('POST', '/rest/credentials/test', {
			credentials: credential,
		});
		return answer.data;
	}

	/** Saves a workflow, inactive (1.x refuses one without `active`). */
	async createWorkflow(workflow: object): Promise<{ id: string } & Record<string, unknown>> {
		const answer = await this.request('POST', '/rest/workflows', { ...workflow, active: false });
		return answer.data;
	}

	/**
	 * Manual run from the trigger node named `triggerName`; returns the execution id. 2.x needs
	 * only triggerToStartFrom, 1.x also the saved workflow; both accept both.
	 */
	async runWorkflow(
		workflow: { id: string } & Record<string, unknown>,
		triggerName: string,
	): Promise<string> {
		const answer = await this.request('POST', `/rest/workflows/${workflow.id}/run`, {
			workflowData: workflow,
			triggerToStartFrom: { name: triggerName },
		});
		const executionId = answer?.data?.executionId;
		if (!executionId)
			throw new Error(`The run answered no execution id: ${JSON.stringify(answer)}`);
		return String(executionId);
	}

	/**
	 * Saves a copy of `workflow` under a name of its own (runs of one example never collide) and
	 * starts it from `triggerName`; returns the execution id.
	 */
	async startCopy(workflow: { name: string } & object, triggerName: string): Promise<string> {
		const saved = await this.createWorkflow({
			...workflow,
			name: `${workflow.name} ${Date.now()}`,
		});
		return await this.runWorkflow(saved, triggerName);
	}

	/**
	 * Polls GET /rest/executions/<id> until it is finished (or its status is past new/running/
	 * waiting), then returns its `data` parsed with n8n's own flatted: an IRunExecutionData, with
	 * results at resultData.runData[<node>][0].data.main[0] and errors at resultData.error.
	 */
	async waitForExecution(
		executionId: string,
		timeoutMs = 120_000,
		/** Return also once the execution waits (a Wait node), with its data so far. */
		orWaiting = false,
	): Promise<{ status: string; finished: boolean; data: any }> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			let execution: any;
			try {
				execution = (await this.request('GET', `/rest/executions/${executionId}`)).data;
			} catch (error) {
				// A run just started may not be stored yet.
				if (!(error instanceof N8nRestError && error.status === 404)) throw error;
			}
			const status = String(execution?.status ?? 'new');
			const finished = execution?.finished === true;
			// 1.x can report an execution finished a moment before its data is stored: wait for both.
			const ended =
				finished ||
				!['new', 'running', 'waiting'].includes(status) ||
				(orWaiting && status === 'waiting');
			if (execution && ended && execution.data !== undefined && execution.data !== null) {
				const flatted = createRequire(path.join(n8nPackageDir(this.n8n.install), 'package.json'))(
					'flatted',
				) as { parse(text: string): any };
				const data =
					typeof execution.data === 'string' ? flatted.parse(execution.data) : execution.data;
				// 1.x can also report an end before the last node's run is stored: wait for it.
				const last = data?.resultData?.lastNodeExecuted;
				const stored =
					data?.resultData && (status === 'waiting' || !last || data.resultData.runData?.[last]);
				if (stored || Date.now() > deadline) return { status, finished, data };
			}
			if (Date.now() > deadline) {
				throw new Error(`Execution ${executionId} still "${status}" after ${timeoutMs} ms`);
			}
			await sleep(300);
		}
	}
}
