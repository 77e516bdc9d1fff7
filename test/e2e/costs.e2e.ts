import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { WorkflowJson } from '../../dev/examples';
import { loadExamples, pointAtEmulator, triggerNodeName } from '../../dev/examples';
import type { N8nMajor, RunningN8n } from '../../dev/n8n';
import {
	N8nRestClient,
	ensureN8nInstalled,
	installCommunityPackage,
	packPackage,
	startN8n,
} from '../../dev/n8n';
import { HappyHorseEmulator } from '../../dev/emulator';
import { credentialsFor } from '../fixtures';

/**
 * The approval example in real n8n (docs/COSTS.md, "An approval before paying"): Estimate Only
 * makes the estimate and submits nothing, the execution waits on n8n's own Wait page, and only
 * the approval link creates the videos, under the execution's limit of billed seconds.
 */

const MAJORS = (process.env.HAPPYHORSE_E2E_N8N ?? '2,1').split(',') as N8nMajor[];
const log = (line: string) => process.stderr.write(`${line}\n`);
const EXAMPLE = 'estimate-then-approve.json';

let tarball: string;

beforeAll(() => {
	tarball = packPackage();
});

describe.each(MAJORS)('n8n %s.x: estimate, approve, create', (major) => {
	const emulator = new HappyHorseEmulator();
	let n8n: RunningN8n;
	let client: N8nRestClient;
	let credential: { id: string; name: string };

	beforeAll(async () => {
		const install = await ensureN8nInstalled(major, log);
		const userFolder = mkdtempSync(join(tmpdir(), `happyhorse-costs-n8n${major}-`));
		await installCommunityPackage(userFolder, tarball, log);
		await emulator.start();
		n8n = await startN8n({ install, userFolder, log });
		client = await N8nRestClient.login(n8n);
		const name = 'HappyHorse emulator';
		const { id } = await client.createCredential(
			name,
			'happyHorseApi',
			credentialsFor(emulator, 'native'),
		);
		credential = { id, name };
	}, 30 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
		await emulator.stop();
	});

	beforeEach(() => emulator.reset());

	function example(): WorkflowJson {
		const found = loadExamples().find((candidate) => candidate.file === EXAMPLE);
		if (!found) throw new Error(`No example ${EXAMPLE}`);
		return pointAtEmulator(found.workflow, {
			emulatorOrigin: emulator.origin,
			credential,
			outputDir: tmpdir(),
			pollInterval: 0.2,
		});
	}

	/**
	 * Starts the example, waits until its execution waits for the approval, and opens the link
	 * the Total node made (n8n 2.x signs it), with `approve` as the answer.
	 */
	async function runAndAnswer(workflow: WorkflowJson, approve: string) {
		const executionId = await client.startCopy(workflow, triggerNodeName(workflow));
		const waiting = await client.waitForExecution(executionId, 60_000, true);
		expect(waiting.status).toBe('waiting');
		expect(emulator.requestsOf('submit')).toHaveLength(0);
		const [total] = waiting.data.resultData.runData.Total[0].data.main[0];
		const link = String(total.json.approveUrl);
		expect(link.startsWith(`${n8n.baseUrl}/webhook-waiting/${executionId}`)).toBe(true);
		const response = await fetch(link.replace('approve=yes', `approve=${approve}`));
		expect(response.status).toBe(200);
		return await client.waitForExecution(executionId, 120_000);
	}

	test('the estimate submits nothing; the approval link makes the three videos', async () => {
		const execution = await runAndAnswer(example(), 'yes');
		expect(execution.status).toBe('success');
		const runData = execution.data.resultData.runData;
		const estimates = runData.Estimate[0].data.main[0].map((item: any) => item.json);
		expect(estimates).toHaveLength(3);
		for (const estimate of estimates) {
			expect(estimate).toMatchObject({
				taskId: null,
				status: 'ESTIMATE',
				estimate: { billedSeconds: 5, amount: null, currency: null, resolution: '720P' },
				request: { model: 'happyhorse-1.0-t2v', parameters: { duration: 5, resolution: '720P' } },
			});
		}
		const [total] = runData.Total[0].data.main[0];
		expect(total.json).toMatchObject({
			videos: 3,
			billedSeconds: 15,
			cost: 'unknown (set your prices in the credential)',
			approveUrl: expect.stringMatching(/[?&]approve=yes$/),
		});

		const submits = emulator.requestsOf('submit');
		expect(submits.map((submit) => (submit.json as any).input.prompt)).toEqual(
			emulator.samplePrompts().map((entry) => entry.prompt),
		);
		const made = runData['Make videos'][0].data.main[0].map((item: any) => item.json);
		expect(made.map((item: any) => item.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
		expect(made.map((item: any) => item.cost)).toEqual(
			Array(3).fill({ billedSeconds: 5, amount: null, currency: null }),
		);
	});

	test('without the approval nothing is made', async () => {
		const execution = await runAndAnswer(example(), 'no');
		expect(execution.status).toBe('success');
		expect(execution.data.resultData.runData['Make videos']).toBeUndefined();
		expect(emulator.requestsOf('submit')).toHaveLength(0);
	});

	test('two HappyHorse nodes in one execution: the second is refused by what the first committed, across the Wait', async () => {
		// After Make videos, a second HappyHorse node makes the same videos again, allowed 20 s.
		const workflow = example();
		const make = workflow.nodes.find((node) => node.name === 'Make videos')!;
		workflow.nodes.push({
			...make,
			id: '5c1d9e40-7b2a-4c3d-9e8f-1a2b3c4d0010',
			name: 'Make them again',
			position: [1980, -20],
			parameters: {
				...make.parameters,
				prompt: "={{ $('One item per video').item.json.prompt }}",
				options: { duration: 5, resolution: '720P', maxBilledSecondsPerExecution: 20 },
			},
		});
		workflow.connections['Make videos'] = {
			main: [[{ node: 'Make them again', type: 'main', index: 0 }]],
		};
		const execution = await runAndAnswer(workflow, 'yes');
		expect(execution.status).toBe('error');
		// The first node made its three videos (15 s); the second would make 15 s more.
		expect(emulator.requestsOf('submit')).toHaveLength(3);
		expect(execution.data.resultData.runData['Make them again'][0].error.message).toBe(
			"Item 0: This run would pass the execution's limit of billed seconds: it is estimated at 15 s of video (3 tasks), earlier HappyHorse runs of this execution committed 15 s, and Options → Max Billed Seconds per Execution (maxBilledSecondsPerExecution) is 20 s. Nothing of this run was uploaded or submitted",
		);
	});

	test('over the limit of billed seconds, the approved run is refused and submits nothing', async () => {
		const workflow = example();
		const make = workflow.nodes.find((node) => node.name === 'Make videos')!;
		make.parameters.options = {
			...(make.parameters.options as object),
			maxBilledSecondsPerExecution: 10,
		};
		const execution = await runAndAnswer(workflow, 'yes');
		expect(execution.status).toBe('error');
		expect(execution.data.resultData.runData['Make videos'][0].error.message).toBe(
			"Item 0: This run would pass the execution's limit of billed seconds: it is estimated at 15 s of video (3 tasks), earlier HappyHorse runs of this execution committed 0 s, and Options → Max Billed Seconds per Execution (maxBilledSecondsPerExecution) is 10 s. Nothing of this run was uploaded or submitted",
		);
		expect(emulator.requestsOf('submit')).toHaveLength(0);
	});
});
