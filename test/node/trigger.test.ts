import { createServer, type Server } from 'node:http';

import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { EventBridgeSigner, taskFinishedEvent } from '../../dev/emulator';
import type { EventPushSettings } from '../../dev/emulator';
import { bytesOf } from '../../dev/harness/binaryData';
import { startTriggerServer, type TriggerServer } from '../../dev/harness/runTrigger';
import { submitTextToVideo } from '../../dev/submitTasks';
import { credentialsFor, useEmulator } from '../fixtures';

/**
 * The HappyHorse Trigger through n8n-core's real WebhookContext on a real loopback server
 * (dev/harness/runTrigger.ts), fed by the emulator's EventBridge pushes.
 *
 * The certificate host: a delivery that passes the signature check needs its certificate from
 * `https://{region}-eventbridge.oss-accelerate.aliyuncs.com/`, which this process cannot reach
 * (Node reads NODE_EXTRA_CA_CERTS only at start, and the host must be mapped to loopback). So
 * here the signature check is on only where it refuses before any fetch (forged, stale, foreign
 * certificate host); accepted signatures are tested in test/eventBridgeSignature.test.ts with the
 * emulator's key, and end to end in test/e2e/trigger.e2e.ts, where n8n fetches the certificate
 * from that very host name on loopback TLS. The node has no switch for any of this.
 */

const emulator = useEmulator();
const signer = new EventBridgeSigner();
const CERTIFICATE_URL =
	'https://cn-beijing-eventbridge.oss-accelerate.aliyuncs.com/x509_public_certificate.pem';

let server: TriggerServer | undefined;
afterEach(async () => {
	await emulator.events.settled();
	await server?.settled();
	await server?.stop();
	server = undefined;
});

async function startTrigger(
	parameters: INodeParameters = {},
	credentials: ICredentialDataDecryptedObject = {},
	push: Partial<EventPushSettings> = {},
): Promise<TriggerServer> {
	server = await startTriggerServer({
		parameters: { verifySignature: false, ...parameters },
		credentials: { ...credentialsFor(emulator, 'native'), ...credentials },
	});
	emulator.events.configure({
		url: server.url,
		signer,
		certificateUrl: CERTIFICATE_URL,
		retries: 0,
		...push,
	});
	return server;
}

async function newTask(prompt = 'A horse on a beach'): Promise<string> {
	return await submitTextToVideo(emulator.nativeBaseUrl, emulator.apiKey, prompt);
}

/** A task that is over at the API (one query brought it to SUCCEEDED), and its event. */
async function finishedTask(status = 'SUCCEEDED') {
	emulator.taskScript = () => ({ statuses: [status] });
	const taskId = await newTask();
	const event = taskFinishedEvent(
		{ id: taskId, model: 'happyhorse-1.0-t2v', submittedAt: Date.now() - 3000 },
		status,
	);
	return { taskId, event };
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

test('a task that ends starts one execution: the API’s answer, model, event and the video', async () => {
	const trigger = await startTrigger();
	emulator.taskScript = () => ({ durationMs: 50 });
	const taskId = await newTask();
	await until(() => trigger.executions().length === 1);
	await trigger.settled();

	const [delivery] = emulator.events.deliveries;
	expect(delivery).toMatchObject({ taskId, status: 200, attempt: 1 });
	expect(JSON.parse(delivery.body)).toEqual({ accepted: taskId });
	const [execution] = trigger.executions();
	const [item] = execution.items ?? [];
	const times = emulator.taskTimes(taskId);
	expect(item.json).toEqual({
		taskId,
		status: 'SUCCEEDED',
		videoUrl: expect.stringContaining(`/results/${taskId}.mp4?`),
		usage: { duration: 5, output_video_duration: 5, video_count: 1, SR: 1080 },
		// A custom endpoint has no list price: the seconds without an amount (docs/COSTS.md).
		cost: { billedSeconds: 5, amount: null, currency: null },
		requestId: expect.any(String),
		submittedAt: expect.any(String),
		startedAt: expect.any(String),
		finishedAt: expect.any(String),
		model: 'happyhorse-1.0-t2v',
		event: {
			id: delivery.eventId,
			time: new Date(times.finishedAt ?? 0).toISOString(),
			region: 'cn-beijing',
		},
	});
	expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${taskId}.mp4` });
	expect(await bytesOf(item.binary!.data)).toEqual(emulator.resultBytes(taskId));

	// One query, no polling; the video host got no key; EventBridge was answered first.
	expect(emulator.requestsOf('query').map((request) => request.path)).toEqual([
		`/api/v1/tasks/${taskId}`,
	]);
	const [download] = emulator.requestsOf('download');
	expect(download.headers.authorization).toBeUndefined();
	expect(execution.answeredAt).toBeLessThanOrEqual(download.receivedAt);
});

test('forged deliveries are refused with 401: no query, no execution', async () => {
	const trigger = await startTrigger({ verifySignature: true });
	const { taskId, event } = await finishedTask();
	const body = JSON.stringify(event);
	const post = (headers: Record<string, string>) =>
		fetch(trigger.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body,
		});

	const unsigned = await post({});
	expect(unsigned.status).toBe(401);
	expect(await unsigned.json()).toEqual({ message: 'Refused: no signature timestamp' });

	const stale = signer.headers({
		url: trigger.url,
		body,
		certificateUrl: CERTIFICATE_URL,
		timestamp: Date.now() - 120_000,
	});
	expect((await post(stale)).status).toBe(401);

	// A certificate on a host of the forger's: refused before anything is fetched from it.
	const forgerHost = await recordingServer();
	const foreign = signer.headers({
		url: trigger.url,
		body,
		certificateUrl: `${forgerHost.url}/cert.pem`,
	});
	const refused = await post(foreign);
	expect(refused.status).toBe(401);
	expect(((await refused.json()) as { message: string }).message).toContain('not https');
	expect(forgerHost.requests).toEqual([]);
	await forgerHost.stop();

	await trigger.settled();
	expect(trigger.executions()).toEqual([]);
	expect(emulator.requestsOf('query')).toEqual([]);
	expect(taskId).toBeTruthy();
});

test('with an Event Token on the credential, a delivery with another token is refused', async () => {
	const trigger = await startTrigger({}, { eventToken: 'the-token' }, { token: 'not-the-token' });
	const { event } = await finishedTask();
	const refused = await emulator.events.push(event);
	expect(refused.status).toBe(401);
	expect(JSON.parse(refused.body)).toEqual({
		message: 'Refused: the event token differs from the credential',
	});
	emulator.events.configure({
		url: trigger.url,
		signer,
		certificateUrl: CERTIFICATE_URL,
		token: 'the-token',
		retries: 0,
	});
	expect((await emulator.events.push(event)).status).toBe(200);
	await trigger.settled();
	expect(trigger.executions()).toHaveLength(1);
});

test('other models and statuses not chosen are answered 200 with no query and no execution', async () => {
	const trigger = await startTrigger({ statuses: ['SUCCEEDED'] });
	const wan = taskFinishedEvent(
		{ id: 'a154c328-0000-4000-8000-e52a9a7e9a35', model: 'wan2.5-t2v-preview', submittedAt: 0 },
		'SUCCEEDED',
	);
	const other = await emulator.events.push(wan);
	expect(other.status).toBe(200);
	expect(JSON.parse(other.body)).toEqual({ ignored: 'model wan2.5-t2v-preview is not HappyHorse' });

	const { event } = await finishedTask('FAILED');
	const failed = await emulator.events.push(event);
	expect(failed.status).toBe(200);
	expect(JSON.parse(failed.body)).toEqual({ ignored: 'status FAILED not chosen' });

	const foreign = await emulator.events.push({ ...wan, type: 'oss:ObjectCreated:PutObject' });
	expect(JSON.parse(foreign.body)).toEqual({ ignored: 'not a task-finished event' });

	await trigger.settled();
	expect(trigger.executions()).toEqual([]);
	expect(emulator.requestsOf('query')).toEqual([]);
});

test('the same event, or another event of the same task, starts one execution only', async () => {
	const trigger = await startTrigger();
	const { taskId, event } = await finishedTask();
	const answers = await Promise.all([emulator.events.push(event), emulator.events.push(event)]);
	expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
	const again = await emulator.events.push({ ...event, id: 'another-event-id' });
	expect(JSON.parse(again.body)).toEqual({ duplicate: taskId });
	await trigger.settled();
	expect(trigger.executions()).toHaveLength(1);
	expect(emulator.requestsOf('query')).toHaveLength(1);
});

test('a task not final yet at the API: 503 with Retry-After, nothing emitted; the retry starts it', async () => {
	const trigger = await startTrigger();
	emulator.taskScript = () => ({ statuses: ['RUNNING', 'SUCCEEDED'] });
	const taskId = await newTask();
	const event = taskFinishedEvent(
		{ id: taskId, model: 'happyhorse-1.0-t2v', submittedAt: Date.now() },
		'SUCCEEDED',
	);
	const early = await fetch(trigger.url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(event),
	});
	expect(early.status).toBe(503);
	expect(early.headers.get('retry-after')).toBe('30');
	expect(await early.json()).toEqual({
		message: `Task ${taskId} is still RUNNING at the API; push again later`,
	});
	await trigger.settled();
	expect(trigger.executions()).toEqual([]);

	const retry = await emulator.events.push(event);
	expect(retry.status).toBe(200);
	await trigger.settled();
	expect(trigger.executions()).toHaveLength(1);
	expect(trigger.executions()[0].items?.[0].json.status).toBe('SUCCEEDED');
	expect(emulator.requestsOf('query')).toHaveLength(2);
});

test('bodies: too large 413, not JSON 415, JSON that does not parse 422, not an event 400', async () => {
	const trigger = await startTrigger();
	const post = async (body: string, contentType: string) =>
		await fetch(trigger.url, { method: 'POST', headers: { 'content-type': contentType }, body });
	const { event } = await finishedTask();
	const padded = JSON.stringify({ ...event, padding: 'x'.repeat(70 * 1024) });
	expect((await post(padded, 'application/json')).status).toBe(413);
	expect((await post(JSON.stringify(event), 'text/plain')).status).toBe(415);
	expect((await post('{"id":', 'application/json')).status).toBe(422);
	const notAnEvent = await post(
		JSON.stringify({ ...event, data: { ...(event.data as object), task_id: '../../x' } }),
		'application/json',
	);
	expect(notAnEvent.status).toBe(400);
	expect(((await notAnEvent.json()) as { message: string }).message).toContain(
		'data.task_id: "../../x" is not a task id',
	);
	await trigger.settled();
	expect(trigger.executions()).toEqual([]);
	expect(emulator.requestsOf('query')).toEqual([]);
});

test("the task's cost at the account's own price of the resolution the API billed", async () => {
	const trigger = await startTrigger(
		{ downloadVideo: false },
		{ ownPrices: true, price720P: 0.1, price1080P: 0.25, priceCurrency: 'EUR' },
	);
	const { taskId, event } = await finishedTask();
	expect((await emulator.events.push(event)).status).toBe(200);
	await trigger.settled();
	const [item] = trigger.executions()[0].items ?? [];
	expect(item.json).toMatchObject({
		taskId,
		usage: { duration: 5, SR: 1080 },
		cost: { billedSeconds: 5, amount: 1.25, currency: 'EUR' },
	});
});

test('a download that fails still starts the execution, with the error and the taskId', async () => {
	const trigger = await startTrigger({ options: { maxVideoSizeMb: 0.01 } });
	const { taskId, event } = await finishedTask();
	expect((await emulator.events.push(event)).status).toBe(200);
	await trigger.settled();
	const [item] = trigger.executions()[0].items ?? [];
	expect(item.json).toMatchObject({ taskId, status: 'SUCCEEDED', model: 'happyhorse-1.0-t2v' });
	expect(String(item.json.error)).toContain(taskId);
	expect(item.binary).toBeUndefined();
});

test('a bad option is an error n8n shows (500, EventBridge pushes again), before any query', async () => {
	const trigger = await startTrigger({ options: { maxVideoSizeMb: -1 } });
	const { event } = await finishedTask();
	expect((await emulator.events.push(event)).status).toBe(500);
	await trigger.settled();
	expect(trigger.handled[0].error?.message).toBe(
		'Options → Max Video Size (MB) must be a number of MB, more than 0',
	);
	expect(trigger.executions()).toEqual([]);
	expect(emulator.requestsOf('query')).toEqual([]);
	// The claim was let go: the retry, once the option is fixed, is not taken for a repeat.
	expect((await emulator.events.push(event)).status).toBe(500);
});

async function recordingServer(): Promise<{
	url: string;
	requests: string[];
	stop(): Promise<void>;
}> {
	const requests: string[] = [];
	const httpServer: Server = createServer((req, res) => {
		requests.push(req.url ?? '');
		res.end('-----BEGIN PUBLIC KEY-----');
	});
	await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
	const address = httpServer.address() as { port: number };
	return {
		url: `http://127.0.0.1:${address.port}`,
		requests,
		stop: async () => await new Promise<void>((resolve) => httpServer.close(() => resolve())),
	};
}
