import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { AnyfastApi } from './anyfast';
import { baseUrlProblem, resolveEndpoint } from './endpoints';
import { NativeApi } from './native';
import type { ApiLimiters } from './client';
import { sharedLimiter } from './rateLimiter';
import { waitBudget } from './waitBudget';
import { CREDENTIAL_TYPE } from './request';
import { prepareRedaction } from './secrets';
import type { HappyHorseApi } from './types';

export type { HappyHorseApi, UploadSource } from './types';

/** The API client for the node's credential: the only place that picks a family. */
export async function createApiClient(ctx: IExecuteFunctions): Promise<HappyHorseApi> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	await prepareRedaction(ctx, async () => credentials.apiKey);
	const { baseUrl, family, uploads } = resolveEndpoint(credentials);
	const problem = baseUrlProblem(baseUrl);
	if (problem) {
		// A URL with user info is not quoted: its password would be in the message.
		const quoted = problem === 'is not an http(s) URL' ? ` "${baseUrl}"` : '';
		throw new NodeOperationError(
			ctx.getNode(),
			`The HappyHorse credential's Base URL${quoted} ${problem}`,
			{
				description:
					'Open the credential and give a plain base URL such as https://dashscope.aliyuncs.com/api/v1: the API key is sent as a Bearer header, so the URL needs no user name, no password, no query and no fragment.',
			},
		);
	}
	// Shared by every execution of this process that uses the same key and endpoint (see
	// README, "Many items, rate limits and retries"): across processes the limits still add up.
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

function positiveOr(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}
