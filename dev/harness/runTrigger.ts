import { createServer, type IncomingMessage, type Server } from 'node:http';

import type {
	ICredentialDataDecryptedObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IWebhookData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { WebhookContext } from 'n8n-core';

import { HappyHorseTrigger } from '../../nodes/HappyHorse/HappyHorseTrigger.node';
import { TestCredentialsHelper } from './credentialsHelper';

const HAPPY_HORSE_TRIGGER_TYPE = 'n8n-nodes-happyhorse.happyHorseTrigger';
const WEBHOOK_ID = '7f0c7a51-0000-4000-8000-00000000e7e7';

/** One delivery as the trigger's webhook handled it. */
interface HandledDelivery {
	receivedAt: number;
	/** When webhook() returned: an execution starts then, if it gave workflowData. */
	returnedAt: number;
	status: number;
	/** When the HTTP answer was finished. */
	answeredAt: number;
	/** The items of the execution it started, or undefined when it started none. */
	items?: INodeExecutionData[];
	error?: Error;
}

export interface TriggerServer {
	/** The trigger's production webhook URL, as the node computes it (getNodeWebhookUrl). */
	url: string;
	handled: HandledDelivery[];
	/** The executions started, in order. */
	executions(): HandledDelivery[];
	/** Resolves once every delivery received so far has been handled to the end. */
	settled(): Promise<void>;
	stop(): Promise<void>;
}

/** What n8n's body parser does before a webhook node sees the request (n8n 1.x and 2.x). */
async function readLikeN8n(req: IncomingMessage): Promise<{ rawBody: Buffer; body: unknown }> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const rawBody = Buffer.concat(chunks);
	const contentType = String(req.headers['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	const body =
		contentType === 'application/json' && rawBody.length > 0
			? JSON.parse(rawBody.toString('utf8'))
			: {};
	return { rawBody, body };
}

/**
 * Serves the HappyHorse Trigger on a real loopback HTTP server: each POST to its production
 * path goes through n8n-core's real WebhookContext into the node's webhook(), with the
 * credential resolved as n8n does. A delivery whose webhook() returns workflowData is an
 * execution started (its items recorded); the engine then only passes them on.
 */
export async function startTriggerServer(options: {
	parameters: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
}): Promise<TriggerServer> {
	const trigger = new HappyHorseTrigger();
	const node: INode = {
		id: 'b6b1b1e4-0000-4000-8000-00000000e7e7',
		name: 'HappyHorse Trigger',
		type: HAPPY_HORSE_TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		webhookId: WEBHOOK_ID,
		parameters: options.parameters,
		credentials: { happyHorseApi: { id: '1', name: 'HappyHorse account' } },
	};
	const workflow = new Workflow({
		id: 'trigger-workflow',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: {
			getByName: () => trigger,
			getByNameAndVersion: () => trigger,
			getKnownTypes: () => ({}),
		},
		settings: { executionOrder: 'v1' },
	});
	// The workflow resolves the node's parameters with their defaults, as n8n stores them.
	const resolvedNode = workflow.getNode(node.name) as INode;
	const handled: HandledDelivery[] = [];
	const running = new Set<Promise<void>>();
	let base = '';

	const server: Server = createServer((req, res) => {
		const receivedAt = Date.now();
		const record: HandledDelivery = { receivedAt, returnedAt: 0, status: 0, answeredAt: 0 };
		handled.push(record);
		res.on('finish', () => {
			record.status = res.statusCode;
			record.answeredAt = Date.now();
		});
		const work = (async () => {
			if (req.method !== 'POST' || req.url !== `/webhook/${WEBHOOK_ID}/webhook`) {
				res.writeHead(404).end();
				return;
			}
			let parsed: { rawBody: Buffer; body: unknown };
			try {
				parsed = await readLikeN8n(req);
			} catch {
				// n8n refuses a JSON body that does not parse before any node sees it.
				res
					.writeHead(422, { 'content-type': 'application/json' })
					.end('{"message":"Failed to parse request body"}');
				return;
			}
			Object.assign(req, parsed);
			const additionalData = {
				credentialsHelper: new TestCredentialsHelper(options.credentials),
				webhookBaseUrl: `${base}/webhook`,
				webhookTestBaseUrl: `${base}/webhook-test`,
				httpRequest: req,
				httpResponse: res,
				variables: {},
			} as unknown as IWorkflowExecuteAdditionalData;
			const webhookData = {
				httpMethod: 'POST',
				node: node.name,
				path: `${WEBHOOK_ID}/webhook`,
				webhookDescription: trigger.description.webhooks?.[0],
				workflowId: workflow.id,
				workflowExecuteAdditionalData: additionalData,
				webhookId: WEBHOOK_ID,
			} as unknown as IWebhookData;
			const context = new WebhookContext(
				workflow,
				resolvedNode,
				additionalData,
				'webhook',
				webhookData,
				[],
				null,
			);
			try {
				const result = await trigger.webhook.call(context);
				record.returnedAt = Date.now();
				if (result.workflowData) record.items = result.workflowData[0];
				if (!result.noWebhookResponse && !res.headersSent) {
					res
						.writeHead(200, { 'content-type': 'application/json' })
						.end('{"message":"Webhook call received"}');
				}
			} catch (error) {
				// n8n answers 500 and records a failed execution.
				record.returnedAt = Date.now();
				record.error = error as Error;
				if (!res.headersSent) res.writeHead(500).end();
			}
		})();
		running.add(work);
		void work.finally(() => running.delete(work));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('no TCP address');
	base = `http://127.0.0.1:${address.port}`;
	return {
		url: `${base}/webhook/${WEBHOOK_ID}/webhook`,
		handled,
		executions: () => handled.filter((delivery) => delivery.items !== undefined),
		settled: async () => {
			while (running.size > 0) await Promise.all([...running]);
		},
		stop: async () => {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}
