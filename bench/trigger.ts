import type { HappyHorseEmulator } from '../dev/emulator';
import { EventBridgeSigner } from '../dev/emulator';
import { runNode } from '../dev/harness/runNode';
import { startTriggerServer } from '../dev/harness/runTrigger';
import { submitTextToVideo } from '../dev/submitTasks';
import { credentials, detectionLags, withEmulator } from './polling';

/**
 * The HappyHorse Trigger's benchmark (bench/run.ts prints it): 100 tasks end, their 100 events
 * are pushed to the trigger (n8n-core's WebhookContext on a loopback server), and the same batch
 * is collected the polling way (Get Task, waiting) for comparison.
 *
 * The signature check is off here: this process cannot fetch EventBridge's certificate (see
 * test/node/trigger.test.ts); its cost is one RSA verify per delivery, the certificate cached.
 */

const TASKS = 100;
/** The tasks end over 5 s, 20 a second: the account's query limit, so no query waits for it. */
const FIRST_END_MS = 2_000;
const END_SPREAD_MS = 50;

export interface TriggerFigures {
	executions: number;
	queries: number;
	deliveries: number;
	/** Per execution: delivery received → execution started (webhook returned its data). */
	deliveryToStartMs: number[];
	/** Per execution: task ended at the API → execution started. */
	endToStartMs: number[];
	polling: { queries: number; lagsMs: number[] };
}

function scriptBatch(emulator: HappyHorseEmulator): void {
	emulator.limits = { maxRunningTasks: TASKS, queriesPerSecond: 20 };
	let index = 0;
	emulator.taskScript = () => ({ durationMs: FIRST_END_MS + END_SPREAD_MS * index++ });
}

async function submitBatch(emulator: HappyHorseEmulator) {
	const taskIds: string[] = [];
	for (let index = 0; index < TASKS; index++) {
		taskIds.push(await submitTextToVideo(emulator.nativeBaseUrl, emulator.apiKey, `Take ${index}`));
	}
	return taskIds;
}

async function benchEvents(): Promise<Omit<TriggerFigures, 'polling'>> {
	return await withEmulator(async (emulator) => {
		scriptBatch(emulator);
		const server = await startTriggerServer({
			parameters: { verifySignature: false },
			credentials: credentials(emulator),
		});
		try {
			emulator.events.configure({
				url: server.url,
				signer: new EventBridgeSigner(),
				certificateUrl: 'https://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com/cert.pem',
			});
			const taskIds = await submitBatch(emulator);
			const deadline = Date.now() + 60_000;
			while (server.executions().length < TASKS && Date.now() < deadline) {
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
			await emulator.events.settled();
			await server.settled();
			const executions = server.executions();
			const finishedAt = new Map(
				taskIds.map((taskId) => [taskId, emulator.taskTimes(taskId).finishedAt ?? 0]),
			);
			return {
				executions: executions.length,
				queries: emulator.requestsOf('query').length,
				deliveries: emulator.events.deliveries.length,
				deliveryToStartMs: executions.map((run) => run.returnedAt - run.receivedAt),
				endToStartMs: executions.map(
					(run) => run.returnedAt - (finishedAt.get(String(run.items?.[0].json.taskId)) ?? 0),
				),
			};
		} finally {
			await server.stop();
		}
	});
}

/** The same batch collected by one Get Task run that waits on all 100 (the default schedule). */
async function benchPolling(): Promise<TriggerFigures['polling']> {
	return await withEmulator(async (emulator) => {
		scriptBatch(emulator);
		const taskIds = await submitBatch(emulator);
		const { error } = await runNode({
			credentials: credentials(emulator),
			items: taskIds.map((taskId) => ({ json: { taskId } })),
			parameters: {
				operation: 'getTask',
				taskId: '={{ $json.taskId }}',
				waitForCompletion: true,
				downloadVideo: true,
			},
		});
		if (error) throw new Error(`polling bench failed: ${error.message}`);
		return { queries: emulator.requestsOf('query').length, lagsMs: detectionLags(emulator) };
	});
}

export async function benchTrigger(): Promise<TriggerFigures> {
	const events = await benchEvents();
	return { ...events, polling: await benchPolling() };
}
