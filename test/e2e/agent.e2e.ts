import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { WorkflowJson } from '../../dev/examples';
import { loadExamples, pointAtEmulator, triggerNodeName } from '../../dev/examples';
import { HappyHorseEmulator } from '../../dev/emulator';
import type { RunningN8n } from '../../dev/n8n';
import {
	N8nRestClient,
	ensureN8nInstalled,
	installCommunityPackage,
	startN8n,
	packPackage,
} from '../../dev/n8n';
import {
	ScriptedChatCompletionsServer,
	callToolThenAnswer,
	callToolTimesThenAnswer,
} from '../../dev/scriptedChatCompletions';
import { credentialsFor } from '../fixtures';

/**
 * n8n's AI Agent calls the HappyHorse node as its tool, in real n8n 2.x: the agent example with
 * its OpenAI Chat Model pointed at a scripted chat-completions server on loopback, whose first
 * answer calls the tool and whose second quotes the tool's result. n8n 1.x is not covered: its
 * AI Agent and its way of making tools of community packages differ, and are not checked here.
 */

const MAJORS = (process.env.HAPPYHORSE_E2E_N8N ?? '2,1').split(',');
const log = (line: string) => process.stderr.write(`${line}\n`);
const EXAMPLE = 'agent-makes-a-video.json';
/** What the scripted model puts into the tool call: the prompt the agent chose. */
const AGENT_PROMPT = 'A white horse gallops along a beach at sunrise, waves breaking behind it';

interface ToolRun {
	data?: { ai_tool: Array<Array<{ json: Record<string, any>; binary?: Record<string, any> }>> };
	error?: { message: string };
}

(MAJORS.includes('2') ? describe : describe.skip)(
	'n8n 2.x: an AI Agent with the HappyHorse tool',
	() => {
		const emulator = new HappyHorseEmulator();
		const chatModel = new ScriptedChatCompletionsServer();
		let n8n: RunningN8n;
		let client: N8nRestClient;
		let happyHorseCredential: { id: string; name: string };
		/** The same emulator, priced by the credential: 0.14 USD per second at 720P. */
		let pricedCredential: { id: string; name: string };
		let openAiCredential: { id: string; name: string };

		beforeAll(async () => {
			const tarball = packPackage();
			const install = await ensureN8nInstalled('2', log);
			const userFolder = mkdtempSync(join(tmpdir(), 'happyhorse-agent-n8n2-'));
			await installCommunityPackage(userFolder, tarball, log);
			await emulator.start();
			await chatModel.start();
			n8n = await startN8n({ install, userFolder, log });
			client = await N8nRestClient.login(n8n);
			const happyHorseName = 'HappyHorse emulator';
			const { id } = await client.createCredential(
				happyHorseName,
				'happyHorseApi',
				credentialsFor(emulator, 'native'),
			);
			happyHorseCredential = { id, name: happyHorseName };
			const pricedName = 'HappyHorse emulator, priced';
			const priced = await client.createCredential(pricedName, 'happyHorseApi', {
				...credentialsFor(emulator, 'native'),
				ownPrices: true,
				price720P: 0.14,
				priceCurrency: 'USD',
			});
			pricedCredential = { id: priced.id, name: pricedName };
			const openAiName = 'Scripted chat model';
			const openAi = await client.createCredential(openAiName, 'openAiApi', {
				apiKey: chatModel.apiKey,
				url: chatModel.baseUrl,
			});
			openAiCredential = { id: openAi.id, name: openAiName };
		}, 30 * 60_000);

		afterAll(async () => {
			await n8n?.stop();
			await emulator.stop();
			await chatModel.stop();
		});

		beforeEach(() => {
			emulator.reset();
			chatModel.reset();
			chatModel.script = callToolThenAnswer({ toolArguments: { prompt: AGENT_PROMPT } });
		});

		function example(): WorkflowJson {
			const found = loadExamples().find((candidate) => candidate.file === EXAMPLE);
			if (!found) throw new Error(`No example ${EXAMPLE}`);
			return pointAtEmulator(found.workflow, {
				emulatorOrigin: emulator.origin,
				credential: happyHorseCredential,
				chatModelCredential: openAiCredential,
				outputDir: tmpdir(),
				pollInterval: 0.2,
			});
		}

		async function run(workflow: WorkflowJson) {
			const executionId = await client.startCopy(workflow, triggerNodeName(workflow));
			return await client.waitForExecution(executionId, 120_000);
		}

		function toolRunOf(execution: { data: any }): ToolRun {
			const run = execution.data.resultData.runData['Make video']?.[0] as ToolRun | undefined;
			if (!run) throw new Error(`The tool never ran: ${JSON.stringify(execution.data.resultData)}`);
			return run;
		}

		test('n8n offers the node as an AI tool, with no setting to turn on', async () => {
			expect(await client.loadedNodeTypes()).toEqual(
				expect.arrayContaining([
					'n8n-nodes-happyhorse.happyHorse',
					'n8n-nodes-happyhorse.happyHorseTool',
				]),
			);
		});

		test('the agent calls the tool with its prompt, gets the video link and answers with it; no key in the execution', async () => {
			const execution = await run(example());
			expect(execution.status).toBe('success');

			// The model was offered the tool, with the one parameter the example fills by $fromAI().
			const [first, second, ...more] = chatModel.completions;
			expect(more).toEqual([]);
			const offered = first.tools?.map((tool) => tool.function) ?? [];
			expect(offered.map((tool) => tool.name)).toEqual(['Make_video']);
			expect(Object.keys(offered[0].parameters?.properties ?? {})).toEqual(['prompt']);
			expect(offered[0].description).toContain('Makes a 5-second 720P video');

			// The emulator got exactly the task the agent asked for.
			const submits = emulator.requestsOf('submit');
			expect(submits).toHaveLength(1);
			expect(submits[0].json).toEqual({
				model: 'happyhorse-1.0-t2v',
				input: { prompt: AGENT_PROMPT },
				parameters: { duration: 5, resolution: '720P' },
			});
			expect(submits[0].headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
			const [taskId] = emulator.createdTaskIds;

			// The tool returned JSON only: no download, no file.
			const tool = toolRunOf(execution);
			const [result] = tool.data!.ai_tool[0];
			expect(result.json).toMatchObject({ taskId, status: 'SUCCEEDED' });
			const videoUrl = String(result.json.videoUrl);
			expect(videoUrl.startsWith(`${emulator.origin}/results/${taskId}.mp4?`)).toBe(true);
			expect(result.binary).toBeUndefined();
			expect(emulator.requestsOf('download')).toHaveLength(0);

			// The second request carried the tool's result back to the model...
			const toolMessage = second.messages[second.messages.length - 1];
			expect(toolMessage.role).toBe('tool');
			const observed = JSON.parse(String(toolMessage.content)) as Array<Record<string, unknown>>;
			expect(observed).toEqual([
				expect.objectContaining({ taskId, status: 'SUCCEEDED', videoUrl }),
			]);

			// ...and the agent's final answer, which quotes it, is the execution's output.
			const [answer] = execution.data.resultData.runData['AI Agent'][0].data.main[0];
			expect(answer.json.output).toBe(
				`The video is ready: ${videoUrl} (task ${taskId}). The link works for 24 hours.`,
			);

			// Each key went to its own server only, and neither is anywhere in the execution.
			for (const request of chatModel.requests) {
				expect(request.headers.authorization).toBe(`Bearer ${chatModel.apiKey}`);
			}
			const stored = JSON.stringify(execution);
			expect(stored).not.toContain(emulator.apiKey);
			expect(stored).not.toContain(chatModel.apiKey);
			expect(JSON.stringify(chatModel.requests)).not.toContain(emulator.apiKey);
		});

		test('with Download Video on, the tool downloads the file but the model still gets only the JSON', async () => {
			const workflow = example();
			const toolNode = workflow.nodes.find((node) => node.name === 'Make video')!;
			toolNode.parameters.downloadVideo = true;
			const execution = await run(workflow);
			expect(execution.status).toBe('success');
			const [taskId] = emulator.createdTaskIds;
			expect(emulator.requestsOf('download')).toHaveLength(1);
			// The file is kept in the tool's run data (n8n's binary storage)...
			const [result] = toolRunOf(execution).data!.ai_tool[0];
			expect(result.binary?.data).toMatchObject({
				mimeType: 'video/mp4',
				fileName: `${taskId}.mp4`,
			});
			// ...but what reaches the model is the items' JSON, without the file or a reference to it.
			const [, second] = chatModel.completions;
			const toolMessage = String(second.messages[second.messages.length - 1].content);
			expect(JSON.parse(toolMessage)).toEqual([
				expect.objectContaining({ taskId, status: 'SUCCEEDED' }),
			]);
			expect(toolMessage).not.toContain('binary');
			expect(toolMessage).not.toContain(
				emulator.resultBytes(taskId).toString('base64').slice(0, 40),
			);
		});

		test('an agent that calls the tool three times where Max Cost per Execution allows two: the third submits nothing and the model gets the error', async () => {
			chatModel.script = callToolTimesThenAnswer(3, { prompt: AGENT_PROMPT });
			const workflow = example();
			const toolNode = workflow.nodes.find((node) => node.name === 'Make video')!;
			toolNode.credentials = { happyHorseApi: pricedCredential };
			// Each call is 5 s at 720P: 0.70 USD. Two fit in 1.5 USD, a third would make 2.10.
			toolNode.parameters.options = {
				...(toolNode.parameters.options as object),
				maxCostPerExecution: 1.5,
			};
			const execution = await run(workflow);
			expect(execution.status).toBe('success');

			expect(emulator.requestsOf('submit')).toHaveLength(2);
			const completions = chatModel.completions;
			expect(completions).toHaveLength(4);
			const toolResults = completions[3].messages.filter((message) => message.role === 'tool');
			expect(toolResults).toHaveLength(3);
			const [first, second] = toolResults.map(
				(message) => JSON.parse(String(message.content)) as Array<Record<string, any>>,
			);
			for (const [index, result] of [first, second].entries()) {
				expect(result).toEqual([
					expect.objectContaining({
						taskId: emulator.createdTaskIds[index],
						status: 'SUCCEEDED',
						estimate: expect.objectContaining({ billedSeconds: 5, amount: 0.7, currency: 'USD' }),
						cost: { billedSeconds: 5, amount: 0.7, currency: 'USD' },
					}),
				]);
			}
			const refusal =
				"Item 0: This run would pass the execution's spending limit: it is estimated at 0.7 USD (5 s of video, 1 task), earlier HappyHorse runs of this execution committed 1.4 USD, and Options → Max Cost per Execution (maxCostPerExecution) is 1.5 USD. Nothing of this run was uploaded or submitted";
			expect(JSON.parse(String(toolResults[2].content))).toEqual([{ error: refusal }]);
			const [answer] = execution.data.resultData.runData['AI Agent'][0].data.main[0];
			expect(answer.json.output).toBe(`The tool answered: ${String(toolResults[2].content)}`);
		});

		test('a task that fails reaches the model as the tool error, with the task named, and the agent answers', async () => {
			emulator.taskScript = () => ({
				statuses: ['RUNNING', 'FAILED'],
				failure: {
					code: 'DataInspectionFailed',
					message: 'Input data may contain inappropriate content.',
				},
			});
			const execution = await run(example());
			expect(execution.status).toBe('success');
			const [taskId] = emulator.createdTaskIds;
			const message = `Task ${taskId} failed: DataInspectionFailed: Input data may contain inappropriate content.`;
			const [, second] = chatModel.completions;
			const toolMessage = String(second.messages[second.messages.length - 1].content);
			expect(JSON.parse(toolMessage)).toEqual([{ error: message }]);
			const [answer] = execution.data.resultData.runData['AI Agent'][0].data.main[0];
			expect(answer.json.output).toBe(`The tool answered: ${toolMessage}`);
			expect(JSON.stringify(execution)).not.toContain(emulator.apiKey);
		});
	},
);
