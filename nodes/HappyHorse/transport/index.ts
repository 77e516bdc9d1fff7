import { NodeOperationError } from 'n8n-workflow';

import { AnyfastApi } from './anyfast';
import { WORKSPACE_REGIONS, credentialFieldProblem, resolveEndpoint } from './endpoints';
import { NativeApi } from './native';
import type { ApiLimiters } from './client';
import { sharedLimiter } from './rateLimiter';
import { waitBudget } from './waitBudget';
import { CREDENTIAL_TYPE } from './request';
import { prepareRedaction } from './secrets';
import type { HappyHorseApi } from './types';
import type { NodeContext } from './context';
import { inWords } from '../schemas/taskRequest';

export type { HappyHorseApi, UploadSource } from './types';

/** The API client for the node's credential: the only place that picks a family. */
export async function createApiClient(ctx: NodeContext): Promise<HappyHorseApi> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	await prepareRedaction(ctx, async () => credentials.apiKey);
	const fieldProblem = credentialFieldProblem(credentials);
	if (fieldProblem) {
		// A URL with user info is not quoted: its password would be in the message.
		const { field, problem, quoted } = fieldProblem;
		throw new NodeOperationError(
			ctx.getNode(),
			`The HappyHorse credential's ${field}${quoted === undefined ? '' : ` "${quoted}"`} ${problem}`,
			{ description: CREDENTIAL_FIELD_HINTS[field] },
		);
	}
	const { baseUrl, family, uploads } = resolveEndpoint(credentials);
	// Shared by every execution of this process that uses the same key and endpoint (see
	// docs/OPERATIONS.md, "Many items, rate limits and retries"): across processes the limits still add up.
	const account = { apiKey: String(credentials.apiKey ?? ''), baseUrl };
	const queriesPerSecond = positiveOr(credentials.queriesPerSecond, 20);
	const limiters: ApiLimiters = {
		submit: sharedLimiter(account, 'submit', positiveOr(credentials.submitsPerSecond, 5)),
		query: sharedLimiter(account, 'query', queriesPerSecond),
		waitBudget: waitBudget(account, queriesPerSecond),
	};
	return family === 'anyfast'
		? new AnyfastApi(ctx, baseUrl, limiters)
		: new NativeApi(ctx, baseUrl, limiters, uploads);
}

const CREDENTIAL_FIELD_HINTS = {
	'Base URL':
		'Open the credential and give a plain base URL such as https://dashscope.aliyuncs.com/api/v1: the API key is sent as a Bearer header, so the URL needs no user name, no password, no query and no fragment.',
	'Workspace Region': `Open the credential and pick the region of the workspace from the list: ${inWords(Object.values(WORKSPACE_REGIONS))}.`,
	'Workspace ID':
		'Open the credential and copy the workspace id from the Model Studio console (the icon at the top right), e.g. ws-756pfhanyfvqhdkw: it becomes the first part of the host name {workspaceId}.{region}.maas.aliyuncs.com.',
};

function positiveOr(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}
